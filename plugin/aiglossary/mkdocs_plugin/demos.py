"""MkDocs side of the live demos: check the committed artifacts, ship the widget script and ORT files.

Kept apart from ``plugin.py``, which calls these three hooks; the work itself is in
:mod:`aiglossary.sitegen.demos` (no MkDocs import there).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from ..sitegen.demos import DEMO_IDS, MANIFEST, ORT_FILES, Demo, DemoError, DemoRenderer, load_ask, load_demos
from ..sitegen.templates import TemplateRenderer

log = logging.getLogger("mkdocs.plugins.glossary")

ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEMO_JS = "assets/glossary/glossary-demos.js"
ASK_JS = "assets/glossary/glossary-ask.js"
ORT_DIR = "assets/glossary/ort"
ORT_DIST = Path("node_modules") / "onnxruntime-web" / "dist"
SLOT_RE = re.compile(r'<div class="glossary-demo" data-demo="([^"<>]*)"></div>')


class DemoHooks:
    def __init__(self) -> None:
        self.renderer: DemoRenderer | None = None
        self.ask: Demo | None = None  # docs/demos/ask/, the Ask box's model and index
        self.base = Path.cwd()

    def on_config(self, config: Any, templates_dir: Path | None) -> None:
        """Load and check ``docs/demos/*/``: a file whose sha256 differs from its manifest fails the build."""
        self.base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        try:
            demos = load_demos(Path(config.docs_dir))
            self.renderer = DemoRenderer(demos, TemplateRenderer(templates_dir)) if demos else None
            self.ask = load_ask(Path(config.docs_dir))
        except DemoError as exc:
            raise PluginError(f"glossary: demo artifacts: {exc}") from None
        if demos and DEMO_JS not in [str(x) for x in config.extra_javascript]:
            config.extra_javascript.append(DEMO_JS)
        # On every page, not only the index: instant navigation keeps the scripts of the first page.
        if self.ask is not None and ASK_JS not in [str(x) for x in config.extra_javascript]:
            config.extra_javascript.append(ASK_JS)

    def on_files(self, files: Files, config: Any) -> None:
        """The widget script (always: ``mkdocs.yml`` lists it) and, when there are demos, ORT's wasm files."""
        files.append(File.generated(config, DEMO_JS, abs_src_path=str(ASSETS / "glossary-demos.js")))
        if self.ask is not None:
            files.append(File.generated(config, ASK_JS, abs_src_path=str(ASSETS / "glossary-ask.js")))
        if self.renderer is None and self.ask is None:
            return
        dist = self.base / ORT_DIST
        missing = [name for name in ORT_FILES if not (dist / name).is_file()]
        if missing:
            log.warning(
                f"glossary: {dist} lacks {', '.join(missing)}: the live demos cannot run; "
                "run `npm ci` (onnxruntime-web is pinned in package.json)"
                if self.renderer is not None
                else f"glossary: {dist} lacks {', '.join(missing)}: the Ask box cannot run; run `npm ci`"
            )
            return
        for name in ORT_FILES:
            files.append(File.generated(config, f"{ORT_DIR}/{name}", abs_src_path=str(dist / name)))

    def on_page_content(self, html: str, page_url: str) -> str:
        if 'class="glossary-demo"' not in html:
            return html
        built = self.renderer.demos if self.renderer is not None else {}
        for demo_id in sorted(set(SLOT_RE.findall(html)) - set(built)):
            where = f"glossary: {page_url or 'index'}: demo '{demo_id}'"
            if demo_id in DEMO_IDS:  # one the engine builds, not built in this docs folder (test sites)
                log.info(f"{where} is not built here (no demos/{demo_id}/{MANIFEST}): the page shows no results")
                continue
            # A warning, so `mkdocs build --strict` fails: the page promises a demo nothing can build.
            log.warning(
                f"{where} has no built artifacts and is not a demo the engine builds "
                f"(no demos/{demo_id}/{MANIFEST}; demos: {', '.join(DEMO_IDS)}); fix the entry's 'demo' field"
            )
        if self.renderer is None:
            return html
        try:
            return self.renderer.inject(html, page_url)
        except DemoError as exc:
            raise PluginError(f"glossary: demo artifacts: {exc}") from None
