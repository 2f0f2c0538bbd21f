"""Text to tokens and to encoder features, written so that ``glossary-ask.js`` can do exactly the same.

Every step uses only operations that JavaScript spells identically: Unicode NFKD (accents fold away),
ASCII lower case, the words ``[a-z0-9]+``, a stop-word list, a fixed table of suffix rules, and 32-bit
FNV-1a hashing of ASCII strings. ``tests/ask/vectors.json`` holds inputs with the outputs both
implementations must give.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

# Words too common to rank by (BM25) or to describe a term (the encoder).
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "one",
        "ones",
        "thing",
        "things",
        "something",
        "get",
        "gets",
        "got",
        "make",
        "makes",
        "made",
        "use",
        "used",
        "uses",
        "using",
        "way",
    ]
)

# Suffix rules, tried in order: the first whose suffix ends the word and leaves a stem of at least
# MIN_STEM letters applies. British and American spellings meet (-ise/-ize, -isation/-ization).
SUFFIXES: tuple[tuple[str, str], ...] = (
    ("isations", "iz"),
    ("izations", "iz"),
    ("isation", "iz"),
    ("ization", "iz"),
    ("ising", "iz"),
    ("izing", "iz"),
    ("ised", "iz"),
    ("ized", "iz"),
    ("ises", "iz"),
    ("izes", "iz"),
    ("ise", "iz"),
    ("ize", "iz"),
    ("ies", "y"),
    ("ied", "y"),
    ("sses", "ss"),
    ("ness", ""),
    ("ings", ""),
    ("ing", ""),
    ("ers", "er"),
    ("ed", ""),
    ("ss", "ss"),
    ("us", "us"),
    ("is", "is"),
    ("s", ""),
)
MIN_STEM = 3
UNDOUBLE = ("ings", "ing", "ed")
_WORD = re.compile(r"[a-z0-9]+")

FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193
NGRAMS = (3, 4, 5)
MAX_FEATURES = 512
"""Encoder inputs per text: a longer text keeps its first MAX_FEATURES feature ids."""


def fold(text: str) -> str:
    """NFKD, then only ASCII kept, upper-case ASCII lowered (no locale rules: JS does the same)."""
    ascii_only = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return ascii_only.translate(_LOWER)


_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def words(text: str) -> list[str]:
    """Every word of ``text``, folded, stop words included (for display and n-grams)."""
    return _WORD.findall(fold(text))


def stem(word: str) -> str:
    """The first rule whose suffix ends ``word`` applies: a rule that keeps its suffix (-ss, -us, -is)
    leaves the word as it is; any other needs a stem of MIN_STEM letters. A doubled final consonant
    left by -ing or -ed is undoubled (running -> run, embedded -> embed), except l, s and z."""
    if len(word) <= MIN_STEM:
        return word
    for suffix, replacement in SUFFIXES:
        if not word.endswith(suffix):
            continue
        if replacement == suffix:
            return word
        if len(word) - len(suffix) >= MIN_STEM:
            out = word[: len(word) - len(suffix)] + replacement
            if suffix in UNDOUBLE and len(out) > MIN_STEM and out[-1] == out[-2] and out[-1] not in "aeiouylsz":
                out = out[:-1]
            return out
    return word


def tokens(text: str) -> list[str]:
    """The ranking tokens of ``text``: stems of its words, stop words left out."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of an ASCII string (every feature string is ASCII)."""
    h = FNV_OFFSET
    for byte in text.encode("ascii"):
        h = ((h ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return h


def features(text: str) -> list[str]:
    """Feature strings of ``text`` for the encoder: stems, stem bigrams and character n-grams of words."""
    kept = [w for w in words(text) if w not in STOP_WORDS]
    stems = [stem(w) for w in kept]
    out = [f"w:{s}" for s in stems]
    out += [f"b:{a}_{b}" for a, b in itertools.pairwise(stems)]
    for w in kept:
        padded = f"<{w}>"
        for n in NGRAMS:
            out += [f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1)]
    return out


def feature_ids(text: str, buckets: int) -> list[int]:
    """Encoder input ids in 1..buckets-1 (0 is padding), at most MAX_FEATURES of them."""
    return [1 + fnv1a(f) % (buckets - 1) for f in features(text)[:MAX_FEATURES]]
