"""Generate the glossary's pages as Markdown documents, without importing MkDocs.

Section headings are Markdown ``##`` headings (so the table of contents and search see them); section
bodies are HTML blocks made only of sanitised entry HTML and escaped plain text.
"""

from __future__ import annotations

import html
import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..export import to_json
from ..graph import LINK_KINDS, LearnIndex, Link, links
from ..loader import KnowledgeBase
from ..model import RelationKind
from .cards import KINDS, Card, cards_json, entry_cards
from .layout import Layout
from .localgraph import graph_data, legend_html, local_graph_svg, local_groups
from .render import MarkdownRenderer, attr, plain_text
from .templates import TemplateRenderer

DIFFICULTY_LABELS = {"beginner": "Beginner", "intermediate": "Intermediate", "advanced": "Advanced"}
RELATION_GROUPS = [
    (RelationKind.prerequisite, "Learn first"),
    (RelationKind.next_step, "Learn next"),
    (RelationKind.broader, "Broader terms"),
    (RelationKind.narrower, "Narrower terms"),
    (RelationKind.contrast, "Often contrasted with"),
    (RelationKind.see_also, "See also"),
]
BACKLINKS_MARKER = '<div class="glossary-backlinks" data-glossary-backlinks="{slug}"></div>'
# Heading ids of the sections the "Curious about more?" block points at (MkDocs' default toc slugs).
ANCHORS = {
    "misconceptions": "common-misconceptions",
    "phrases": "how-people-say-it",
    "learn_next": "related-terms",
}
SEARCH_BOOST = 3
# "Test yourself" shows this many cards; the others wait behind "N more questions".
CARDS_SHOWN = 5
# The graph page's script (loaded by that page only; the plugin ships it with the other assets).
GRAPH_SCRIPT = "assets/glossary/glossary-graph.js"


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    markdown: str
    kind: str  # term | index | category | learning-path | graph | practice
    slug: str | None = None
    title: str = ""  # plain text; the plugin hands it to MkDocs escaped
    blocks: dict[str, str] = field(default_factory=dict)  # token -> HTML (when stashed)

    def expanded(self) -> str:
        """The Markdown with every stashed HTML block back in place."""
        return HtmlStash.restore(self.markdown, self.blocks)

    def restore_html(self, html: str) -> str:
        """Put the stashed blocks into the HTML that Markdown made of :attr:`markdown`."""
        return HtmlStash.restore(html, self.blocks, paragraph=True)


class HtmlStash:
    """The ``html()`` call block of the templates: keeps HTML out of the Markdown pipeline.

    With ``enabled`` each block becomes a token on its own line (a one-word paragraph once converted)
    and is put back afterwards: Markdown never parses HTML that it would only pass through, which is
    a large part of the cost of a page. Disabled, the blocks stay inline (plain Markdown with HTML).
    """

    _nonce = secrets.token_hex(4).upper()

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.blocks: dict[str, str] = {}

    def __call__(self, caller: Callable[[], str]) -> Markup:
        content = str(caller()).strip()
        if not self.enabled:
            return Markup(content)
        token = f"GLOSSARYHTML{self._nonce}X{len(self.blocks):04d}"
        self.blocks[token] = content
        return Markup(token)

    @staticmethod
    def restore(text: str, blocks: dict[str, str], *, paragraph: bool = False) -> str:
        for token, content in blocks.items():
            if paragraph and f"<p>{token}</p>" in text:
                text = text.replace(f"<p>{token}</p>", content, 1)
            else:
                text = text.replace(token, content, 1)
        return text


