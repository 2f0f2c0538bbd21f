"""What Ask reads from the glossary: ranking fields and training snippets of each entry. No torch."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiglossary_engine.errors import EngineError

FIELDS = (
    "term",
    "summary",
    "definition",
    "phrases",
    "misconceptions",
    "examples",
    "explanation",
    "analogy",
    "why_it_matters",
    "where_used",
    "comparison",
)
"""The fields BM25 may rank over, in the order the index file stores them (those with weight 0 are left out)."""

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


@dataclass
class TermDoc:
    slug: str
    term: str
    summary: str
    fields: dict[str, str]  # field -> plain text
    snippets: list[tuple[str, str]]  # (kind, text): encoder training texts from this entry


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def _plain(text: str) -> str:
    from aiglossary.export import plain

    return " ".join(plain(text).split())


def term_doc(slug: str, entry: Any) -> TermDoc:
    names = [entry.term, *entry.aliases, *entry.plural]
    fields = {
        "term": " ; ".join(names),
        "summary": _plain(entry.summary),
        "definition": _plain(entry.definition),
        "phrases": " ".join(_plain(p) for p in entry.phrases),
        "misconceptions": " ".join(f"{_plain(m.myth)} {_plain(m.reality)}" for m in entry.misconceptions),
        "examples": " ".join(f"{_plain(ex.title)}. {_plain(ex.text)}" for ex in entry.examples),
        "explanation": _plain(entry.explanation),
        "analogy": _plain(entry.analogy),
        "why_it_matters": _plain(entry.why_it_matters),
        "where_used": " ".join(f"{_plain(u.name)}. {_plain(u.text)}" for u in entry.where_used),
        "comparison": " ".join(f"{_plain(r.aspect)}: {_plain(r.this)}" for r in entry.comparison.rows),
    }
    snippets: list[tuple[str, str]] = [("summary", fields["summary"])]
    snippets += [("definition", s) for s in sentences(fields["definition"])]
    for para in entry.explanation.split("\n\n"):
        snippets += [("explanation", s) for s in sentences(_plain(para))]
    snippets += [("analogy", _plain(entry.analogy))]
    snippets += [("example", _plain(ex.text)) for ex in entry.examples]
    snippets += [("misconception", _plain(m.myth)) for m in entry.misconceptions]
    snippets += [("misconception", _plain(m.reality)) for m in entry.misconceptions]
    snippets += [("phrase", _plain(p)) for p in entry.phrases]
    snippets += [("why", s) for s in sentences(_plain(entry.why_it_matters))]
    snippets = [(k, t) for k, t in snippets if len(t.split()) >= 3]
    return TermDoc(slug, entry.term, fields["summary"], fields, snippets)


def load_term_docs(folder: Path) -> list[TermDoc]:
    """Every entry of the glossary in ``folder``, sorted by slug; an error if it has problems."""
    from aiglossary import load_knowledge_base

    kb = load_knowledge_base(folder)
    if not kb.entries:
        first = kb.problems[0].message if kb.problems else "no entries"
        raise EngineError(f"{folder}: no glossary entries for Ask ({first})")
    return [term_doc(slug, kb.entries[slug]) for slug in sorted(kb.entries)]


TUNE_SHARE = 3
"""One description in TUNE_SHARE (by a hash of its text) is kept for choosing settings; the rest may be trained on."""


def is_tune(text: str) -> bool:
    """Whether a development description belongs to the tune part (never trained on) or the train part."""
    import hashlib

    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % TUNE_SHARE == 0


def load_descriptions(path: Path, part: str) -> list[dict[str, Any]]:
    """The development descriptions of ``path`` in ``part`` ("train" or "tune"): {"q", "term", "also"}."""
    import yaml

    data = yaml.safe_load(path.read_text("utf-8"))
    items = data["queries"] if isinstance(data, dict) else data
    out = []
    for item in items:
        q = str(item["q"])
        if is_tune(q) == (part == "tune"):
            out.append({"q": q, "term": str(item["term"]), "also": [str(x) for x in item.get("also", []) or []]})
    return out
