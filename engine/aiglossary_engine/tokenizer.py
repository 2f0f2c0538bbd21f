"""Character-level tokenizer. Its vocabulary is saved with every checkpoint and ONNX file."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

UNK = "\ufffd"  # id 0: any character outside the vocabulary
# Typographic characters that have a plain-ASCII spelling in the corpora.
_ASCII_SPELLING = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\t": "    ",
    "\u00d7": "x",
    "\u2192": "->",
}


def default_chars() -> list[str]:
    """The standard vocabulary: unknown, newline and printable ASCII (97 tokens)."""
    return [UNK, "\n", *(chr(c) for c in range(32, 127))]


def normalize(text: str) -> str:
    """Spell typographic punctuation in ASCII and fold accents where that is lossless enough."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        if ch in _ASCII_SPELLING:
            out.append(_ASCII_SPELLING[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
            out.append(folded or ch)
    return "".join(out)


@dataclass(frozen=True)
class CharTokenizer:
    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.chars or self.chars[0] != UNK:
            raise ValueError("vocabulary: the first token must be the unknown character U+FFFD")
        if len(set(self.chars)) != len(self.chars):
            raise ValueError("vocabulary: characters must be unique")

    @classmethod
    def default(cls) -> CharTokenizer:
        return cls(tuple(default_chars()))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    @cached_property
    def _index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.chars)}

    def encode(self, text: str) -> list[int]:
        index = self._index
        return [index.get(c, 0) for c in normalize(text)]

    def decode(self, ids: Sequence[int]) -> str:
        return "".join(self.chars[i] for i in ids)

    def to_json(self) -> str:
        return json.dumps({"type": "char", "unk": 0, "chars": list(self.chars)}, ensure_ascii=True)

    @classmethod
    def from_json(cls, text: str) -> CharTokenizer:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("type") != "char" or not isinstance(data.get("chars"), list):
            raise ValueError("not a character vocabulary (expected {'type': 'char', 'chars': [...]})")
        return cls(tuple(str(c) for c in data["chars"]))
