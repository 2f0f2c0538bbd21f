"""ProperDocs (a maintained fork of MkDocs 1.x that runs ``mkdocs.plugins`` entry points) builds the
real site with ``--strict``, page for page identical to the MkDocs build but for the generator tag.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BuildResult

ROOT = Path(__file__).resolve().parents[2]
_GENERATOR = re.compile(rb'\n *<meta name="generator" content="[^"]*">')


def test_properdocs_builds_the_same_site(real_site: BuildResult, tmp_path: Path) -> None:
    if importlib.util.find_spec("properdocs") is None:
        pytest.fail("properdocs is not installed: run `make test` (it is in the dev extra)", pytrace=False)
    assert real_site.ok, real_site.error
    site = tmp_path / "site"
    # The same environment as the real_site fixture: published from a repository.
    env = dict(os.environ, GLOSSARY_REPO_URL="https://github.com/example/ai-glossary", NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ours = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    theirs = sorted(p.relative_to(real_site.site) for p in real_site.site.rglob("*") if p.is_file())
    assert ours == theirs
    generators = set()
    for rel in ours:
        a, b = (site / rel).read_bytes(), (real_site.site / rel).read_bytes()
        if rel.suffix == ".html":
            generators.update(m.group(0).strip() for m in _GENERATOR.finditer(a))
            a, b = _GENERATOR.sub(b"", a), _GENERATOR.sub(b"", b)
        assert a == b, f"{rel} differs beyond the generator tag"
    assert any(b"ProperDocs" in g for g in generators), generators
