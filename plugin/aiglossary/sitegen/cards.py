"""Self-check cards, generated from each entry's YAML at build time (no MkDocs import here).

Three kinds, each from a field an entry already has, so a new entry gets its cards for free:

- ``myth`` ("Myth or reality?"): one card per misconception. The card shows either the myth or the
  reality (chosen from a hash of the text, so the choice is stable) and the reader says which it is;
  the other half of the misconception explains.
- ``order`` ("Which comes first?"): one card per ``prerequisite`` or ``next-step`` relation to an
  entry that exists. The reader picks the term to learn first; the relation's note explains.
- ``column`` ("Which column?"): one card per row of the comparison table whose two cells differ. It
  shows one cell; the reader picks the term whose column it is in; the whole row explains.

An entry without one of these fields (or whose neighbour is missing) simply gets fewer cards.

Every card has a stable id, ``slug:kind:index:hash``, where the hash covers what the card asks and
answers: a rebuild keeps ids (and the reader's progress), an edited card gets a new one, and a card
that only moved (another misconception inserted before it) can be found again by ``slug:kind:hash``.

Text fields are kept as the author wrote them (Markdown, author input): the page renders them
through the sanitising renderer and the JSON export turns that HTML into plain text, which the
practice page's script inserts as text only.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..model import Entry, RelationKind

CARDS_VERSION = 1

# kind -> the question each card of that kind asks (its heading on the page).
KINDS = {
    "myth": "Myth or reality?",
    "order": "Which comes first?",
    "column": "Which column?",
}
MYTH, REALITY = "myth", "reality"
# Options every card of a kind has (the JSON export lists them once).
DEFAULT_OPTIONS = {"myth": ((MYTH, "Myth"), (REALITY, "Reality"))}

_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Card:
    """One question with its answer. ``statement`` and explanation texts are author Markdown;
    ``prompt``, option labels and ``verdict`` are plain text (escape them when writing HTML)."""

    id: str
    slug: str  # the entry the card belongs to
    kind: str  # a key of KINDS
    index: int  # its position among the entry's cards of that kind
    statement: str  # Markdown, or "" (order cards ask about the options alone)
    prompt: str
    options: tuple[tuple[str, str], ...]  # (value, label)
    answer: str  # the value of the right option
    verdict: str  # the right answer in words, shown once the reader has answered
    explanation: tuple[tuple[str, str], ...]  # (plain label or "", Markdown)

    @property
    def question(self) -> str:
        return KINDS[self.kind]

    @property
    def match_key(self) -> str:
        """``slug:kind:hash``: the id without its index, to find a card that only moved."""
        slug, kind, _, digest = self.id.split(":")
        return f"{slug}:{kind}:{digest}"


def _digest(*parts: str | tuple[tuple[str, str], ...]) -> str:
    """sha256 of the parts, each string ended by a NUL (entry text cannot hold one: see text.py)."""
    h = hashlib.sha256()
    for part in parts:
        for text in [part] if isinstance(part, str) else [t for pair in part for t in pair]:
            h.update(text.encode("utf-8"))
            h.update(b"\0")
        h.update(b"\1")
    return h.hexdigest()


def _pick(seed: str, n: int) -> int:
    """A stable choice among ``n`` from ``seed`` (the same text always picks the same way)."""
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:4], "big") % n


def _card(
    slug: str,
    kind: str,
    index: int,
    *,
    statement: str,
    prompt: str,
    options: Iterable[tuple[str, str]],
    answer: str,
    verdict: str,
    explanation: Iterable[tuple[str, str]],
) -> Card:
    options = tuple(options)
    explanation = tuple(explanation)
    digest = _digest(kind, statement, prompt, options, answer, explanation)[:10]
    return Card(
        f"{slug}:{kind}:{index}:{digest}", slug, kind, index, statement, prompt, options, answer, verdict, explanation
    )


def myth_cards(slug: str, entry: Entry) -> list[Card]:
    out = []
    for i, m in enumerate(entry.misconceptions or ()):
        show = REALITY if _pick(f"{slug}\0{m.myth}\0{m.reality}", 2) else MYTH
        out.append(
            _card(
                slug,
                "myth",
                i,
                statement=m.reality if show == REALITY else m.myth,
                prompt=f"A myth about {entry.term}, or the reality?",
                options=DEFAULT_OPTIONS["myth"],
                answer=show,
                verdict="It is a myth." if show == MYTH else "It is the reality.",
                # The side the card did not show: the reality behind a myth, or the myth it answers.
                explanation=(("Reality", m.reality),) if show == MYTH else (("The myth it answers", m.myth),),
            )
        )
    return out


def order_cards(slug: str, entry: Entry, entries: Mapping[str, Entry]) -> list[Card]:
    out: list[Card] = []
    seen: set[str] = set()
    for rel in entry.related or ():
        if rel.relation not in (RelationKind.prerequisite, RelationKind.next_step):
            continue
        other = entries.get(rel.term)
        if other is None or rel.term == slug or rel.term in seen:
            continue
        seen.add(rel.term)
        first, second = (other, entry) if rel.relation is RelationKind.prerequisite else (entry, other)
        first_slug = rel.term if first is other else slug
        second_slug = slug if first is other else rel.term
        pair = [(first_slug, first.term), (second_slug, second.term)]
        if _pick(f"{slug}\0{rel.term}", 2):
            pair.reverse()
        out.append(
            _card(
                slug,
                "order",
                len(out),
                statement="",
                prompt="Which of the two do you learn first?",
                options=pair,
                answer=first_slug,
                verdict=f"{first.term} comes first, then {second.term}.",
                explanation=((other.term, rel.note),),
            )
        )
    return out


def column_cards(slug: str, entry: Entry, entries: Mapping[str, Entry]) -> list[Card]:
    comparison = entry.comparison
    if comparison is None or not comparison.rows:
        return []
    other = entries.get(comparison.with_)
    if other is None or comparison.with_ == slug:
        return []
    out: list[Card] = []
    for row in comparison.rows:
        if " ".join(row.this.split()) == " ".join(row.other.split()):
            continue  # both columns say the same: nothing to tell apart
        owner = "this" if _pick(f"{slug}\0{row.aspect}\0{row.this}\0{row.other}", 2) == 0 else "other"
        out.append(
            _card(
                slug,
                "column",
                len(out),
                statement=row.this if owner == "this" else row.other,
                prompt=f"Under “{row.aspect}”, which term is this?",
                options=(("this", entry.term), ("other", other.term)),
                answer=owner,
                verdict=f"It is in the {entry.term if owner == 'this' else other.term} column.",
                explanation=((entry.term, row.this), (other.term, row.other)),
            )
        )
    return out


def entry_cards(slug: str, entry: Entry, entries: Mapping[str, Entry]) -> list[Card]:
    """All cards of one entry: myths, then what comes first, then the comparison table."""
    return [*myth_cards(slug, entry), *order_cards(slug, entry, entries), *column_cards(slug, entry, entries)]


def all_cards(entries: Mapping[str, Entry]) -> dict[str, list[Card]]:
    """Every entry's cards, by slug in sorted order."""
    return {slug: entry_cards(slug, entries[slug], entries) for slug in sorted(entries)}


