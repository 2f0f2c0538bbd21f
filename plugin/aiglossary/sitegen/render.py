"""Entry Markdown to safe HTML.

Entry text is untrusted author input. The loader already rejects raw HTML and unsafe link schemes;
this module is the second line of defence: Markdown is rendered with the ``markdown`` library, then
every fragment goes through ``nh3`` with a small allowlist, so ``<script>``, ``on*=`` handlers,
``title`` attributes and ``javascript:`` links cannot survive whatever the loader let through.
"""

from __future__ import annotations

import html
import re

import markdown
import nh3

from ..export import plain

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "hr",
    "i",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "ul",
}
# No ``title``: Material's content.tooltips shows a title as HTML, and Markdown decodes entities in
# a link title (``[x](url "&lt;img ...&gt;")`` gives a title holding ``<img ...>``). The only titles
# on the site are the term previews, made from plain text with no '<' left in it.
# "*" empties nh3's generic attributes, which otherwise keep lang and title on every tag.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "*": set()}
URL_SCHEMES = {"http", "https", "mailto"}

_TAG = re.compile(r"<[^>]*>?")
_SINGLE_P = re.compile(r"\A<p>(.*)</p>\Z", re.DOTALL)
# Characters Python-Markdown treats as syntax in inline text.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def sanitize(fragment: str) -> str:
    """Clean an HTML fragment down to the allowlist; dangerous content becomes inert or goes."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )


class MarkdownRenderer:
    """Render entry Markdown fields to sanitised HTML, reusing one Markdown instance.

    Results are cached by text, so a rebuild during ``mkdocs serve`` only renders what changed.
    """

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
        self._cache: dict[tuple[str, bool], str] = {}

    def block(self, text: str) -> str:
        """Markdown with paragraphs and lists, as HTML block content."""
        return self._render(text, inline=False)

    def inline(self, text: str) -> str:
        """One paragraph of Markdown without its ``<p>`` wrapper, for list items and table cells."""
        return self._render(text, inline=True)

    def _render(self, text: str, *, inline: bool) -> str:
        key = (text, inline)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        out = _plain_paragraphs(text)
        if out is None:
            self._md.reset()
            out = sanitize(self._md.convert(text)).strip()
        if inline:
            single = _SINGLE_P.match(out)
            if single and "<p>" not in single.group(1):
                out = single.group(1)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[key] = out
        return out


# A line that Markdown would leave as it is: no syntax character anywhere, nothing special at its
# start (list, quote, heading, code indent, numbered item) or its end (hard break).
_PLAIN_LINE = re.compile(r"[A-Za-z\"'(][^`*_\[\]<>&!#|~\\\n\t]*(?<! )")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _plain_paragraphs(text: str) -> str | None:
    """The HTML of Markdown made only of plain paragraphs, without running Markdown; else None.

    Most entry text is plain prose; skipping the Markdown pipeline for it is what keeps page
    generation cheap at 10,000 terms. The output equals the full path's (a test checks it).
    """
    if text != text.strip():
        return None
    paragraphs = []
    for para in _PARAGRAPH_BREAK.split(text):
        lines = para.split("\n")
        if not all(_PLAIN_LINE.fullmatch(line) for line in lines):
            return None
        paragraphs.append("<p>" + "\n".join(lines) + "</p>")
    return "\n".join(paragraphs)


def plain_text(text: str) -> str:
    """Markdown to plain text (for ``title`` attributes and JSON), without any markup."""
    return " ".join(_TAG.sub("", plain(text)).split())


def attr(text: str) -> str:
    """Escape text for a double-quoted HTML attribute."""
    return html.escape(text, quote=True)


def md_text(text: str) -> str:
    """Escape plain text for use inside Markdown (a heading): no HTML, no Markdown syntax."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))
