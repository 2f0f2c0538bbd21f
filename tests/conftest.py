"""Shared fixtures: the repository root and small glossary folders to load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"


@pytest.fixture
def mini_glossary(tmp_path: Path) -> Path:
    """A copy of the four-entry fixture glossary, in a folder named ``glossary``."""
    dest = tmp_path / "glossary"
    shutil.copytree(MINI, dest)
    return dest
