"""What the browser suites share: building a site, serving it on 127.0.0.1, watching a page.

The browser is Debian's ``/usr/bin/chromium`` driven by Playwright (``make test`` installs it with
apt when missing); ``playwright install`` is never needed. One Playwright instance per test process
(the ``browser`` fixture in ``tests/conftest.py``): two sync instances cannot share a process.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
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


PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def open_page(browser: Any, watch: Watch, **options: Any) -> tuple[Any, Any]:
    """A fresh context and page that records errors, dialogs and requests, and never leaves 127.0.0.1.

    ``options`` go to ``browser.new_context`` (a 1280 x 900 desktop unless they say otherwise; ``PHONE``
    is a 390 px touch phone).
    """
    options = {"viewport": {"width": 1280, "height": 900}, "reduced_motion": "reduce", **options}
    context = browser.new_context(**options)
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


def page_url(path: str) -> re.Pattern[str]:
    """A pattern for the address of the page at ``path`` (``glossary/attention/`` or a full URL).

    mkdocs-material's ``navigation.tracking`` writes the heading in view into the address
    (``/glossary/attention/#categories``) as soon as the page scrolls, which under load can happen
    before a test's wait for the address returns, so the fragment is optional.
    """
    path = re.sub(r"^[a-z]+://[^/]+/", "", path.split("#")[0]).lstrip("/")
    return re.compile(rf"/{re.escape(path)}(#[\w-]+)?$")


def goto_instant(page: Any, url: str) -> None:
    """Open ``url`` and wait until Material's instant navigation handles clicks (see _SITEMAP_READY)."""
    page.goto(url)
    page.wait_for_function("window.__glossarySitemapRead === true")


def tab_to(page: Any, selector: str, limit: int = 250, key: str = "Tab") -> int:
    """Press Tab (the keyboard alone) until the focused element matches ``selector``; the presses it took.

    Goes on from where the focus is (the top of a page just opened); fails after ``limit`` presses.
    ``key="Shift+Tab"`` goes backwards.
    """
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if page.evaluate("s => document.activeElement !== null && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{limit} presses of Tab never reached {selector!r} on {page.url}")


# Count the pixels that differ clearly (sum of RGB differences over 48) between two PNG screenshots
# of the same size, decoded by the browser itself.
_PIXELS_CHANGED = """async ([a, b]) => {
  const load = async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
    const canvas = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(bmp, 0, 0);
    return ctx.getImageData(0, 0, bmp.width, bmp.height).data;
  };
  const [p, q] = await Promise.all([load(a), load(b)]);
  if (p.length !== q.length) return -1;
  let n = 0;
  for (let i = 0; i < p.length; i += 4) {
    if (Math.abs(p[i] - q[i]) + Math.abs(p[i + 1] - q[i + 1]) + Math.abs(p[i + 2] - q[i + 2]) > 48) n++;
  }
  return n;
}"""


def focus_indicator(page: Any, pad: int = 6) -> tuple[int, int]:
    """How visible keyboard focus is on the focused element: (pixels that change, its perimeter in px).

    The element is shot with ``pad`` pixels around it once Shift+Tab has moved the focus to the element
    before it, and again once Tab has brought the focus back (checked), scrolled to the same place both
    times. A focus indicator as thick as a 1 px line all around the element changes about as many
    pixels as the element's perimeter.
    """
    import base64
    import math

    def box() -> dict[str, float]:
        found: dict[str, float] = page.evaluate(
            """() => { const el = document.querySelector('[data-focus-probe]');
                       el.scrollIntoView({block: 'center', inline: 'nearest'});
                       const r = el.getBoundingClientRect();
                       return {x: r.x, y: r.y, width: r.width, height: r.height}; }"""
        )
        return found

    page.evaluate("document.activeElement.setAttribute('data-focus-probe', '')")
    try:
        focused = box()
        page.keyboard.press("Shift+Tab")
        plain = box()
        x0, y0 = min(focused["x"], plain["x"]), min(focused["y"], plain["y"])
        x1 = max(focused["x"] + focused["width"], plain["x"] + plain["width"])
        y1 = max(focused["y"] + focused["height"], plain["y"] + plain["height"])
        left, top = max(0, math.floor(x0 - pad)), max(0, math.floor(y0 - pad))
        clip = {"x": left, "y": top, "width": math.ceil(x1 + pad) - left, "height": math.ceil(y1 + pad) - top}
        without = page.screenshot(clip=clip, animations="disabled")
        page.keyboard.press("Tab")
        back = page.evaluate("document.activeElement.hasAttribute('data-focus-probe')")
        box()
        with_focus = page.screenshot(clip=clip, animations="disabled")
    finally:
        page.evaluate("document.querySelector('[data-focus-probe]').removeAttribute('data-focus-probe')")
    assert back, "Tab did not bring the focus back to the element"
    pngs = [base64.b64encode(png).decode() for png in (with_focus, without)]
    return int(page.evaluate(_PIXELS_CHANGED, pngs)), int(2 * (plain["width"] + plain["height"]))
