"""The knowledge base as data: JSON export (with the typed relation graph) and plain text."""

from __future__ import annotations

import re
from typing import Any

from .graph import backlinks, edges, learning_path
from .loader import KnowledgeBase
from .model import Entry

EXPORT_VERSION = 1


def entry_to_dict(slug: str, entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = {"slug": slug}
    data.update(entry.model_dump(mode="json", by_alias=True))
    return data


def to_json(kb: KnowledgeBase, *, url_prefix: str | None = None) -> dict[str, Any]:
    """The whole knowledge base: categories, terms and the typed relation graph."""
    back = backlinks(kb.entries)
    terms = []
    for slug, entry in kb.sorted_entries():
        item = entry_to_dict(slug, entry)
        item["referenced_by"] = back[slug]
        if url_prefix is not None:
            item["url"] = f"{url_prefix.strip('/')}/{slug}/"
        terms.append(item)
    return {
        "version": EXPORT_VERSION,
        "categories": {cid: c.model_dump(mode="json") for cid, c in kb.categories.items()},
        "terms": terms,
        "edges": [
            {"source": e.source, "target": e.target, "relation": e.relation.value, "note": e.note}
            for e in edges(kb.entries)
        ],
        "learning_path": learning_path(kb.entries),
    }


_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"[*_`]+")


def plain(text: str) -> str:
    """Markdown to readable plain text (links keep their words, emphasis marks go)."""
    return _MD_MARK.sub("", _MD_LINK.sub(r"\1", text)).strip()


def entry_plain_text(entry: Entry) -> str:
    """All prose of one entry as plain text, section by section (a corpus for the engine)."""
    parts = [
        f"{entry.term}",
        plain(entry.definition),
        plain(entry.explanation),
        plain(entry.analogy),
        *(f"{ex.title}: {plain(ex.text)}" for ex in entry.examples),
        plain(entry.why_it_matters),
        *(f"{use.name}: {plain(use.text)}" for use in entry.where_used),
        *(f"Myth: {plain(m.myth)} Reality: {plain(m.reality)}" for m in entry.misconceptions),
        *(plain(p) for p in entry.phrases),
    ]
    return "\n".join(p for p in parts if p) + "\n"
