"""Rules for the text inside entries, in linear time: code spans, control and invisible characters,
names that would link everywhere, and the limits that keep one field from stalling Markdown.

The model (:mod:`aiglossary.model`) applies them as validators, so a broken entry is reported by
``glossary check`` with its file, line and column, and left out of the site.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Python-Markdown scans the rest of a field for every '[' (a link or image that may start there):
# 1,000 of them take 0.3 s and 8,000 take 17 s. Real entries have none; these bounds keep the worst
# field around 0.1 s (bench/markdown_scale.py measures it).
MAX_MARKDOWN_CHARS = 5_000
MAX_BRACKETS = 32

_BACKTICKS = re.compile(r"`+")
# C0 and C1 controls and DEL; a tab and a line break are ordinary text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Common words no alias may be: a mention of "it" or "the" would link on every page.
_STOP_WORDS = """
    a about above after again all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each even few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    let me more most my myself no nor not now of off on once one only or other our ours ourselves
    out over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up us very was we were what when where which
    while who whom why will with would you your yours yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


_WORD_SPLIT = re.compile(r"[^0-9A-Za-z]+")


def is_abbreviation(name: str) -> bool:
    """Abbreviations and brand-like names match with exact case: "LLM", "GPT-3", "ReLU", "LoRA"."""
    if not any(c.isalpha() for c in name):
        return True
    if not any(c.islower() for c in name):
        return True
    return any(any(c.isupper() for c in word[1:]) for word in _WORD_SPLIT.split(name))


def regular_plurals(name: str) -> list[str]:
    """Regular English plurals of a name (the last word changes); irregular ones come from the entry."""
    if not name or not name[-1].isalpha():
        return []
    if is_abbreviation(name):
        return [name + "s"]
    low = name.lower()
    if low.endswith(("s", "x", "z", "ch", "sh")):
        return [name + "es"]
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return [name[:-1] + "ies"]
    return [name + "s"]


def code_spans(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each code span, as CommonMark pairs backtick runs, in one pass.

    A run of n backticks opens a span that the next run of exactly n backticks closes; a run with no
    such partner is literal text. Each list of same-length runs is walked once, so 3,000 backticks
    cost microseconds (a backtracking regex took minutes).
    """
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for i, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(i)
    cursor = dict.fromkeys(by_length, 0)  # per length: the first run index not yet passed
    i = 0
    while i < len(runs):
        start, end = runs[i]
        same = by_length[end - start]
        k = cursor[end - start]
        while k < len(same) and same[k] <= i:
            k += 1
        cursor[end - start] = k
        if k == len(same):
            i += 1  # no closer: the run is literal
            continue
        closer = same[k]
        yield start, runs[closer][1]
        i = closer + 1


def strip_code(text: str) -> str:
    """``text`` with every code span blanked out (same length, so offsets still hold)."""
    parts: list[str] = []
    pos = 0
    for start, end in code_spans(text):
        parts += (text[pos:start], " " * (end - start))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def char_name(c: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: how a message names a character a reader cannot see."""
    return f"U+{ord(c):04X}" + (f" {unicodedata.name(c)}" if unicodedata.name(c, "") else "")


def visible(text: str) -> str:
    """``text`` with control and invisible characters written as escapes (``\\x1b``, ``\\u202e``).

    For terminals: what an entry holds is shown, never executed (no screen clearing, no window
    title, no clipboard writes).
    """
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c in "\n\t" or c.isprintable():
            out.append(c)
        elif ord(c) < 0x100:
            out.append(f"\\x{ord(c):02x}")
        elif ord(c) < 0x10000:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return "".join(out)


def check_text(text: str) -> str:
    """Entry text holds no control characters (terminal escape sequences start with one)."""
    found = _CONTROL.search(text)
    if found:
        raise ValueError(
            f"control character {char_name(found.group())} at character {found.start() + 1} is not allowed; "
            "delete it (escape sequences would run in a terminal)"
        )
    return text


def check_name(name: str) -> str:
    """A term, alias or plural: no invisible or direction-changing characters, not a common word.

    Common words are refused unless they match with exact case ("IT" links only "IT", "it" would
    link everywhere). Names that differ only in Unicode normalisation ("Café", "Cafe" + U+0301) are
    compared as one by the duplicate check (checks.name_key).

    Zero-width characters make "Bat\u200bch" look like "Batch"; bidi controls (U+202E) reorder what
    a reader sees. Both are Unicode format characters (category Cf), none of which a name needs.
    """
    check_text(name)
    for i, c in enumerate(name):
        if unicodedata.category(c) == "Cf":
            raise ValueError(
                f"'{visible(name)}' holds the invisible character {char_name(c)} at character {i + 1}; "
                "type the name without it"
            )
    if name.casefold() in STOP_WORDS and not is_abbreviation(name):
        raise ValueError(f"'{name}' is a common word; as a name it would link on every page, so leave it out")
    return name


def check_markdown_size(text: str) -> str:
    """A Markdown field small enough that rendering it cannot stall a build."""
    if len(text) > MAX_MARKDOWN_CHARS:
        raise ValueError(f"is {len(text):,} characters long; a field holds at most {MAX_MARKDOWN_CHARS:,}")
    brackets = text.count("[")
    if brackets > MAX_BRACKETS:
        raise ValueError(
            f"has {brackets:,} '[' characters; a field holds at most {MAX_BRACKETS} "
            "(each may start a link, and Markdown reads the rest of the field for each one)"
        )
    return text
