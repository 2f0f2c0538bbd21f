"""Link mentions of glossary terms in rendered HTML.

One Aho-Corasick automaton is built per build over every name of every term (term, aliases, irregular
plurals from the entry and regular ``+s``/``+es``/``-ies`` plurals made here), so linking a page costs
one pass over its text whatever the number of terms.

Rules: whole words only; case-insensitive for ordinary words, exact case for abbreviations
("LLM", "ReLU"); leftmost-longest match; the first mention of a term per section (``h1``-``h3``
start a new section); never inside ``a``, ``code``, ``pre``, ``kbd``, headings, scripts and the like,
nor inside a tag's attribute values or a bare URL; never a link to the page's own term.

Names are matched as HTML text writes them ("R&D" as ``R&amp;D``). The HTML is read the way a browser
tokenises it where that matters: quoted attribute values may hold ``>``; the content of raw-text
elements (``script``, ``style``, ``iframe``, ``xmp``, ``noscript``...) is skipped whole up to its end
tag, whatever ``<`` it holds; ``<a/>`` opens an ``a`` (HTML ignores the slash on its own elements).
"""

from __future__ import annotations

import functools
import html as htmllib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import ahocorasick

from ..model import Entry
from ..text import is_abbreviation, regular_plurals

# Elements whose content the browser does not parse as markup: skipped whole, up to their end tag.
RAW_TEXT_TAGS = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext"}
)
SKIP_TAGS = frozenset(
    {"a", "code", "pre", "kbd", "samp", "button", "select", "svg", "math", "object", "template"}
    | {f"h{i}" for i in range(1, 7)}
    | RAW_TEXT_TAGS
)
# Foreign elements honour a self-closing slash; HTML's own elements ignore it (<a/> opens an a).
_SELF_CLOSING_OK = frozenset({"svg", "math"})
SECTION_TAGS = frozenset({"h1", "h2", "h3"})
VOID_TAGS = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "source", "area", "col", "embed"})

