"""``engine build-ask``: train the Ask encoder, choose the fusion weight on dev pairs, write docs/demos/ask/.

The folder holds ``encoder.int8.onnx`` (the fine-tuned encoder), ``pretrained.int8.onnx`` (the same
encoder after pre-training only, for the comparison), ``vectors.i8`` (one int8 vector per term),
``index.json`` (terms, the BM25F index, the vectors' scales and the fusion weight) and
``manifest.json`` (recipe, seeds, corpus hashes, curves, dev metrics, every file's sha256), written
atomically. Nothing here looks at the evaluation queries in ``bench/``.
"""

from __future__ import annotations

import hashlib
import json
import random
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from aiglossary_engine import DEFAULT_OPSET, PRODUCER, __version__
from aiglossary_engine.ask.entries import FIELDS, TermDoc, load_descriptions, load_term_docs
from aiglossary_engine.ask.rank import Bm25Index, fuse, order
from aiglossary_engine.ask.text import MAX_FEATURES, feature_ids
from aiglossary_engine.ask.train import (
    BUDGETS,
    DEV_EVERY,
    AskBudget,
    BagEncoder,
    Featurizer,
    Pairs,
    content_words,
    finetune,
    names_of,
    paragraphs,
    pretrain,
    split_pairs,
)
from aiglossary_engine.demos.common import BuildContext, finish_build
from aiglossary_engine.errors import EngineError

ASK_ID = "ask"
SEED = 1234
CENTROID_CHOICES = [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 1000.0]  # how much an entry's own sentences add to its vector
TUNED_ON = "the development queries (bench/ask_dev_queries.yaml)"
CENTROID = 1000.0
"""The shipped term vectors' centroid weight; chosen on the development queries with bench/ask_tune.py."""
FUSION_WEIGHT = 0.4
"""The shipped weight of z(BM25) against z(cosine); chosen on the development queries with bench/ask_tune.py."""
INDEX = "index.json"
VECTORS = "vectors.i8"


def description_words(items: list[dict[str, Any]], slugs: list[str]) -> list[list[list[str]]]:
    """Per term, the content words of the reader descriptions written for it (its own term only)."""
    pos = {s: i for i, s in enumerate(slugs)}
    out: list[list[list[str]]] = [[] for _ in slugs]
    for item in items:
        if item["term"] in pos:
            ws = content_words(item["q"])
            if ws:
                out[pos[item["term"]]].append(ws)
    return out


# ---- ONNX ----------------------------------------------------------------------------------------


def glossary_paragraphs(pairs: Pairs) -> list[list[str]]:
    """The glossary's prose for pre-training: paragraphs of four consecutive training sentences of each
    entry (held-out sentences excluded), those of at least 12 words."""
    gloss = []
    for mine in pairs.train:
        words_ = [ws for _, ws in mine]
        for i in range(0, len(words_), 4):
            chunk = [w for ws in words_[i : i + 4] for w in ws]
            if len(chunk) >= 12:
                gloss.append(chunk)
    return gloss


