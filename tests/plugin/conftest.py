"""Helpers for the plugin tests: entry factories and real ``mkdocs build`` runs into ``tmp_path``.

Builds run in-process (``mkdocs.commands.build.build``) so each costs only the build itself; the real
site is built once per session.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"


@dataclass
class BuildResult:
    ok: bool
    site: Path
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    glossary_warnings: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    """MkDocs's INFO lines (a link to a missing anchor is one of them by default)."""

    def html(self, url_path: str) -> str:
        path = self.site / url_path
        if url_path.endswith("/") or not url_path:
            path = path / "index.html"
        return path.read_text("utf-8")

    def search_index(self) -> dict[str, Any]:
        return json.loads((self.site / "search" / "search_index.json").read_text("utf-8"))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []
        self.glossary: list[str] = []
        self.infos: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.WARNING:
            self.infos.append(record.getMessage())
            return
        self.messages.append(record.getMessage())
        if record.name == "mkdocs.plugins.glossary":
            self.glossary.append(record.getMessage())


def mkdocs_build(project: Path, *, strict: bool = False, site: Path | None = None) -> BuildResult:
    """Build ``project/mkdocs.yml`` into ``site`` (default ``project/site``) and collect every warning."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    handler = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)  # INFO lines reach the handler too (the CLI shows them)
    site = site or project / "site"
    try:
        cfg = load_config(config_file=str(project / "mkdocs.yml"), strict=strict, site_dir=str(site))
        build(cfg)
    except (Abort, MkDocsException, SystemExit) as exc:
        return BuildResult(False, site, handler.messages, str(exc), handler.glossary, handler.infos)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return BuildResult(True, site, handler.messages, "", handler.glossary, handler.infos)


MINI_CONFIG = {
    "site_name": "Fixture",
    "repo_url": "https://example.org/repo/",
    "edit_uri": "edit/main/docs/",
    "theme": {"name": "material", "font": False, "features": ["content.tooltips", "navigation.instant"]},
    "plugins": ["search", "glossary"],
    "markdown_extensions": ["toc", "admonition", "attr_list"],
}


def make_project(
    tmp: Path,
    *,
    docs: dict[str, str] | None = None,
    entries: dict[str, dict[str, Any] | str] | None = None,
    config: dict[str, Any] | None = None,
) -> Path:
    """A small MkDocs project: the mini fixture glossary, plus or minus entries, and some docs pages.

    ``entries`` maps a slug to entry data (dumped as YAML), raw YAML text, or ``None`` to delete it.
    """
    project = tmp / "project"
    shutil.copytree(MINI, project / "glossary")
    for slug, data in (entries or {}).items():
        path = project / "glossary" / f"{slug}.yaml"
        if data is None:
            path.unlink()
        elif isinstance(data, str):
            path.write_text(textwrap.dedent(data), "utf-8")
        else:
            body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
            path.write_text("# yaml-language-server: $schema=schema.json\n" + body, "utf-8")
    (project / "docs").mkdir()
    pages = {"index.md": "# Home\n\nWelcome. Alpha term and beta are fixtures.\n"}
    pages.update(docs or {})
    for name, text in pages.items():
        (project / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (project / "docs" / name).write_text(textwrap.dedent(text), "utf-8")
    cfg = dict(MINI_CONFIG)
    cfg.update(config or {})
    (project / "mkdocs.yml").write_text(yaml.safe_dump(cfg, sort_keys=False), "utf-8")
    return project


def mini_entry(slug: str = "alpha-term", **changes: Any) -> dict[str, Any]:
    """The data of one mini fixture entry, with ``changes`` applied."""
    data: dict[str, Any] = yaml.safe_load((MINI / f"{slug}.yaml").read_text("utf-8"))
    data.update(changes)
    return data


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuildResult]:
    """The repository's own site, built strictly once per session, as published from a repository."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GLOSSARY_REPO_URL", "https://github.com/example/ai-glossary")
        yield mkdocs_build(ROOT, site=tmp_path_factory.mktemp("real") / "site", strict=True)