# A comment, a tag (group 1: "/" when closing, group 2: its name) or any other markup. Quoted
# attribute values may hold ">"; possessive quantifiers keep a tag without its end linear.
_TOKEN = re.compile(
    r"""<!--.*?-->|<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)(?:[^>"']++|"[^"]*+"|'[^']*+')*+>|<[^>]*>""", re.DOTALL
)
# Text that is a bare URL or address: no term is linked inside it.
_URL = re.compile(r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.)[^\s<>\"']*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Generated pages wrap lists of summaries in these so they are not linked; the markers are removed.
NOLINK_START = "<!--glossary-nolink-->"
NOLINK_END = "<!--/glossary-nolink-->"
# What link_html writes for a mention (text is plain text, never markup), and how to undo it. The
# preview attributes are ``data-glossary-*`` ones (see SiteBuilder.preview_attrs), never a ``title``.
_AUTOLINK_FORMAT = '<a class="glossary-term" href="{href}"{preview}>{text}</a>'
_AUTOLINK = re.compile(r'<a class="glossary-term" href="[^"<>]*"(?: data-glossary-[a-z]+="[^"<>]*")*>([^<]*)</a>')


@functools.cache
def _end_tag(name: str) -> re.Pattern[str]:
    return re.compile(rf"</\s*{name}(?:[\s/][^>]*)?>", re.IGNORECASE)


def unlink(html: str) -> str:
    """``html`` without the links that :meth:`TermMatcher.link_html` added (their text stays)."""
    return _AUTOLINK.sub(r"\1", html) if 'class="glossary-term"' in html else html


def name_forms(entry: Entry) -> list[str]:
    """Every form a mention of ``entry`` may take."""
    forms: list[str] = []
    for name in (entry.term, *entry.aliases):
        forms.append(name)
        forms.extend(regular_plurals(name))
    forms.extend(entry.plural)
    seen: set[str] = set()
    out = []
    for form in forms:
        form = " ".join(form.split())
        if form and form not in seen:
            seen.add(form)
            out.append(form)
    return out


def _fold(text: str) -> str:
    """Lower-case ``text`` keeping every character at its offset."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


@dataclass
class LinkResult:
    html: str
    linked: set[str] = field(default_factory=set)


class TermMatcher:
    """Find and link term mentions. Build once per site build with :meth:`from_entries`."""

    def __init__(self, names: Mapping[str, Iterable[str]]) -> None:
        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[tuple[str, str | None, int]]] = {}
        for slug, forms in names.items():
            for name in forms:
                form = htmllib.escape(name, quote=False)  # as HTML text writes it: R&amp;D, &lt;T&gt;
                key = _fold(form)
                exact = form if is_abbreviation(name) else None
                bucket = table.setdefault(key, [])
                if all(s != slug or e != exact for s, e, _ in bucket):
                    bucket.append((slug, exact, len(key)))
        for key, value in table.items():
            self._automaton.add_word(key, value)
        self.size = len(table)
        if table:
            self._automaton.make_automaton()

    @classmethod
    def from_entries(cls, entries: Mapping[str, Entry], exclude: Iterable[str] = ()) -> TermMatcher:
        skip = set(exclude)
        return cls({slug: name_forms(e) for slug, e in entries.items() if slug not in skip})

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping mentions in HTML text as ``(start, end, slug)``, leftmost-longest first.

        ``text`` is text between tags (entities as written); mentions inside a bare URL are skipped.
        """
        if not self.size or not text:
            return []
        urls = [m.span() for m in _URL.finditer(text)] if ("://" in text or "www." in text or "@" in text) else []
        folded = _fold(text)
        found: list[tuple[int, int, int, str]] = []
        n = len(text)
        for end, bucket in self._automaton.iter(folded):
            for slug, exact, length in bucket:
                start = end - length + 1
                stop = end + 1
                if exact is not None and text[start:stop] != exact:
                    continue
                if start > 0 and (_is_word_char(text[start - 1]) or text[start - 1] in "&#"):
                    continue
                if stop < n and _is_word_char(text[stop]):
                    continue
                if urls and any(a < stop and start < b for a, b in urls):
                    continue
                found.append((start, -length, stop, slug))
                break
        found.sort()
        out: list[tuple[int, int, str]] = []
        pos = 0
        for start, _neg, stop, slug in found:
            if start >= pos:
                out.append((start, stop, slug))
                pos = stop
        return out

    def link_html(
        self,
        html: str,
        *,
        href: Callable[[str], str],
        preview: Callable[[str], str],
        own: str | None = None,
    ) -> LinkResult:
        """Link the first mention per section of each term in an HTML fragment or page body.

        ``href(slug)`` returns the already-escaped ``href`` value; ``preview(slug)`` the already-escaped
        ``data-glossary-*`` attributes of the term's preview, each after a space (or ``""``).
        """
        result = LinkResult(html)
        if not self.size:
            return result
        # Untouched stretches of the page are copied in one slice each: only a text chunk that gains a
        # link, and the no-link markers (dropped), break the page into pieces.
        out: list[str] = []
        depth: dict[str, int] = {}
        skipping = 0
        seen: set[str] = set()
        linked: set[str] = set()
        pos = 0  # end of the last token
        last = 0  # html[last:] is not in out yet
        while True:
            token = _TOKEN.search(html, pos)
            if token is None:
                break
            start = token.start()
            if start > pos and not skipping:
                chunk = html[pos:start]
                if not chunk.isspace():
                    done = self._link_text(chunk, href, preview, own, seen, linked)
                    if done is not chunk:
                        out += (html[last:pos], done)
                        last = start
            pos = token.end()
            name = token.group(2)
            if name is None:
                tag = token.group(0)
                if tag in (NOLINK_START, NOLINK_END):
                    out.append(html[last:start])
                    last = pos
                    skipping = skipping + 1 if tag == NOLINK_START else max(skipping - 1, 0)
                continue
            name = name.lower()
            closing = token.group(1) == "/"
            if name in RAW_TEXT_TAGS and not closing:
                # Its content is text to the browser, whatever '<' it holds: jump past the end tag.
                end = _end_tag(name).search(html, pos)
                pos = end.end() if end else len(html)
                continue
            if name in SKIP_TAGS:
                if closing:
                    if depth.get(name, 0) > 0:
                        depth[name] -= 1
                        skipping -= 1
                elif not (name in _SELF_CLOSING_OK and token.group(0).endswith("/>")):
                    depth[name] = depth.get(name, 0) + 1
                    skipping += 1
            if name in SECTION_TAGS and not closing:
                seen.clear()
        if pos < len(html) and not skipping:
            tail = html[pos:]
            done = self._link_text(tail, href, preview, own, seen, linked)
            if done is not tail:
                out += (html[last:pos], done)
                last = len(html)
        out.append(html[last:])
        result.html = "".join(out)
        result.linked = linked
        return result

    def _link_text(
        self,
        text: str,
        href: Callable[[str], str],
        preview: Callable[[str], str],
        own: str | None,
        seen: set[str],
        linked: set[str],
    ) -> str:
        matches = self.find(text)
        if not matches:
            return text
        parts: list[str] = []
        pos = 0
        for start, stop, slug in matches:
            if slug == own or slug in seen:
                continue
            seen.add(slug)
            linked.add(slug)
            parts.append(text[pos:start])
            parts.append(_AUTOLINK_FORMAT.format(href=href(slug), preview=preview(slug), text=text[start:stop]))
            pos = stop
        if not parts:
            return text
        parts.append(text[pos:])
        return "".join(parts)
