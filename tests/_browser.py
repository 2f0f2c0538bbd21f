"""What the browser suites share: building a site, serving it on 127.0.0.1, watching a page.

The browser is Debian's ``/usr/bin/chromium`` driven by Playwright (``make test`` installs it with
apt when missing); ``playwright install`` is never needed. One Playwright instance per test process
(the ``browser`` fixture in ``tests/conftest.py``): two sync instances cannot share a process.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("AIGLOSSARY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 30_000

# Material's instant navigation only intercepts a click once it has read sitemap.xml (it pairs clicks
# with the sitemap via withLatestFrom); a click that comes earlier is an ordinary full page load. The
# sitemap arrives by XHR after the load event, so a test that clicks right after page.goto() races it.
# This init script marks the moment: Material parses the sitemap with DOMParser and hands it to the
# navigation synchronously, so a task queued right after that parse runs once instant navigation is on.
_SITEMAP_READY = """
(() => {
  const parse = DOMParser.prototype.parseFromString;
  DOMParser.prototype.parseFromString = function (text, type) {
    const doc = parse.call(this, text, type);
    if (type === "text/xml" && doc.documentElement && doc.documentElement.localName === "urlset") {
      setTimeout(() => { window.__glossarySitemapRead = true; });
    }
    return doc;
  };
})();
"""

_BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

build(load_config(config_file=sys.argv[1], site_dir=sys.argv[2], site_url=sys.argv[3]))
"""


def build_site(config: Path, site_dir: Path, site_url: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` of ``config`` into ``site_dir`` in a fresh process, published at ``site_url``.

    Like ``mkdocs serve``, the build is told the address it is served from: Material's instant
    navigation only intercepts links listed in ``sitemap.xml``, whose URLs come from ``site_url``.
    """
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-c", _BUILD, str(config), str(site_dir), site_url],
        env=env,
        capture_output=True,
        text=True,
        cwd=config.parent,
        timeout=300,
        check=False,
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Server:
    root: Path
    url: str
    httpd: http.server.ThreadingHTTPServer

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve(root: Path) -> Server:
    """Serve ``root`` on 127.0.0.1 at a free port, from a background thread."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, name=f"http-{root.name}", daemon=True).start()
    host, port = httpd.server_address[:2]
    return Server(root, f"http://{host!s}:{port}/", httpd)


@dataclass
class Watch:
    """What a page reported while a test ran: errors, dialogs and every request it made."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        # A request the test itself blocked (anything off 127.0.0.1: the tests run offline) is not a
        # page error; Material asks api.github.com for the repository's facts when repo_url is set.
        own = [m for m in self.console_errors if not any(u in m for u in self.blocked)]
        return (
            [f"console error: {m}" for m in own]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"dialog: {m}" for m in self.dialogs]
        )


def open_page(browser: Any, watch: Watch) -> tuple[Any, Any]:
    """A fresh context and page that records errors, dialogs and requests, and never leaves 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT_MS)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            watch.requests.append(url)
            r.continue_()
        else:
            watch.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    context.add_init_script(_SITEMAP_READY)
    page = context.new_page()
    page.on("console", lambda m: watch.console_errors.append(f"{m.text} ({m.location})") if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))

    def on_dialog(d: Any) -> None:
        watch.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", on_dialog)
    return context, page


def goto_instant(page: Any, url: str) -> None:
    """Open ``url`` and wait until Material's instant navigation handles clicks (see _SITEMAP_READY)."""
    page.goto(url)
    page.wait_for_function("window.__glossarySitemapRead === true")
