"""Browser fixtures: build the real site once, serve it on 127.0.0.1, drive Debian's chromium.

Playwright is only the driver: the browser is ``/usr/bin/chromium`` (``make test`` installs it with
apt when missing); ``playwright install`` is never needed. Every test gets a fresh page whose console
errors, uncaught page errors and dialogs are collected; a test fails at teardown if any occurred.
Browser test modules carry ``xdist_group("browser")`` so that ``pytest -n 2 --dist loadgroup`` can keep
them on one worker (one site build, one browser). pytest-xdist 3.8 under pytest 9.2 ignores the mark
(it renames ``item._nodeid``, which pytest 9.2 no longer reads); each worker then builds the site once.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser import Server, build_site, serve
from aiglossary.loader import KnowledgeBase, load_knowledge_base

ROOT = Path(__file__).resolve().parents[2]


def _built(proc: subprocess.CompletedProcess[str], config: Path) -> None:
    if proc.returncode != 0:
        pytest.fail(f"mkdocs build of {config} failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The real glossary, as the site build loads it (what the pages are checked against)."""
    return load_knowledge_base(ROOT / "glossary")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real site (``/work/main``'s ``mkdocs.yml``), built once and served for the session."""
    config = ROOT / "mkdocs.yml"
    if not config.exists():
        pytest.fail("mkdocs.yml is missing: the site cannot be built", pytrace=False)
    out = tmp_path_factory.mktemp("site") / "site"
    out.mkdir()
    server = serve(out)
    _built(build_site(config, out, server.url), config)
    yield server
    server.close()


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
        _built(build_site(root / "mkdocs.yml", root / "site", server.url), root / "mkdocs.yml")
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()
        shutil.rmtree(server.root, ignore_errors=True)