def export_encoder(model: BagEncoder, out: Path, meta: dict[str, str]) -> None:
    """fp32 export (opset 20, IR 10), int8 weights for the embedding table, checked against PyTorch."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from aiglossary_engine.export import _finish, _quiet
    from aiglossary_engine.runtime import session_options

    model = model.eval()
    with tempfile.TemporaryDirectory(prefix=".ask-export-", dir=out.parent) as tmp:
        fp32, q8 = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        batch = torch.export.Dim("batch", min=1, max=4096)
        seq = torch.export.Dim("seq", min=1, max=MAX_FEATURES)
        with _quiet():
            program = torch.onnx.export(
                model,
                (torch.ones(2, 5, dtype=torch.long),),
                dynamo=True,
                opset_version=DEFAULT_OPSET,
                input_names=["ids"],
                output_names=["vector"],
                dynamic_shapes={"ids": {0: batch, 1: seq}},
                verbose=False,
            )
        if program is None:
            raise EngineError("the ONNX exporter returned no program")
        program.save(str(fp32), external_data=False)
        _finish(fp32, meta | {"precision": "fp32"})
        with _quiet(""):
            quantize_dynamic(str(fp32), str(q8), weight_type=QuantType.QInt8, op_types_to_quantize=["Gather"])
        _finish(q8, meta | {"precision": "int8"})
        gen = torch.Generator().manual_seed(0)
        ids = torch.randint(1, model.emb.num_embeddings, (7, 40), generator=gen)
        ids[3, 20:] = 0
        with torch.no_grad():
            ref = model(ids).numpy()
        for path, tol in ((fp32, 1e-4), (q8, 0.05)):
            session = ort.InferenceSession(str(path), session_options(), providers=["CPUExecutionProvider"])
            got = session.run(None, {"ids": ids.numpy()})[0]
            worst = float(np.abs(got - ref).max())
            if worst > tol:
                raise EngineError(f"{path.name}: onnxruntime differs from PyTorch by {worst:.3g} > {tol}")
        q8.replace(out)


class OnnxEncoder:
    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        from aiglossary_engine.runtime import session_options

        self.session = ort.InferenceSession(str(path), session_options(), providers=["CPUExecutionProvider"])
        self.buckets = int(dict(self.session.get_modelmeta().custom_metadata_map)["buckets"])
        self._cache: dict[str, list[float]] = {}

    def encode(self, text: str) -> list[float]:
        """One text at a time, as the browser and ``engine ask`` do (cached: the dev check asks again)."""
        if text not in self._cache:
            ids = feature_ids(text, self.buckets) or [0]
            out = self.session.run(None, {"ids": np.array([ids], dtype=np.int64)})[0]
            self._cache[text] = [float(x) for x in out[0]]
        return self._cache[text]


# ---- term vectors ----------------------------------------------------------------------------------


def term_vectors(enc: OnnxEncoder, docs: list[TermDoc], centroid: float, snippets: list[list[str]]) -> np.ndarray:
    out = []
    for doc, texts in zip(docs, snippets, strict=True):
        v = np.array(enc.encode(doc.fields["term"]), dtype=np.float64)
        if centroid and texts:
            v = v + centroid * np.mean([enc.encode(t) for t in texts], axis=0)
        out.append(v / (np.linalg.norm(v) or 1.0))
    return np.array(out)


def quantize_rows(vectors: np.ndarray) -> tuple[bytes, list[float]]:
    """int8 rows with one scale each: v ~= q * scale."""
    scales = [float(np.float32(np.abs(v).max() / 127 or 1.0)) for v in vectors]
    q = np.array([np.clip(np.round(v / s), -127, 127) for v, s in zip(vectors, scales, strict=True)], dtype=np.int8)
    return q.tobytes(), scales


def dequantize(data: bytes, scales: list[float], dim: int) -> list[list[float]]:
    q = np.frombuffer(data, dtype=np.int8).reshape(len(scales), dim)
    return [[float(x) * s for x in row] for row, s in zip(q.tolist(), scales, strict=True)]


# ---- dev evaluation --------------------------------------------------------------------------------


def ranks_of(score_lists: list[list[float]], targets: list[int], slugs: list[str]) -> list[int]:
    return [order(s, slugs).index(t) + 1 for s, t in zip(score_lists, targets, strict=True)]


def recall_mrr(ranks: list[int]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "recall_at_1": round(sum(r == 1 for r in ranks) / n, 4),
        "recall_at_5": round(sum(r <= 5 for r in ranks) / n, 4),
        "mrr": round(sum(1 / r for r in ranks) / n, 4),
    }


def dev_fields(docs: list[TermDoc], pairs: Pairs) -> list[dict[str, str]]:
    """Each entry's BM25 fields rebuilt from its training sentences only (the dev ones left out)."""
    kind_field = {
        "summary": "summary",
        "definition": "definition",
        "phrase": "phrases",
        "example": "examples",
        "misconception": "misconceptions",
        "explanation": "explanation",
        "analogy": "analogy",
        "why": "why_it_matters",
    }
    out = []
    for t, doc in enumerate(docs):
        held = {text for tt, text in pairs.dev_texts if tt == t}
        fields = {name: "" for name in FIELDS}
        for name in ("term", "where_used", "comparison"):  # no sentences of these are held out
            fields[name] = doc.fields[name]
        for kind, text in doc.snippets:
            if kind in kind_field and text not in held:
                fields[kind_field[kind]] += " " + text
        out.append(fields)
    return out


