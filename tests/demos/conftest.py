"""Fixtures for the demo tests: tiny demo builds, the real site with the committed demos, chromium.

Engine-side tests build demos with the ``tiny`` budget (a model of a few thousand parameters); the
browser tests use the committed artifacts in ``docs/demos/`` through a real ``mkdocs build``.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMOS = ROOT / "docs" / "demos"
CHROMIUM = os.environ.get("AIGLOSSARY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 30_000

_BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

build(load_config(config_file=sys.argv[1], site_dir=sys.argv[2], site_url=sys.argv[3]))
"""


def build_site(config: Path, site_dir: Path, site_url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-c", _BUILD, str(config), str(site_dir), site_url],
        env=env,
        capture_output=True,
        text=True,
        cwd=config.parent,
        timeout=300,
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
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    host, port = httpd.server_address[:2]
    return Server(root, f"http://{host!s}:{port}/", httpd)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real site with the committed demos, built once and served for the session."""
    if not (DEMOS / "pretraining" / "manifest.json").is_file():
        pytest.fail("docs/demos/pretraining is missing: run `engine build-demos`", pytrace=False)
    out = tmp_path_factory.mktemp("demo-site") / "site"
    out.mkdir()
    server = serve(out)
    proc = build_site(ROOT / "mkdocs.yml", out, server.url)
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    yield server
    server.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}: run `sudo apt-get install -y chromium`")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Watch:
    """Console errors, page errors and every request a page made."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        # Requests off 127.0.0.1 are blocked (the tests run offline; Material asks api.github.com
        # about repo_url): their "failed to load" lines are not the page's errors.
        own = [m for m in self.console_errors if not any(u in m for u in self.blocked)]
        return [f"console error: {m}" for m in own] + [f"page error: {m}" for m in self.page_errors]


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Any, watch: Watch) -> Iterator[Any]:
    """A fresh page that never leaves 127.0.0.1; the test fails if it logged an error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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
    pg = context.new_page()
    pg.on("console", lambda m: watch.console_errors.append(f"{m.text} {m.location}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    yield pg
    context.close()
    problems = watch.problems()
    assert not problems, "the browser reported:\n  " + "\n  ".join(problems)
