"""Page generation and term linking for the glossary site. No MkDocs import here."""

from .autolink import LinkResult, TermMatcher, name_forms
from .layout import RESERVED_SLUGS, Layout, relative_url
from .pages import BACKLINKS_MARKER, GeneratedPage, LearnIndex, SiteBuilder
from .render import MarkdownRenderer, plain_text, sanitize
from .templates import TemplateRenderer

__all__ = [
    "BACKLINKS_MARKER",
    "RESERVED_SLUGS",
    "GeneratedPage",
    "Layout",
    "LearnIndex",
    "LinkResult",
    "MarkdownRenderer",
    "SiteBuilder",
    "TemplateRenderer",
    "TermMatcher",
    "name_forms",
    "plain_text",
    "relative_url",
    "sanitize",
]