def dev_scores(
    enc: OnnxEncoder, docs: list[TermDoc], pairs: Pairs, bm25: list[list[float]] | None = None
) -> tuple[list[list[float]], dict[float, list[list[float]]], list[int]]:
    """BM25 and encoder scores (per centroid weight) of every dev query; the target term indexes."""
    queries = [" ".join(ws) for _, _, ws in pairs.dev]
    if bm25 is None:
        index = Bm25Index.build(dev_fields(docs, pairs))
        bm25 = [index.scores(q)[0] for q in queries]
    held = [{text for tt, text in pairs.dev_texts if tt == t} for t in range(len(docs))]
    train_snips = [[text for _, text in d.snippets if text not in held[t]] for t, d in enumerate(docs)]
    qvecs = np.array([enc.encode(q) for q in queries])
    enc_scores = {}
    for c in CENTROID_CHOICES:
        vecs = term_vectors(enc, docs, c, train_snips)
        enc_scores[c] = (qvecs @ vecs.T).tolist()
    return bm25, enc_scores, [t for t, _, _ in pairs.dev]


# ---- the build -------------------------------------------------------------------------------------


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_ask(
    budget_name: str, ctx: BuildContext, reuse: dict[str, Any] | None = None, descriptions: Path | None = None
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Train (or, with ``reuse``, take the encoders of an existing folder), then write the index and vectors."""
    from aiglossary_engine.data import stdlib_text

    budget: AskBudget = BUDGETS[budget_name]
    docs = load_term_docs(ctx.glossary)
    pairs = split_pairs(docs)
    work = ctx.work
    work.mkdir(parents=True, exist_ok=True)
    enc_path, pre_path = work / "encoder.int8.onnx", work / "pretrained.int8.onnx"
    train_items: list[dict[str, Any]] = []
    desc_name = "none"
    if descriptions is not None and descriptions.exists():
        train_items = load_descriptions(descriptions, "train")
        desc_name = descriptions.as_posix()
        tune_items = load_descriptions(descriptions, "tune")
        slugs_ = {d.slug for d in docs}
        desc_corpus = {
            "file": desc_name,
            "sha256": _sha(descriptions.read_text("utf-8")),
            "train_part_for_these_terms": sum(i["term"] in slugs_ for i in train_items) if budget.described else 0,
            "tune_part_never_trained_on": len(tune_items),
            "split": "sha256 of the description's text mod 3 == 0: tune part; otherwise train part",
        }
    else:
        desc_corpus = {"file": None}
    if reuse is not None:
        folder, old = reuse["folder"], reuse["manifest"]
        enc_path.write_bytes((folder / old["models"]["encoder"]["file"]).read_bytes())
        pre_path.write_bytes((folder / old["models"]["pretrained"]["file"]).read_bytes())
        trained = {k: old[k] for k in ("seeds", "curves")}
        trained["stdlib"] = old["corpora"]["stdlib"]
        trained["gloss_paragraphs"] = old["corpora"]["glossary"]["paragraphs"]
        trained["best_step"] = old["chosen"]["finetune_best_step"]
        trained["best_r1"] = old["metrics"]["finetune_best_dev_recall_at_1_fp32"]
        trained["recipe"] = {k: v for k, v in old["recipe"].items() if k in {*asdict(budget), "seed", "dev_every"}}
        trained["descriptions"] = old["corpora"].get("descriptions", {"file": None})
        ctx.log(f"ask: reusing the encoders of {folder} (no training)")
    else:
        torch.manual_seed(SEED)
        rng = random.Random(SEED)
        cards = [content_words(d.fields["term"]) for d in docs]
        names = [names_of(d) for d in docs]
        feat = Featurizer(budget.buckets)
        stdlib = stdlib_text()
        paras = paragraphs(stdlib, budget.pretrain_paragraphs, rng)
        gloss = glossary_paragraphs(pairs)
        ctx.log(
            f"ask: {len(docs)} terms, {sum(len(m) for m in pairs.train)} training pairs, {len(pairs.dev)} dev pairs"
        )
        ctx.log(f"ask: pre-training on {len(paras)} docstring and {len(gloss)} glossary paragraphs")
        model = BagEncoder(budget.buckets, budget.dim)
        pre_curve = pretrain(model, paras + gloss, feat, budget, SEED, ctx.log)
        pretrained_state = {k: v.clone() for k, v in model.state_dict().items()}
        described = description_words(train_items, [d.slug for d in docs])
        if budget.described:
            ctx.log(
                f"ask: fine-tuning also on {sum(map(len, described))} reader descriptions (train part of {desc_name})"
            )
        ft_curve, best_step, best_r1 = finetune(
            model, cards, names, pairs, feat, budget, SEED + 1, ctx.log, described if budget.described else ()
        )
        meta = {
            "producer": PRODUCER,
            "engine_version": __version__,
            "task": "ask-encoder",
            "buckets": str(budget.buckets),
            "dim": str(budget.dim),
            "opset": str(DEFAULT_OPSET),
            "inputs": "ids int64 (batch, seq): hashed feature ids, 0 = padding",
            "outputs": "vector float32 (batch, dim): unit vectors",
        }
        export_encoder(model, enc_path, meta | {"stage": "fine-tuned"})
        pre_model = BagEncoder(budget.buckets, budget.dim)
        pre_model.load_state_dict(pretrained_state)
        export_encoder(pre_model, pre_path, meta | {"stage": "pre-trained only"})
        trained = {
            "seeds": [SEED],
            "curves": {"pretraining": pre_curve, "finetuning": ft_curve},
            "stdlib": {"sha256": _sha(stdlib), "chars": len(stdlib), "paragraphs": len(paras)},
            "gloss_paragraphs": len(gloss),
            "best_step": best_step,
            "best_r1": round(best_r1, 4),
            "recipe": {**asdict(budget), "seed": SEED, "dev_every": DEV_EVERY},
            "descriptions": desc_corpus,
        }
    return finish_ask(budget, docs, pairs, enc_path, pre_path, trained, ctx)


def finish_ask(
    budget: AskBudget,
    docs: list[TermDoc],
    pairs: Pairs,
    enc_path: Path,
    pre_path: Path,
    trained: dict[str, Any],
    ctx: BuildContext,
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The term vectors, the BM25F index and the manifest, with the ranking choices made on the dev queries."""
    slugs = [d.slug for d in docs]
    # Held-out entry sentences: measured for the manifest (and to pick the pre-trained-only encoder's
    # centroid, for the comparison); the shipped choices (CENTROID, FUSION_WEIGHT, the BM25F weights)
    # were made on the hand-written development queries with bench/ask_tune.py.
    enc, pre = OnnxEncoder(enc_path), OnnxEncoder(pre_path)
    bm25, enc_scores, targets = dev_scores(enc, docs, pairs)
    _, pre_scores, _ = dev_scores(pre, docs, pairs, bm25)

    def mrr_of(scores: list[list[float]]) -> float:
        return recall_mrr(ranks_of(scores, targets, slugs))["mrr"]

    pre_centroid = max(CENTROID_CHOICES, key=lambda c: (mrr_of(pre_scores[c]), -c))
    hybrid = [fuse(b, e, FUSION_WEIGHT) for b, e in zip(bm25, enc_scores[CENTROID], strict=True)]
    dev = {
        "pairs": len(targets),
        "bm25": recall_mrr(ranks_of(bm25, targets, slugs)),
        "encoder_pretrained_only": recall_mrr(ranks_of(pre_scores[pre_centroid], targets, slugs)),
        "encoder_finetuned": recall_mrr(ranks_of(enc_scores[CENTROID], targets, slugs)),
        "hybrid": recall_mrr(ranks_of(hybrid, targets, slugs)),
    }
    ctx.log(f"ask: held-out entry sentences {json.dumps(dev)}")

    # The shipped index: every field and sentence of every entry.
    index = Bm25Index.build([d.fields for d in docs])
    vectors = term_vectors(enc, docs, CENTROID, [[t for _, t in d.snippets] for d in docs])
    data, scales = quantize_rows(vectors)
    index_json = {
        "version": 1,
        "buckets": budget.buckets,
        "dim": budget.dim,
        "fusion_weight": FUSION_WEIGHT,
        "terms": [{"slug": d.slug, "term": d.term, "summary": d.summary} for d in docs],
        "bm25": index.to_json(),
        "vectors": {"file": VECTORS, "scales": scales},
    }
    files = {
        "encoder.int8.onnx": enc_path.read_bytes(),
        "pretrained.int8.onnx": pre_path.read_bytes(),
        VECTORS: data,
        INDEX: (json.dumps(index_json, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8"),
    }
    gloss_text = "\n".join(t for d in docs for _, t in d.snippets)
    manifest = {
        "recipe": {
            **trained["recipe"],
            "features": "stems, stem pairs and character 3-5-grams of words, FNV-1a hashed",
            "pretraining": "inverse cloze task on paragraphs, in-batch negatives",
            "finetuning": "entry sentence (names blanked 80% of the time) -> term card and -> another sentence "
            "of the entry, in-batch negatives, best dev recall@1 kept"
            + (
                f"; a {trained['recipe'].get('described', 0.0)} share of the queries drawn from the train part of "
                "the development descriptions"
                if trained["recipe"].get("described")
                else "; the development descriptions were not trained on (described = 0: using their train part "
                "did not beat this recipe on their tune part, bench/ask_train_tune.py)"
            ),
            "term_vector": "the encoded name + CENTROID x the mean of the encoded entry sentences, unit length",
            "ranking_choices": f"BM25F field weights, k1, b, CENTROID and the fusion weight chosen on {TUNED_ON} "
            "(bench/ask_tune.py), never on the evaluation queries; the encoder recipe and the fusion weight "
            "re-checked on the tune part of those queries (the part never trained on)",
        },
        "seeds": trained["seeds"],
        "corpora": {
            "stdlib": trained["stdlib"],
            "descriptions": trained["descriptions"],
            "glossary": {
                "sha256": _sha(gloss_text),
                "terms": len(docs),
                "paragraphs": trained["gloss_paragraphs"],
                "training_pairs": sum(len(m) for m in pairs.train),
                "dev_pairs": len(targets),
            },
        },
        "curves": trained["curves"],
        "chosen": {
            "centroid": CENTROID,
            "fusion_weight": FUSION_WEIGHT,
            "bm25_field_weights": dict(zip(index.fields, index.weights, strict=True)),
            "bm25_k1": index.k1,
            "bm25_b": index.b,
            "finetune_best_step": trained["best_step"],
            "pretrained_centroid": pre_centroid,
        },
        "metrics": {"dev": dev, "finetune_best_dev_recall_at_1_fp32": trained["best_r1"]},
        "models": {
            "encoder": {"file": "encoder.int8.onnx", "label": "Fine-tuned encoder"},
            "pretrained": {"file": "pretrained.int8.onnx", "label": "Pre-trained only"},
        },
        "index": {"file": INDEX, "vectors": VECTORS},
    }
    return files, manifest


def build_ask(
    out_root: Path,
    budget: str,
    ctx: BuildContext,
    rewrite: bool = False,
    reuse_encoders: bool = False,
    descriptions: Path | None = None,
) -> tuple[Path, dict[str, Any]]:
    import time

    if budget not in BUDGETS:
        raise EngineError(f"Invalid value for '--budget': must be one of {', '.join(BUDGETS)}, got '{budget}'.")
    started = time.perf_counter()
    previous = torch.get_num_threads()
    torch.set_num_threads(ctx.threads)
    try:
        reuse = None
        if reuse_encoders:
            from aiglossary_engine.demos.common import verify_demo

            folder = out_root / ASK_ID
            old = verify_demo(folder)
            if old.get("budget") != budget:
                raise EngineError(f"{folder} was built with --budget {old.get('budget')}, not {budget}")
            reuse = {"folder": folder, "manifest": old}
        files, manifest = run_ask(budget, ctx, reuse, descriptions)
    finally:
        torch.set_num_threads(previous)
    return finish_build(out_root, ASK_ID, budget, ctx, files, manifest, rewrite, started)
