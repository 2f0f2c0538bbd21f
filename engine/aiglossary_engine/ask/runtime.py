"""``engine ask``: the committed encoder and index, ranked exactly as the browser ranks. No torch."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aiglossary_engine.ask.rank import Bm25Index, cosines, explain, fuse, order
from aiglossary_engine.ask.text import feature_ids
from aiglossary_engine.errors import EngineError

DEFAULT_FOLDER = Path("docs/demos/ask")


@dataclass
class Answer:
    rank: int
    slug: str
    term: str
    summary: str
    score: float
    bm25: float
    cosine: float
    matched: list[str]
    field: str | None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


class Ask:
    """The ranking of one ``docs/demos/ask`` folder, checked against its manifest."""

    def __init__(self, folder: Path = DEFAULT_FOLDER, model: str = "encoder") -> None:
        import onnxruntime as ort

        from aiglossary_engine.demos.common import verify_demo
        from aiglossary_engine.runtime import session_options

        self.manifest = verify_demo(folder)
        index = json.loads((folder / self.manifest["index"]["file"]).read_text("utf-8"))
        self.index = index
        self.terms: list[dict[str, str]] = index["terms"]
        self.slugs = [t["slug"] for t in self.terms]
        self.bm25 = Bm25Index.from_json(index["bm25"])
        self.weight = float(index["fusion_weight"])
        self.buckets = int(index["buckets"])
        dim = int(index["dim"])
        scales = [float(s) for s in index["vectors"]["scales"]]
        raw = np.frombuffer((folder / index["vectors"]["file"]).read_bytes(), dtype=np.int8)
        if raw.size != len(scales) * dim or len(scales) != len(self.terms):
            raise EngineError(f"{folder}: the term vectors do not match index.json; run engine build-ask")
        self.vectors = [
            [float(x) * s for x in row] for row, s in zip(raw.reshape(-1, dim).tolist(), scales, strict=True)
        ]
        path = folder / self.manifest["models"][model]["file"]
        self.session = ort.InferenceSession(str(path), session_options(), providers=["CPUExecutionProvider"])

    def encode(self, text: str) -> list[float]:
        ids = feature_ids(text, self.buckets) or [0]
        out = self.session.run(None, {"ids": np.array([ids], dtype=np.int64)})[0]
        return [float(x) for x in out[0]]

    def scores(
        self, text: str, mode: str = "hybrid"
    ) -> tuple[list[float], list[float], list[float], list[list[float]]]:
        """(ranking scores, BM25, cosine, BM25 field shares) of every term for ``text``."""
        bm25, shares = self.bm25.scores(text)
        cos = cosines(self.encode(text), self.vectors) if mode != "bm25" else [0.0] * len(bm25)
        if mode == "bm25":
            final = bm25
        elif mode == "encoder":
            final = cos
        else:
            final = fuse(bm25, cos, self.weight)
        return final, bm25, cos, shares

    def ask(self, text: str, top: int = 5, mode: str = "hybrid") -> list[Answer]:
        final, bm25, cos, shares = self.scores(text, mode)
        out = []
        for rank, i in enumerate(order(final, self.slugs)[:top], start=1):
            match = explain(self.bm25, i, text, shares[i])
            t = self.terms[i]
            out.append(
                Answer(rank, t["slug"], t["term"], t["summary"], final[i], bm25[i], cos[i], match.words, match.field)
            )
        return out
