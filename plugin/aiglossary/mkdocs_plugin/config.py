"""Options of the ``glossary`` plugin in ``mkdocs.yml``, validated by MkDocs (errors name the option)."""

from __future__ import annotations

import re

from mkdocs.config import base
from mkdocs.config import config_options as c

from ..sitegen.layout import RESERVED_SLUGS


class _Prefix(c.Type):
    """A URL path below the site root such as ``glossary`` or ``reference/terms``."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        text = str(super().run_validation(value)).strip().strip("/")
        if not re.fullmatch(r"[a-z0-9_-]+(?:/[a-z0-9_-]+)*", text):
            raise base.ValidationError(
                f"must be a relative URL path of lowercase words, e.g. 'glossary', got {value!r}"
            )
        return text


class _Slugs(c.ListOfItems):
    def __init__(self) -> None:
        super().__init__(c.Type(str), default=[])


class AutolinkConfig(base.Config):
    """Automatic links from term mentions to term pages."""

    enabled = c.Type(bool, default=True)
    """Link mentions of terms, aliases and plurals in every page."""
    exclude_pages = c.ListOfItems(c.Type(str), default=[])
    """Glob patterns of docs pages (``src`` paths such as ``changelog.md`` or ``blog/*``) never autolinked."""
    exclude_terms = _Slugs()
    """Slugs whose mentions are never linked automatically (explicit ``glossary:`` links still work)."""


class GlossaryConfig(base.Config):
    """The ``glossary`` plugin's options."""

    enabled = c.Type(bool, default=True)
    """Turn the whole plugin off (for example for a quick docs-only build)."""
    glossary_dir = c.Type(str, default="glossary")
    """Folder of YAML entries, relative to ``mkdocs.yml``."""
    url_prefix = _Prefix("glossary")
    """Where term pages live in the site: ``<url_prefix>/<slug>/``."""
    autolink = c.SubConfig(AutolinkConfig)
    strict = c.Type(bool, default=False)
    """Fail the build on any glossary error, even without ``mkdocs build --strict``."""
    templates_dir = c.Optional(c.Type(str))
    """A folder of templates (``term.md.j2`` ...) searched before the built-in ones, relative to ``mkdocs.yml``."""
    edit_uri = c.Optional(c.Type(str))
    """Edit link base for entry files; default: derived from the site's ``edit_uri`` and ``glossary_dir``."""


__all__ = ["RESERVED_SLUGS", "AutolinkConfig", "GlossaryConfig"]
