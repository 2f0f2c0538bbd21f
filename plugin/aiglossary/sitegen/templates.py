"""One small renderer over a template folder that users can override, failing loudly on typos."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .render import md_text

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class TemplateRenderer:
    """Render ``*.md.j2`` templates; a folder given by the user is searched before the defaults.

    HTML autoescaping is on: every plain string is escaped, and only HTML that went through the
    sanitiser is passed in as :class:`markupsafe.Markup`.
    """

    def __init__(self, override: Path | str | None = None) -> None:
        folders = [str(override)] if override else []
        folders.append(str(DEFAULT_TEMPLATES))
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["md_text"] = lambda s: Markup(md_text(str(s)))

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)
