"""Browser fixtures: build the real site once, serve it on 127.0.0.1, drive Debian's chromium.

Playwright is only the driver: the browser is ``/usr/bin/chromium`` (``make test`` installs it with
apt when missing); ``playwright install`` is never needed. Every test gets a fresh page whose console
errors, uncaught page errors and dialogs are collected; a test fails at teardown if any occurred.
Browser test modules carry ``xdist_group("browser")`` so that ``pytest -n 2 --dist loadgroup`` can keep
them on one worker (one site build, one browser). pytest-xdist 3.8 under pytest 9.2 ignores the mark
(it renames ``item._nodeid``, which pytest 9.2 no longer reads); each worker then builds the site once.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("AIGLOSSARY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 15_000

_BUILD = """
import sys
from mkdocs.commands.build import build
from mkdocs.config import load_config

build(load_config(config_file=sys.argv[1], site_dir=sys.argv[2], site_url=sys.argv[3]))
"""


def build_site(config: Path, site_dir: Path, site_url: str) -> Path:
    """``mkdocs build`` of ``config`` into ``site_dir``, published at ``site_url``.

    Like ``mkdocs serve``, the build is told the address it is served from: Material's instant
    navigation only intercepts links listed in ``sitemap.xml``, whose URLs come from ``site_url``.
    """
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD, str(config), str(site_dir), site_url],
        env=env,
        capture_output=True,
        text=True,
        cwd=config.parent,
        timeout=300,
    )
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build of {config} failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)
    return site_dir


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
    thread = threading.Thread(target=httpd.serve_forever, name=f"http-{root.name}", daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    return Server(root, f"http://{host!s}:{port}/", httpd)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real site (``/work/main``'s ``mkdocs.yml``), built once and served for the session."""
    config = ROOT / "mkdocs.yml"
    if not config.exists():
        pytest.fail("mkdocs.yml is missing: the site cannot be built", pytrace=False)
    out = tmp_path_factory.mktemp("site") / "site"
    out.mkdir()
    server = serve(out)
    build_site(config, out, server.url)
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
    """What a page reported while a test ran."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        # A request the test itself blocked (anything off 127.0.0.1: the tests run offline) is not a
        # page error; Material asks api.github.com for the repository's facts when repo_url is set.
        own = [m for m in self.console_errors if not any(f"'url': '{u}'" in m for u in self.blocked)]
        return (
            [f"console error: {m}" for m in own]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"dialog: {m}" for m in self.dialogs]
        )


def open_page(browser: Any, watch: Watch) -> tuple[Any, Any]:
    """A fresh context and page that records errors and dialogs and never leaves 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    context.set_default_timeout(TIMEOUT_MS)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            r.continue_()
        else:
            watch.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: watch.console_errors.append(f"{m.text} ({m.location})") if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))

    def on_dialog(d: Any) -> None:
        watch.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", on_dialog)
    return context, page


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Any, watch: Watch) -> Iterator[Any]:
    """A page on a fresh context; the test fails if the page logged an error or opened a dialog."""
    context, pg = open_page(browser, watch)
    yield pg
    context.close()
    problems = watch.problems()
    assert not problems, "the browser reported:\n  " + "\n  ".join(problems)


@pytest.fixture(scope="session")
def fixture_site_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Build and serve a small site from a glossary folder written by a test; servers close at the end."""
    servers: list[Server] = []

    def make(name: str, glossary: dict[str, str], docs: dict[str, str], config: dict[str, Any]) -> Server:
        import json

        root = tmp_path_factory.mktemp(name)
        for rel, text in glossary.items():
            (root / "glossary").mkdir(exist_ok=True)
            (root / "glossary" / rel).write_text(text, "utf-8")
        for rel, text in docs.items():
            path = root / "docs" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
        (root / "mkdocs.yml").write_text(json.dumps(config, indent=1), "utf-8")
        (root / "site").mkdir()
        server = serve(root / "site")
        build_site(root / "mkdocs.yml", root / "site", server.url)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
        shutil.rmtree(server.root, ignore_errors=True)
