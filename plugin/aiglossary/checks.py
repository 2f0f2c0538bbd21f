"""Checks across entries: names, relations, categories, sources, cycles, orphans, completeness."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .graph import backlinks, find_cycle
from .loader import KnowledgeBase, slugify
from .model import DEFINING_KINDS, RelationKind
from .problems import did_you_mean
from .text import regular_plurals

# Completeness: what a finished entry has (warnings, so `check --strict` fails on thin entries).
MINIMUMS = {"examples": 3, "misconceptions": 3, "phrases": 3, "related": 3, "comparison.rows": 3}


def check_all(kb: KnowledgeBase) -> None:
    _check_names(kb)
    for slug in sorted(kb.entries):
        _check_entry(kb, slug)
    _check_cycles(kb)
    _check_orphans(kb)


def name_key(name: str) -> str:
    """How names are compared for clashes: Unicode-normalised (NFKC), case-folded, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def _check_names(kb: KnowledgeBase) -> None:
    owners: dict[str, tuple[str, str]] = {}
    rejected: set[str] = set()
    named: dict[str, list[tuple[str, str]]] = {}
    for slug in sorted(kb.entries):
        entry = kb.entries[slug]
        file = kb.files[slug]
        fields = [("term", entry.term)] + [(f"aliases[{i}]", a) for i, a in enumerate(entry.aliases)]
        fields += [(f"plural[{i}]", p) for i, p in enumerate(entry.plural)]
        named[slug] = fields
        for loc, name in fields:
            key = name_key(name)
            if key in owners:
                other_slug, other_loc = owners[key]
                where = "this entry" if other_slug == slug else kb.files[other_slug].display
                kb.add(
                    file.display, file.at(*_loc_path(loc)), loc, f"'{name}' is already used by {where} ({other_loc})"
                )
                if other_slug != slug:
                    rejected.add(slug)
            else:
                owners[key] = (slug, loc)
        if slug not in {slugify(n) for n in entry.names()}:
            kb.add(
                file.display,
                (1, 1),
                "",
                f"file name '{slug}' is not the slug of the term or an alias; expected '{slugify(entry.term)}.yaml'",
            )
            rejected.add(slug)  # its URL would not be the term's: left out, like any entry with an error
    # A name may not be another entry's automatic plural either ("tokens" when "Token" exists):
    # every mention of it would link to two pages.
    plurals: dict[str, tuple[str, str]] = {}
    for slug, fields in named.items():
        for loc, name in fields[: 1 + len(kb.entries[slug].aliases)]:
            for form in regular_plurals(name):
                plurals.setdefault(name_key(form), (slug, loc))
    for slug, fields in named.items():
        if slug in rejected:
            continue
        for loc, name in fields:
            other = plurals.get(name_key(name))
            if other and other[0] != slug and owners.get(name_key(name), (slug,))[0] == slug:
                other_slug, other_loc = other
                msg = f"'{name}' is the plural of {other_loc} of {kb.files[other_slug].display}; a name links to one entry only"
                kb.add(kb.files[slug].display, kb.files[slug].at(*_loc_path(loc)), loc, msg)
    # A name two entries claim would make links ambiguous: leave the later entry out (and an entry whose
    # file name is not its slug).
    for slug in rejected:
        display = kb.files[slug].display
        kb.rejected[display] = next(str(p) for p in kb.errors if p.file == display)
        del kb.entries[slug], kb.files[slug]


