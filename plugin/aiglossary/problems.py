"""Problems found while loading and checking entries, reported as ``file:line:col: field: message``."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file. Lines and columns are 1-based, as editors show them."""

    file: str
    line: int
    col: int
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        what = f"{self.field}: " if self.field else ""
        kind = "warning: " if self.severity == "warning" else ""
        return f"{where}: {what}{kind}{self.message}"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def format_path(loc: Iterable[object]) -> str:
    """Turn a location tuple such as ``('related', 2, 'term')`` into ``related[2].term``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