class SiteBuilder:
    """Everything the site shows about one knowledge base."""

    def __init__(
        self,
        kb: KnowledgeBase,
        layout: Layout | None = None,
        *,
        templates: TemplateRenderer | None = None,
        markdown: MarkdownRenderer | None = None,
        edit_url: Callable[[str], str | None] | None = None,
        suggest_url: Callable[[str], str | None] | None = None,
        stash: bool = False,
    ) -> None:
        self.kb = kb
        self.layout = layout or Layout()
        self.templates = templates or TemplateRenderer()
        self.md = markdown or MarkdownRenderer()
        self.edit_url = edit_url or (lambda slug: None)
        # "Suggest an improvement": a new issue about the term, when the site names its repository.
        self.suggest_url = suggest_url or (lambda slug: None)
        self.stash = stash
        self.entries = kb.entries
        self.learn = LearnIndex(self.entries)
        self._cards: dict[str, list[Card]] = {}
        self._previews = {
            slug: (
                f' data-glossary-name="{attr(e.term)}" data-glossary-level="{e.difficulty.value}"'
                f' data-glossary-summary="{attr(plain_text(e.summary))}"'
            )
            for slug, e in self.entries.items()
        }
        self.links = links(self.entries)
        self._links_of: dict[str, list[Link]] = defaultdict(list)  # each term's links, for its local graph
        for link in self.links:
            self._links_of[link.source].append(link)
            self._links_of[link.target].append(link)
        self._path_rank = {s: i for i, s in enumerate(self.learn.path)}

    # -- helpers -----------------------------------------------------------------------------------

    def preview_attrs(self, slug: str) -> str:
        """The escaped attributes a link to ``slug`` carries for its preview (``assets/glossary-preview.js``).

        The term, its difficulty and its plain summary, each after a space; ``""`` for an unknown slug.
        They are ``data-`` attributes, not a ``title``: the preview script shows them as text, and
        Material's own tooltip (which reads ``title``) stays away from term links.
        """
        return self._previews.get(slug, "")

    def term_link(self, from_src: str, slug: str, *, css: str = "glossary-term") -> Markup:
        entry = self.entries.get(slug)
        if entry is None:
            return Markup('<span class="glossary-missing">{}</span>').format(slug)
        href = self.layout.relative(from_src, self.layout.term(slug))
        return Markup('<a class="{}" href="{}"{}>{}</a>').format(
            css, href, Markup(self.preview_attrs(slug)), entry.term
        )

    def _term_item(self, from_src: str, slug: str) -> dict[str, Any]:
        entry = self.entries[slug]
        return {
            "slug": slug,
            "term": entry.term,
            "link": self.term_link(from_src, slug),
            "url": self.layout.relative(from_src, self.layout.term(slug)),
            "summary": Markup(self.md.inline(entry.summary)),
            "difficulty": entry.difficulty.value,
            "difficulty_label": DIFFICULTY_LABELS[entry.difficulty.value],
            "categories": " ".join(entry.categories),
        }

    def _render(
        self, template: str, src: str, kind: str, page_slug: str | None, title: str, /, **context: Any
    ) -> GeneratedPage:
        stash = HtmlStash(self.stash)
        markdown = self.templates.render(template, html=stash, **context)
        return GeneratedPage(src, markdown, kind, page_slug, title, stash.blocks)

    def _front_matter(self, meta: dict[str, Any]) -> Markup:
        # JSON is valid YAML: every value is quoted safely whatever the author wrote.
        return Markup("\n".join(f"{key}: {json.dumps(value)}" for key, value in meta.items()))

    # -- pages -------------------------------------------------------------------------------------

    def pages(self) -> list[GeneratedPage]:
        out = [self.index_page(), self.learning_path_page(), self.graph_page(), self.practice_page()]
        out.extend(self.category_page(cid) for cid in self.kb.categories)
        out.extend(self.term_page(slug) for slug in sorted(self.entries))
        return out

    def term_page(self, slug: str) -> GeneratedPage:
        entry = self.entries[slug]
        src = self.layout.term(slug)
        md = self.md
        file = self.kb.files.get(slug)
        categories = [
            {
                "id": cid,
                "title": self.kb.categories[cid].title if cid in self.kb.categories else cid,
                "url": self.layout.relative(src, self.layout.category(cid)) if cid in self.kb.categories else None,
            }
            for cid in entry.categories
        ]
        other = entry.comparison.with_
        sources = {s.id: s for s in entry.sources}
        # One "Related terms" section: what to learn first and next (from every prerequisite and
        # next-step relation that involves this term, in learning-path order), then the entry's
        # other relations. A term is listed once, with this entry's note where it has one.
        notes = {
            rel.term: Markup(md.inline(rel.note))
            for rel in entry.related
            if rel.term in self.entries and rel.term != slug
        }
        learn_before = [self._term_item(src, s) | {"note": notes.get(s)} for s in self.learn.prerequisites(slug)]
        learn_after = [self._term_item(src, s) | {"note": notes.get(s)} for s in self.learn.next_steps(slug)]
        listed = {t["slug"] for t in learn_before} | {t["slug"] for t in learn_after}
        groups = []
        for kind, heading in RELATION_GROUPS:
            items = [
                {"link": self.term_link(src, rel.term), "note": notes[rel.term]}
                for rel in entry.related
                if rel.relation is kind and rel.term in notes and rel.term not in listed
            ]
            listed.update(rel.term for rel in entry.related if rel.relation is kind)
            if items:
                groups.append({"kind": kind.value, "heading": heading, "items": items})
        context = {
            "slug": slug,
            "entry": entry,
            "term": entry.term,
            "front_matter": self._front_matter(
                {
                    "search": {"boost": SEARCH_BOOST},
                    # Material's search weighs page tags highest (and shows them only with its tags
                    # plugin): aliases and plurals as tags make "LLM" land on its term first.
                    # Escaped: Material's search results insert tags as HTML.
                    "tags": [html.escape(name) for name in (*entry.aliases, *entry.plural)],
                    # Escaped: themes print page.meta values into attributes as they are (Material's
                    # <meta name="description" content="...">), so a quote would end the attribute.
                    "description": attr(plain_text(entry.summary)),
                    "glossary_term": slug,
                }
            ),
            "categories": categories,
            "difficulty": entry.difficulty.value,
            "difficulty_label": DIFFICULTY_LABELS[entry.difficulty.value],
            "aliases": entry.aliases,
            "summary": Markup(md.inline(entry.summary)),
            "definition": Markup(md.block(entry.definition)),
            "explanation": Markup(md.block(entry.explanation)),
            "analogy": Markup(md.block(entry.analogy)),
            "examples": [
                {"domain": ex.domain, "title": ex.title, "text": Markup(md.inline(ex.text))} for ex in entry.examples
            ],
            "comparison": {
                "other": self.term_link(src, other) if other in self.entries else other,
                "other_term": self.entries[other].term if other in self.entries else other,
                "rows": [
                    {"aspect": r.aspect, "this": Markup(md.inline(r.this)), "other": Markup(md.inline(r.other))}
                    for r in entry.comparison.rows
                ],
            },
            "why_it_matters": Markup(md.block(entry.why_it_matters)),
            "where_used": [
                {
                    "name": use.name,
                    "text": Markup(md.inline(use.text)),
                    "source": sources.get(use.source) if use.source else None,
                }
                for use in entry.where_used
            ],
            "misconceptions": [
                {"myth": Markup(md.inline(m.myth)), "reality": Markup(md.inline(m.reality))}
                for m in entry.misconceptions
            ],
            "phrases": [Markup(md.inline(p)) for p in entry.phrases],
            "related_groups": groups,
            "local_graph": self.local_graph(src, slug),
            "learn_before": learn_before,
            "learn_after": learn_after,
            "backlinks_marker": Markup(BACKLINKS_MARKER.format(slug=slug)),
            "anchors": ANCHORS,
            "sources": entry.sources,
            "demo": entry.demo,
            "edit_url": self.edit_url(slug),
            "suggest_url": self.suggest_url(slug),
            "source_file": file.display if file else f"{slug}.yaml",
            "index_url": self.layout.relative(src, self.layout.index),
            "cards": self._card_items(src, slug),
            "practice_url": self.layout.relative(src, self.layout.practice),
            "cards_shown": CARDS_SHOWN,
        }
        return self._render("term.md.j2", src, "term", slug, entry.term, **context)

    # -- self-check cards --------------------------------------------------------------------------

    def cards(self, slug: str) -> list[Card]:
        """The self-check cards of one entry (see :mod:`aiglossary.sitegen.cards`), computed once."""
        if slug not in self._cards:
            self._cards[slug] = entry_cards(slug, self.entries[slug], self.entries)
        return self._cards[slug]

    def _card_items(self, src: str, slug: str) -> list[dict[str, Any]]:
        md = self.md
        return [
            {
                "id": c.id,
                "kind": c.kind,
                "question": c.question,
                "statement": Markup(md.inline(c.statement)) if c.statement else "",
                "prompt": c.prompt,
                "options": c.options,
                "answer": c.answer,
                "verdict": c.verdict,
                "explanation": [(label, Markup(md.inline(body))) for label, body in c.explanation],
            }
            # Kinds take turns (first myth, first order, first column, second myth...), so the
            # questions shown before "More questions" have some of each.
            for c in sorted(self.cards(slug), key=lambda c: (c.index, list(KINDS).index(c.kind)))
        ]

    def practice_page(self) -> GeneratedPage:
        src = self.layout.practice
        count = sum(len(self.cards(slug)) for slug in self.entries)
        return self._render(
            "practice.md.j2",
            src,
            "practice",
            None,
            "Practice",
            front_matter=self._front_matter({"title": "Practice", "glossary_page": "practice"}),
            cards_url=relative_to_page(self.layout, src, self.layout.cards_json),
            count=count,
            terms=len(self.entries),
            categories=self._category_items(src),
            difficulties=list(DIFFICULTY_LABELS.items()),
            index_url=self.layout.relative(src, self.layout.index),
        )

    def practice_json(self) -> str:
        """Every card of the glossary for the practice page (compact JSON; term URLs relative to it)."""
        src = self.layout.practice
        return cards_json(
            self.entries,
            {slug: self.cards(slug) for slug in sorted(self.entries)},
            inline=self.md.inline,
            url=lambda slug: self.layout.relative(src, self.layout.term(slug)),
        )

    def local_graph(self, src: str, slug: str) -> Markup:
        """The term and its direct relations as a static SVG (empty when it has none)."""
        groups = local_groups(slug, self._links_of.get(slug, []), self._path_rank)
        shown = {s for g in groups for s in g.slugs}
        return local_graph_svg(
            slug,
            self.entries[slug].term,
            groups,
            {s: self.entries[s].term for s in shown},
            {s: self.layout.relative(src, self.layout.term(s)) for s in shown},
        )

    def index_page(self) -> GeneratedPage:
        src = self.layout.index
        letters: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for slug, entry in self.kb.sorted_entries():
            first = entry.term[:1].upper()
            letters[first if first.isalpha() else "#"].append(self._term_item(src, slug))
        return self._render(
            "index.md.j2",
            src,
            "index",
            None,
            "Glossary",
            front_matter=self._front_matter({"title": "Glossary", "glossary_page": "index"}),
            letters=sorted(letters.items(), key=lambda kv: (kv[0] == "#", kv[0])),
            count=len(self.entries),
            categories=self._category_items(src),
            difficulties=list(DIFFICULTY_LABELS.items()),
            learning_path_url=self.layout.relative(src, self.layout.learning_path),
            graph_url=self.layout.relative(src, self.layout.graph),
            json_url=relative_to_page(self.layout, src, self.layout.json),
            practice_url=self.layout.relative(src, self.layout.practice),
        )

    def _category_items(self, src: str) -> list[dict[str, Any]]:
        counts: dict[str, int] = defaultdict(int)
        for entry in self.entries.values():
            for cid in entry.categories:
                counts[cid] += 1
        return [
            {
                "id": cid,
                "title": cat.title,
                "description": cat.description,
                "count": counts[cid],
                "url": self.layout.relative(src, self.layout.category(cid)),
            }
            for cid, cat in self.kb.categories.items()
        ]

    def category_page(self, cid: str) -> GeneratedPage:
        src = self.layout.category(cid)
        cat = self.kb.categories[cid]
        members = [slug for slug, e in self.kb.sorted_entries() if cid in e.categories]
        members.sort(key=lambda s: self.entries[s].difficulty.rank)
        return self._render(
            "category.md.j2",
            src,
            "category",
            cid,
            cat.title,
            front_matter=self._front_matter({"glossary_page": "category", "glossary_category": cid}),
            category=cat,
            cid=cid,
            terms=[self._term_item(src, s) for s in members],
            index_url=self.layout.relative(src, self.layout.index),
        )

    def learning_path_page(self) -> GeneratedPage:
        src = self.layout.learning_path
        steps = []
        for slug in self.learn.path:
            item = self._term_item(src, slug)
            item["after"] = [self.term_link(src, s) for s in self.learn.prerequisites(slug)]
            steps.append(item)
        return self._render(
            "learning-path.md.j2",
            src,
            "learning-path",
            None,
            "Learning path",
            front_matter=self._front_matter({"title": "Learning path", "glossary_page": "learning-path"}),
            steps=steps,
            index_url=self.layout.relative(src, self.layout.index),
        )

    def graph_page(self) -> GeneratedPage:
        src = self.layout.graph
        return self._render(
            "graph.md.j2",
            src,
            "graph",
            None,
            "Term graph",
            # No table of contents (the page has no sections): the graph gets its width.
            front_matter=self._front_matter({"title": "Term graph", "glossary_page": "graph", "hide": ["toc"]}),
            json_url=relative_to_page(self.layout, src, self.layout.json),
            data_url=relative_to_page(self.layout, src, self.layout.graph_json),
            script_url=relative_to_page(self.layout, src, GRAPH_SCRIPT),
            root_url=relative_to_page(self.layout, src, ""),
            index_url=self.layout.relative(src, self.layout.index),
            legend=legend_html(list(LINK_KINDS)),
            example_term=self._best_connected(),
            categories=self._category_items(src),
            difficulties=list(DIFFICULTY_LABELS.items()),
            count=len(self.entries),
        )

    def _best_connected(self) -> str:
        """The name of the term with the most links (the graph page's example)."""
        degree: dict[str, int] = defaultdict(int)
        for link in self.links:
            degree[link.source] += 1
            degree[link.target] += 1
        if not self.entries:
            return ""
        return self.entries[max(sorted(self.entries), key=lambda s: degree[s])].term

    def graph_json(self) -> str:
        """The graph page's data (URLs relative to the site root)."""
        data = graph_data(
            self.entries,
            self.links,
            {s: self.layout.url(self.layout.term(s)) for s in self.entries},
            {s: plain_text(e.summary) for s, e in self.entries.items()},
            [(cid, cat.title) for cid, cat in self.kb.categories.items()],
        )
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    # -- data and late parts -----------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """The knowledge-base export, with each term's URL as this site serves it."""
        data = to_json(self.kb, url_prefix=self.layout.prefix)
        for item in data["terms"]:
            item["url"] = self.layout.url(self.layout.term(item["slug"]))
            item["summary_text"] = plain_text(item["summary"])
        return data

    def export_json(self) -> str:
        return json.dumps(self.export(), ensure_ascii=False, separators=(",", ":"))

    def related_slugs(self, slug: str) -> set[str]:
        """The terms a term page already lists under "Related terms"."""
        entry = self.entries[slug]
        shown = set(self.learn.prerequisites(slug)) | set(self.learn.next_steps(slug))
        return shown | {rel.term for rel in entry.related if rel.term in self.entries and rel.term != slug}

    def backlinks_html(self, slug: str, items: Iterable[tuple[str, str, str, str | None]]) -> str:
        """ "Referenced by" for ``slug`` from ``(title, href, kind, term slug)`` items (``kind``: term or page).

        Terms come first as one compact line, other pages on a line of their own; terms already
        listed under "Related terms" are not repeated.
        """
        related = self.related_slugs(slug)
        items = list(items)
        terms = [(t, h) for t, h, kind, other in items if kind == "term" and other not in related]
        pages = [(t, h) for t, h, kind, _ in items if kind != "term"]
        shown_above = sum(1 for _, _, kind, other in items if kind == "term" and other in related)

        def line(css: str, label: str, links: list[tuple[str, str]]) -> Markup:
            joined = Markup(", ").join(
                Markup('<a class="glossary-backlink" href="{}">{}</a>').format(href, title) for title, href in links
            )
            return Markup('<p class="glossary-backlinks-{}"><strong>{}:</strong> {}</p>').format(css, label, joined)

        out: list[Markup] = []
        if terms:
            out.append(line("terms", "Terms", terms))
        if pages:
            out.append(line("pages", "Pages", pages))
        if shown_above:
            note = (
                "The related terms above link here too."
                if terms
                else "Every term that links here is a related term above."
            )
            out.append(Markup('<p class="glossary-backlinks-note">{}</p>').format(note))
        if not out:
            return '<p class="glossary-backlinks-empty">No other page links here yet.</p>'
        return str(Markup('<div class="glossary-backlinks">') + Markup("").join(out) + Markup("</div>"))


def relative_to_page(layout: Layout, page_src: str, target: str) -> str:
    """A non-page file (``glossary.json``, the site root) relative to a generated page."""
    from .layout import relative_url

    return relative_url(target, layout.url(page_src))


def default_templates_dir() -> Path:
    from .templates import DEFAULT_TEMPLATES

    return DEFAULT_TEMPLATES