def _loc_path(loc: str) -> tuple[str | int, ...]:
    """'examples[0].text' -> ('examples', 0, 'text'): a problem's location as a path into the document."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", loc) if p)


def _check_entry(kb: KnowledgeBase, slug: str) -> None:
    entry = kb.entries[slug]
    file = kb.files[slug]
    for i, cat in enumerate(entry.categories):
        if cat not in kb.categories:
            hint = did_you_mean(cat, kb.categories)
            kb.add(file.display, file.at("categories", i), f"categories[{i}]", f"unknown category '{cat}'{hint}")
    seen: set[str] = set()
    for i, rel in enumerate(entry.related):
        loc = f"related[{i}].term"
        pos = file.at("related", i, "term")
        if rel.term == slug:
            kb.add(file.display, pos, loc, "a term cannot be related to itself")
        elif rel.term not in kb.entries:
            kb.add(file.display, pos, loc, _unknown_term(kb, rel.term))
        elif rel.term in seen:
            kb.add(file.display, pos, loc, f"'{rel.term}' is related twice; keep one relation", "warning")
        seen.add(rel.term)
    other = entry.comparison.with_
    pos = file.at("comparison", "with")
    if other == slug:
        kb.add(file.display, pos, "comparison.with", "compare the term with a neighbour, not with itself")
    elif other not in kb.entries:
        kb.add(file.display, pos, "comparison.with", _unknown_term(kb, other))
    ids: set[str] = set()
    for i, src in enumerate(entry.sources):
        if src.id in ids:
            kb.add(
                file.display,
                file.at("sources", i, "id"),
                f"sources[{i}].id",
                f"duplicate source id '{src.id}'",
            )
        ids.add(src.id)
    _check_definition_source(kb, slug)
    for i, use in enumerate(entry.where_used):
        if use.source is None:
            kb.add(
                file.display,
                file.at("where_used", i),
                f"where_used[{i}]",
                f"'{use.name}' names no source; add `source:` with the id of a source that shows it",
                "warning",
            )
        elif use.source not in ids:
            hint = did_you_mean(use.source, ids)
            loc = f"where_used[{i}].source"
            kb.add(
                file.display,
                file.at("where_used", i, "source"),
                loc,
                f"unknown source id '{use.source}'{hint}",
            )
    _check_prerequisite_levels(kb, slug)
    counts = {
        "examples": len(entry.examples),
        "misconceptions": len(entry.misconceptions),
        "phrases": len(entry.phrases),
        "related": len(entry.related),
        "comparison.rows": len(entry.comparison.rows),
    }
    for name, minimum in MINIMUMS.items():
        if counts[name] < minimum:
            path = tuple(name.split("."))
            msg = f"has {counts[name]}; a complete entry has at least {minimum}"
            kb.add(file.display, file.at(*path), name, msg, "warning")
    for loc, text in _texts(entry):
        if "TODO" in text:
            kb.add(file.display, file.at(*_loc_path(loc)), loc, "still holds scaffold text (TODO); write it", "warning")
    domains = {ex.domain.casefold() for ex in entry.examples}
    if len(entry.examples) >= MINIMUMS["examples"] and len(domains) < 3:
        kb.add(
            file.display,
            file.at("examples"),
            "examples",
            "examples should span at least 3 domains",
            "warning",
        )


def _unknown_term(kb: KnowledgeBase, slug: str) -> str:
    """Why ``slug`` is not an entry: its file was left out for its own errors, or there is none."""
    for display in sorted(kb.rejected):
        if Path(display).stem == slug:
            return f"'{slug}' was left out because of its errors (see {display}); fix them first"
    return f"unknown term '{slug}'{did_you_mean(slug, sorted(kb.entries))}"


def _check_definition_source(kb: KnowledgeBase, slug: str) -> None:
    """The definition rests on a source that can back it: a paper, survey, book, standard or docs."""
    entry = kb.entries[slug]
    file = kb.files[slug]
    kinds = ", ".join(sorted(DEFINING_KINDS))
    if entry.definition_source is None:
        kb.add(
            file.display,
            file.at("definition"),
            "definition_source",
            f"no source supports the definition; add `definition_source:` with the id of a source ({kinds})",
            "warning",
        )
        return
    by_id = {src.id: src for src in entry.sources}
    pos = file.at("definition_source")
    source = by_id.get(entry.definition_source)
    if source is None:
        hint = did_you_mean(entry.definition_source, by_id)
        kb.add(file.display, pos, "definition_source", f"unknown source id '{entry.definition_source}'{hint}")
    elif source.kind not in DEFINING_KINDS:
        kb.add(
            file.display,
            pos,
            "definition_source",
            f"source '{source.id}' is of kind '{source.kind}', which cannot back a definition; use one of: {kinds}",
            "warning",
        )


def _check_prerequisite_levels(kb: KnowledgeBase, slug: str) -> None:
    """What must be learned first is never harder than what needs it (prerequisite and next-step)."""
    entry = kb.entries[slug]
    file = kb.files[slug]
    for i, rel in enumerate(entry.related):
        other = kb.entries.get(rel.term)
        if other is None:
            continue
        if rel.relation is RelationKind.prerequisite and other.difficulty.rank > entry.difficulty.rank:
            msg = (
                f"prerequisite '{rel.term}' ({other.difficulty}) is harder than '{slug}' ({entry.difficulty}); "
                "a prerequisite cannot be harder than the entry that needs it (make it see-also, or change a level)"
            )
        elif rel.relation is RelationKind.next_step and other.difficulty.rank < entry.difficulty.rank:
            msg = (
                f"next step '{rel.term}' ({other.difficulty}) is easier than '{slug}' ({entry.difficulty}); "
                f"'{slug}' would be learned first although it is harder (make it see-also)"
            )
        else:
            continue
        kb.add(file.display, file.at("related", i, "relation"), f"related[{i}].relation", msg, "warning")


def _check_cycles(kb: KnowledgeBase) -> None:
    cycle = find_cycle(kb.entries)
    if not cycle:
        return
    first, second = cycle[0], cycle[1]
    # Report at the relation that creates the first step of the cycle.
    for slug, target in ((second, first), (first, second)):
        for i, rel in enumerate(kb.entries[slug].related):
            if rel.term == target:
                file = kb.files[slug]
                msg = "prerequisite cycle: " + " → ".join(cycle) + " (each must be learned before the next)"
                kb.add(file.display, file.at("related", i, "relation"), f"related[{i}].relation", msg)
                return


def _check_orphans(kb: KnowledgeBase) -> None:
    if len(kb.entries) < 2:
        return
    incoming = backlinks(kb.entries)
    for slug, sources in incoming.items():
        if not sources:
            file = kb.files[slug]
            kb.add(
                file.display,
                (1, 1),
                "",
                "no other entry relates to this term (orphan); link it from one",
                "warning",
            )


def _texts(entry: Any, loc: str = "") -> Iterator[tuple[str, str]]:
    """Every string in an entry with its field path, e.g. ('examples[0].text', '...')."""
    if isinstance(entry, str):
        yield loc, entry
    elif isinstance(entry, list):
        for i, item in enumerate(entry):
            yield from _texts(item, f"{loc}[{i}]")
    elif isinstance(entry, BaseModel):
        for name, info in type(entry).model_fields.items():
            key = info.alias or name
            yield from _texts(getattr(entry, name), f"{loc}.{key}" if loc else key)
