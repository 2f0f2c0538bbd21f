"""Shared fixtures: the repository root and small glossary folders to load."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"


@pytest.fixture
def mini_glossary(tmp_path: Path) -> Path:
    """A copy of the four-entry fixture glossary, in a folder named ``glossary``."""
    dest = tmp_path / "glossary"
    shutil.copytree(MINI, dest)
    return dest


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright: one instance per test process, shared by every suite."""
    from _browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS

    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM}: run `apt-get install -y chromium`")
    from playwright.sync_api import expect, sync_playwright

    # expect() retries for 5 s by default, page waits for TIMEOUT_MS: on a loaded 2-core machine a
    # demo's 160 characters alone can take longer than 5 s, so both wait the same (only a failure waits).
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def watch() -> Any:
    from _browser import Watch

    return Watch()


@pytest.fixture
def page(browser: Any, watch: Any) -> Iterator[Any]:
    """A page on a fresh context; the test fails if the page logged an error or opened a dialog."""
    from _browser import open_page

    context, pg = open_page(browser, watch)
    yield pg
    context.close()
    problems = watch.problems()
    assert not problems, "the browser reported:\n  " + "\n  ".join(problems)
