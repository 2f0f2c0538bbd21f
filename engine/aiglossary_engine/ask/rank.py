"""Ask's ranking: BM25F over an entry's fields, the encoder's cosine, and their fusion. No torch.

``glossary-ask.js`` implements the same arithmetic in the same order (IEEE doubles, no logarithm at
query time: the IDF of each token is stored in the index), so for the same encoder output the browser
and ``engine ask`` give the same scores and the same order. Ties are broken by slug.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiglossary_engine.ask.entries import FIELDS, TermDoc
from aiglossary_engine.ask.text import STOP_WORDS, stem, tokens, words

K1 = 1.2
B = 0.3
FIELD_WEIGHTS = {
    "term": 1.5,
    "summary": 6.0,
    "definition": 1.5,
    "phrases": 0.5,
    "examples": 1.0,
    "explanation": 0.5,
    "analogy": 2.0,
    "comparison": 0.5,
}
"""BM25F weights of the fields (a field left out is not indexed), with K1 and B: chosen on the development
queries (bench/ask_dev_queries.yaml) by bench/ask_tune.py, never on the evaluation queries."""


@dataclass
class Bm25Index:
    """Per document and field: token frequencies and lengths; per token: its IDF."""

    fields: tuple[str, ...]
    weights: list[float]
    k1: float
    b: float
    tf: list[list[dict[str, int]]]  # doc -> field -> token -> count
    lengths: list[list[int]]  # doc -> field -> tokens
    idf: dict[str, float]
    avg: list[float] = field(default_factory=list)  # field -> mean length

    def __post_init__(self) -> None:
        n = len(self.tf)
        self.avg = [sum(doc[f] for doc in self.lengths) / n or 1.0 for f in range(len(self.fields))]

    @classmethod
    def build(
        cls, docs: Sequence[dict[str, str]], weights: dict[str, float] | None = None, k1: float = K1, b: float = B
    ) -> Bm25Index:
        weights = weights or FIELD_WEIGHTS
        names = tuple(f for f in FIELDS if weights.get(f, 0.0) > 0.0)
        tf: list[list[dict[str, int]]] = []
        lengths: list[list[int]] = []
        df: dict[str, int] = {}
        for doc in docs:
            per_field = []
            for name in names:
                counts: dict[str, int] = {}
                for tok in tokens(doc.get(name, "")):
                    counts[tok] = counts.get(tok, 0) + 1
                per_field.append(counts)
            tf.append(per_field)
            lengths.append([sum(c.values()) for c in per_field])
            for tok in set().union(*per_field):
                df[tok] = df.get(tok, 0) + 1
        n = len(docs)
        idf = {tok: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for tok, d in sorted(df.items())}
        return cls(names, [weights[f] for f in names], k1, b, tf, lengths, idf)

    def to_json(self) -> dict[str, Any]:
        return {
            "fields": list(self.fields),
            "weights": self.weights,
            "k1": self.k1,
            "b": self.b,
            "idf": self.idf,
            "tf": self.tf,
            "lengths": self.lengths,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Bm25Index:
        return cls(
            tuple(data["fields"]),
            [float(w) for w in data["weights"]],
            float(data["k1"]),
            float(data["b"]),
            [[{str(k): int(v) for k, v in f.items()} for f in doc] for doc in data["tf"]],
            [[int(x) for x in doc] for doc in data["lengths"]],
            {str(k): float(v) for k, v in data["idf"].items()},
        )

    def query_tokens(self, text: str) -> list[str]:
        """The query's distinct tokens, in order of first appearance."""
        seen: list[str] = []
        for tok in tokens(text):
            if tok not in seen:
                seen.append(tok)
        return seen

    def scores(self, text: str) -> tuple[list[float], list[list[float]]]:
        """BM25F score of every document, and each field's share of it (doc -> field -> score)."""
        toks = self.query_tokens(text)
        nf = len(self.fields)
        totals, shares = [], []
        for d, doc in enumerate(self.tf):
            score = 0.0
            share = [0.0] * nf
            for tok in toks:
                idf = self.idf.get(tok)
                if idf is None:
                    continue
                parts = [0.0] * nf
                weighted = 0.0
                for f in range(nf):
                    count = doc[f].get(tok, 0)
                    if count:
                        norm = 1.0 - self.b + self.b * self.lengths[d][f] / self.avg[f]
                        parts[f] = self.weights[f] * count / norm
                        weighted += parts[f]
                if weighted > 0.0:
                    gain = idf * weighted / (self.k1 + weighted)
                    score += gain
                    for f in range(nf):
                        share[f] += gain * parts[f] / weighted
            totals.append(score)
            shares.append(share)
        return totals, shares


def zscores(values: Sequence[float]) -> list[float]:
    """(v - mean) / std over all terms; sums run left to right, as in JavaScript (not math.fsum)."""
    n = len(values)
    total = 0.0
    for v in values:
        total += v
    mean = total / n
    squares = 0.0
    for v in values:
        squares += (v - mean) * (v - mean)
    std = math.sqrt(squares / n)
    return [0.0] * n if std == 0.0 else [(v - mean) / std for v in values]


def cosines(query: Sequence[float], vectors: Sequence[Sequence[float]]) -> list[float]:
    """Dot products of a unit query vector with the (unit) term vectors, summed left to right."""
    out = []
    for vec in vectors:
        s = 0.0
        for a, b in zip(query, vec, strict=True):
            s += a * b
        out.append(s)
    return out


def fuse(bm25: Sequence[float], enc: Sequence[float], weight: float) -> list[float]:
    """``weight`` * z(BM25) + (1 - weight) * z(cosine), over all terms."""
    zb, ze = zscores(bm25), zscores(enc)
    return [weight * b + (1.0 - weight) * e for b, e in zip(zb, ze, strict=True)]


def order(scores: Sequence[float], slugs: Sequence[str]) -> list[int]:
    """Document indexes by score, highest first; equal scores by slug."""
    return sorted(range(len(scores)), key=lambda i: (-scores[i], slugs[i]))


@dataclass
class Match:
    words: list[str]  # the query's words whose stems the entry contains
    field: str | None  # the field that contributed most to BM25, or None (matched by meaning only)


def explain(index: Bm25Index, doc: int, text: str, shares: list[float]) -> Match:
    present = set().union(*index.tf[doc])
    seen: list[str] = []
    for w in words(text):
        if stem(w) in present and stem(w) in index.idf and w not in seen and w not in STOP_WORDS:
            seen.append(w)
    best = max(range(len(shares)), key=lambda f: (shares[f], -f)) if any(s > 0 for s in shares) else None
    return Match(seen, index.fields[best] if best is not None else None)


def term_docs_fields(docs: Sequence[TermDoc]) -> list[dict[str, str]]:
    return [d.fields for d in docs]
