"""Fixtures for the demo tests: tiny demo builds, the real site with the committed demos, chromium.

Engine-side tests build demos with the ``ci`` budget (a model of a few thousand parameters); the
browser tests use the committed artifacts in ``docs/demos/`` through a real ``mkdocs build``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser import Server, build_site, serve

ROOT = Path(__file__).resolve().parents[2]
DEMOS = ROOT / "docs" / "demos"


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