def text_of(fragment: str) -> str:
    """Sanitised HTML to the plain text a reader sees (tags dropped, entities decoded)."""
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def cards_json(
    entries: Mapping[str, Entry],
    cards: Mapping[str, list[Card]],
    *,
    inline: Callable[[str], str],
    url: Callable[[str], str],
) -> str:
    """The practice page's data: every card and the terms they belong to, as compact JSON.

    ``inline`` renders author Markdown to sanitised inline HTML; the JSON holds the plain text of
    that HTML. ``url`` gives a term page's URL relative to the practice page. The file holds every
    card of the glossary, so keys are short and nothing is written twice:

    - ``kinds``: kind -> question; ``options``: kind -> the options a card of that kind has unless
      it lists its own;
    - ``terms``: slug -> ``t`` term, ``u`` URL, ``c`` categories, ``d`` difficulty;
    - ``cards``: ``i`` id (``slug:kind:index:hash``: the slug and kind come from it), ``q`` the
      statement (a string, or the index of the explanation line whose text it is; absent when
      none), ``p`` prompt, ``o`` options ``[value, label]``, ``a`` answer, ``v`` verdict, ``x``
      explanation ``[label, text]``.
    """

    def text(markdown: str) -> str:
        return text_of(inline(markdown)) if markdown else ""

    terms = {
        slug: {
            "t": entries[slug].term,
            "u": url(slug),
            "c": list(entries[slug].categories),
            "d": entries[slug].difficulty.value,
        }
        for slug in sorted(cards)
        if cards[slug]
    }
    items = []
    for slug in sorted(cards):
        for c in cards[slug]:
            lines = [[label, text(body)] for label, body in c.explanation]
            item: dict[str, Any] = {"i": c.id}
            if c.statement:
                bodies = [body for _, body in c.explanation]
                item["q"] = bodies.index(c.statement) if c.statement in bodies else text(c.statement)
            item["p"] = c.prompt
            if c.options != DEFAULT_OPTIONS.get(c.kind):
                item["o"] = [list(o) for o in c.options]
            item.update({"a": c.answer, "v": c.verdict, "x": lines})
            items.append(item)
    data = {
        "version": CARDS_VERSION,
        "kinds": KINDS,
        "options": {kind: [list(o) for o in options] for kind, options in DEFAULT_OPTIONS.items()},
        "terms": terms,
        "cards": items,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
