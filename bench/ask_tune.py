"""Tune Ask's ranking choices on the DEVELOPMENT queries (bench/ask_dev_queries.yaml), never the evaluation ones.

By default only their tune part (``aiglossary_engine.ask.entries.is_tune``, about a third): the other
part may be fine-tuned on (``engine build-ask``'s ``--descriptions``), so it must not choose settings.
The shipped BM25F weights were chosen with ``--part all`` before that split existed.

With the committed encoder (no retraining), search by coordinate ascent over: the BM25F weight of
every candidate field (0 leaves a field out of the index), k1 and b, how much an entry's sentences add
to its term vector (``centroid``), and the fusion weight. The objective is recall@1 + MRR of the
hybrid on the dev queries. The search uses a vectorised BM25F (the same formula as
``aiglossary_engine.ask.rank``, equal to it within rounding) and the int8 term vectors as shipped; put
the result into ``rank.FIELD_WEIGHTS``, ``K1``, ``B`` and ``build.CENTROID``/``FUSION_WEIGHT``, run
``engine build-ask --reuse-encoders`` and check with ``bench/ask_bench.py --dev``. ``--maxsim`` also
tries mixing each entry's best-matching sentence into its cosine (the shipped ranking does not: it did
not pay on the dev queries).

Usage: .venv/bin/python bench/ask_tune.py [--queries bench/ask_dev_queries.yaml] [--part tune|all] [--rounds 3] [--maxsim]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from ask_bench import ASK, load_queries  # noqa: E402

START_WEIGHTS = {"term": 3.0, "summary": 2.0, "definition": 1.5, "phrases": 1.0, "misconceptions": 1.0, "examples": 1.0}
WEIGHT_GRID = [0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]
K1_GRID = [0.6, 0.9, 1.2, 1.6, 2.0, 3.0]
B_GRID = [0.3, 0.5, 0.75, 0.9]
CENTROID_GRID = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 1000.0]
MAXSIM_GRID = [0.0, 0.25, 0.5, 0.75, 1.0]
FUSION_GRID = [round(0.05 * i, 2) for i in range(21)]


class Tuner:
    def __init__(self, queries: list[dict], glossary: Path) -> None:
        from aiglossary_engine.ask.build import OnnxEncoder
        from aiglossary_engine.ask.entries import FIELDS, load_term_docs
        from aiglossary_engine.ask.rank import Bm25Index

        self.docs = load_term_docs(glossary)
        self.slugs = [d.slug for d in self.docs]
        pos = {s: i for i, s in enumerate(self.slugs)}
        self.queries = queries
        missing = sorted({e for q in queries for e in q["expected"] if e not in pos})
        if missing:
            print(f"warning: unknown slugs in queries: {missing}", file=sys.stderr)
        self.target = np.zeros((len(queries), len(self.docs)), dtype=bool)
        for i, q in enumerate(queries):
            for e in q["expected"]:
                if e in pos:
                    self.target[i, pos[e]] = True
        self.fields = FIELDS
        probe = Bm25Index.build([d.fields for d in self.docs], dict.fromkeys(FIELDS, 1.0))
        qtoks = [probe.query_tokens(q["q"]) for q in queries]
        vocab = sorted({t for ts in qtoks for t in ts})
        self.vocab = {t: i for i, t in enumerate(vocab)}
        nf, nd, nv = len(FIELDS), len(self.docs), len(vocab)
        self.tf = np.zeros((nf, nd, nv))
        self.len = np.array(probe.lengths, dtype=float).T  # field -> doc
        for d, per in enumerate(probe.tf):
            for f, counts in enumerate(per):
                for t, c in counts.items():
                    if t in self.vocab:
                        self.tf[f, d, self.vocab[t]] = c
        # df over a field set needs every token's presence, including tokens no query has (N only).
        self.qmat = np.zeros((len(queries), nv))
        for i, ts in enumerate(qtoks):
            for t in ts:
                self.qmat[i, self.vocab[t]] = 1.0
        enc = OnnxEncoder(ASK / "encoder.int8.onnx")
        self.qvec = np.array([enc.encode(q["q"]) for q in queries])
        self.name_vec = np.array([enc.encode(d.fields["term"]) for d in self.docs])
        self.snip_mean = np.array([np.mean([enc.encode(t) for _, t in d.snippets], axis=0) for d in self.docs])
        # Exploratory: the best-matching sentence of each entry (not shipped unless it pays).
        self.maxsim = np.stack(
            [(self.qvec @ np.array([enc.encode(t) for _, t in d.snippets]).T).max(axis=1) for d in self.docs], axis=1
        )
        self._cos: dict[float, np.ndarray] = {}

    def bm25(self, weights: dict[str, float], k1: float, b: float) -> np.ndarray:
        w = np.array([weights.get(f, 0.0) for f in self.fields])
        on = w > 0
        n = self.tf.shape[1]
        present = (self.tf[on] > 0).any(axis=0)  # doc x vocab
        df = present.sum(axis=0)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        lens = self.len
        avg = np.where(lens.mean(axis=1) > 0, lens.mean(axis=1), 1.0)
        norm = 1.0 - b + b * lens / avg[:, None]  # field x doc
        weighted = np.einsum("f,fdv->dv", w, self.tf / norm[:, :, None])
        gain = np.where(weighted > 0, idf[None, :] * weighted / (k1 + weighted), 0.0)
        return self.qmat @ gain.T

    def cos(self, centroid: float) -> np.ndarray:
        from aiglossary_engine.ask.build import dequantize, quantize_rows

        if centroid not in self._cos:
            v = self.name_vec + centroid * self.snip_mean
            v = v / np.linalg.norm(v, axis=1, keepdims=True)
            data, scales = quantize_rows(v)
            vq = np.array(dequantize(data, scales, v.shape[1]))
            self._cos[centroid] = self.qvec @ vq.T
        return self._cos[centroid]

    def metrics(self, scores: np.ndarray) -> dict[str, float]:
        best = np.where(self.target, scores, -np.inf).max(axis=1)
        rank = (scores > best[:, None]).sum(axis=1) + 1
        return {
            "R@1": float((rank == 1).mean()),
            "R@5": float((rank <= 5).mean()),
            "MRR": float((1.0 / rank).mean()),
        }

    @staticmethod
    def z(x: np.ndarray) -> np.ndarray:
        sd = x.std(axis=1, keepdims=True)
        return np.where(sd > 0, (x - x.mean(axis=1, keepdims=True)) / np.where(sd > 0, sd, 1.0), 0.0)

    def hybrid(self, bm: np.ndarray, cos: np.ndarray, fusion: float) -> np.ndarray:
        return fusion * self.z(bm) + (1.0 - fusion) * self.z(cos)

    def objective(self, m: dict[str, float]) -> float:
        return m["R@1"] + m["MRR"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=Path, default=ROOT / "bench" / "ask_dev_queries.yaml")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--maxsim", action="store_true", help="Also try mixing in each entry's best sentence.")
    parser.add_argument(
        "--part",
        choices=("tune", "all"),
        default="tune",
        help="tune (default): only the development queries the encoder was not fine-tuned on; all: every one "
        "(what chose the BM25F weights, before the encoder was fine-tuned on the train part)",
    )
    args = parser.parse_args()
    if args.queries.name == "ask_queries.yaml":
        raise SystemExit("ask_tune.py tunes on the development queries only, never on bench/ask_queries.yaml")
    started = time.perf_counter()
    queries = load_queries(args.queries)
    if args.part == "tune":
        from aiglossary_engine.ask.entries import is_tune

        queries = [q for q in queries if is_tune(q["q"])]
    tuner = Tuner(queries, ROOT / "glossary")
    print(f"{len(tuner.queries)} dev queries, {len(tuner.slugs)} terms ({time.perf_counter() - started:.0f} s setup)")

    # The search starts from the choices made before the development queries existed.
    state = {
        "weights": dict.fromkeys(tuner.fields, 0.0) | START_WEIGHTS,
        "k1": 1.2,
        "b": 0.75,
        "centroid": 8.0,
        "maxsim": 0.0,
    }

    def evaluate(st: dict) -> tuple[float, float, dict[str, float], dict[str, float], dict[str, float]]:
        bm = tuner.bm25(st["weights"], st["k1"], st["b"])
        cos = tuner.cos(st["centroid"])
        if st.get("maxsim"):
            cos = (1.0 - st["maxsim"]) * cos + st["maxsim"] * tuner.maxsim
        best = max(FUSION_GRID, key=lambda w: (tuner.objective(tuner.metrics(tuner.hybrid(bm, cos, w))), -abs(w - 0.5)))
        m = tuner.metrics(tuner.hybrid(bm, cos, best))
        return tuner.objective(m), best, m, tuner.metrics(bm), tuner.metrics(cos)

    def show(label: str, st: dict) -> None:
        obj, fusion, m, mb, mc = evaluate(st)
        print(
            f"{label}: obj {obj:.4f} fusion {fusion} hybrid {fmt(m)} | bm25 {fmt(mb)} | enc {fmt(mc)}\n"
            f"    k1 {st['k1']} b {st['b']} centroid {st['centroid']} maxsim {st['maxsim']} weights "
            f"{ {f: w for f, w in st['weights'].items() if w} }"
        )

    show("start (the committed choices)", state)
    for rnd in range(args.rounds):
        changed = False
        knobs = [("centroid", CENTROID_GRID), ("k1", K1_GRID), ("b", B_GRID)]
        knobs += [("maxsim", MAXSIM_GRID)] if args.maxsim else []
        knobs += [(("weights", f), WEIGHT_GRID) for f in tuner.fields]
        for key, grid in knobs:
            scored = []
            for value in grid:
                st = json.loads(json.dumps(state))
                if isinstance(key, tuple):
                    st["weights"][key[1]] = value
                    if not any(st["weights"].values()):
                        continue
                else:
                    st[key] = value
                scored.append((evaluate(st)[0], value, st))
            current = evaluate(state)[0]
            obj, value, st = max(scored, key=lambda x: x[0])
            if obj > current + 1e-9:
                state, changed = st, True
                print(f"  round {rnd + 1}: {key} -> {value} (obj {obj:.4f})")
        show(f"after round {rnd + 1}", state)
        if not changed:
            break
    _, fusion, *_ = evaluate(state)
    print(json.dumps({**state, "fusion": fusion}, indent=1))
    print(f"({time.perf_counter() - started:.0f} s)")


def fmt(m: dict[str, float]) -> str:
    return f"R@1 {m['R@1']:.3f} R@5 {m['R@5']:.3f} MRR {m['MRR']:.3f}"


if __name__ == "__main__":
    main()
