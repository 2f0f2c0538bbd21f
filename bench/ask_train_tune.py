"""Train Ask encoder variants and score them on the TUNE part of the development queries.

The development descriptions (bench/ask_dev_queries.yaml) are split by a hash of their text
(``aiglossary_engine.ask.entries.is_tune``): about two thirds may be fine-tuned on, one third (the
tune part) chooses settings. This script never reads the evaluation queries (bench/ask_queries.yaml).

Each run pre-trains (cached per dimension and step count under --cache), fine-tunes with the given
settings and prints, every ``eval_every`` steps, the encoder alone and the hybrid (shipped BM25F, the
fusion weight at 0.4 and at its best on the tune part) on the tune part, in fp32.

Usage: nice -n 15 .venv/bin/python bench/ask_train_tune.py --label NAME [--dim 64] [--described 0.5] ...
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from aiglossary_engine.ask.build import SEED, description_words, glossary_paragraphs
    from aiglossary_engine.ask.entries import load_descriptions, load_term_docs
    from aiglossary_engine.ask.rank import Bm25Index
    from aiglossary_engine.ask.train import (
        BUDGETS,
        BagEncoder,
        Featurizer,
        content_words,
        encode_words,
        finetune,
        names_of,
        paragraphs,
        pretrain,
        split_pairs,
    )
    from aiglossary_engine.data import stdlib_text

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", required=True)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/ask-train-tune"))
    parser.add_argument("--no-train-descriptions", action="store_true", help="Fine-tune on the entries only.")
    for f in dataclasses.fields(BUDGETS["full"]):
        value = getattr(BUDGETS["full"], f.name)
        parser.add_argument("--" + f.name.replace("_", "-"), type=type(value), default=value)
    args = parser.parse_args()
    torch.set_num_threads(1)
    budget = dataclasses.replace(
        BUDGETS["full"], **{f.name: getattr(args, f.name) for f in dataclasses.fields(BUDGETS["full"])}
    )
    started = time.perf_counter()
    docs = load_term_docs(ROOT / "glossary")
    slugs = [d.slug for d in docs]
    pos = {s: i for i, s in enumerate(slugs)}
    pairs = split_pairs(docs)
    dev_path = ROOT / "bench" / "ask_dev_queries.yaml"
    tune = load_descriptions(dev_path, "tune")
    described = description_words(load_descriptions(dev_path, "train"), slugs)
    if args.no_train_descriptions:
        described = [[] for _ in docs]
    target = np.zeros((len(tune), len(docs)), dtype=bool)
    for i, q in enumerate(tune):
        for s in [q["term"], *q["also"]]:
            if s in pos:
                target[i, pos[s]] = True
    index = Bm25Index.build([d.fields for d in docs])
    bm = np.array([index.scores(q["q"])[0] for q in tune])

    def metrics(scores: np.ndarray) -> dict[str, float]:
        best = np.where(target, scores, -np.inf).max(axis=1)
        rank = (scores > best[:, None]).sum(axis=1) + 1
        return {"R@1": float((rank == 1).mean()), "R@5": float((rank <= 5).mean()), "MRR": float((1 / rank).mean())}

    def z(x: np.ndarray) -> np.ndarray:
        return (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True)

    def fused(cos: np.ndarray) -> tuple[dict[float, dict[str, float]], float]:
        """The hybrid at every fusion weight 0, 0.05, ..., 1, and the best weight (ties: nearest 0.4)."""
        grid = {w: metrics(w * z(bm) + (1 - w) * z(cos)) for w in [round(0.05 * i, 2) for i in range(21)]}
        return grid, max(grid, key=lambda w: (grid[w]["R@1"] + grid[w]["MRR"], -abs(w - 0.4)))

    def report(label: str, cos: np.ndarray) -> None:
        grid, wb = fused(cos)
        m = metrics(cos)
        print(
            f"    {label}: enc {m['R@1']:.3f}/{m['R@5']:.3f}/{m['MRR']:.3f} "
            f"hyb@{wb} {grid[wb]['R@1']:.3f}/{grid[wb]['R@5']:.3f}/{grid[wb]['MRR']:.3f}"
        )

    print(f"[{args.label}] tune part: {len(tune)} descriptions; BM25F alone {metrics(bm)}")
    feat = Featurizer(budget.buckets)
    snips = [[content_words(t) for _, t in d.snippets] for d in docs]
    flat = [s for ss in snips for s in ss]
    sizes = [len(ss) for ss in snips]
    qwords = [content_words(q["q"]) for q in tune]
    names = [content_words(d.fields["term"]) for d in docs]
    results: list[dict] = []

    def probe(step: int, model: BagEncoder) -> None:
        e = encode_words(model, feat, flat).numpy().astype(np.float64)
        parts = np.split(e, np.cumsum(sizes)[:-1])
        nv = encode_words(model, feat, names).numpy().astype(np.float64)
        v = np.stack([n + 1000.0 * p.mean(axis=0) for n, p in zip(nv, parts, strict=True)])
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        qv = encode_words(model, feat, qwords).numpy().astype(np.float64)
        cos = qv @ v.T
        enc = metrics(cos)
        if any(described):
            dv = [
                encode_words(model, feat, ds).numpy().astype(np.float64).mean(axis=0) if ds else None
                for ds in described
            ]
            for a in (0.5, 1.0, 2.0):
                vm = np.stack([x if d is None else x + a * d / np.linalg.norm(d) for x, d in zip(v, dv, strict=True)])
                vm /= np.linalg.norm(vm, axis=1, keepdims=True)
                report(f"desc-mix {a}", qv @ vm.T)
        grid, wbest = fused(cos)
        row = {"step": step, "enc": enc, "hyb@0.4": grid[0.4], "w": wbest, "hyb@w": grid[wbest]}
        if table is not None:
            tv = table.detach().numpy().astype(np.float64)
            tv /= np.linalg.norm(tv, axis=1, keepdims=True)
            ct = qv @ tv.T
            for mix in (1.0, 0.5):
                report(f"table {mix}", mix * ct + (1 - mix) * cos)
            row["table"] = metrics(ct)
        results.append(row)
        f = lambda m: f"{m['R@1']:.3f}/{m['R@5']:.3f}/{m['MRR']:.3f}"  # noqa: E731
        print(
            f"[{args.label}] step {step}: enc {f(enc)} hyb@0.4 {f(grid[0.4])} hyb@{wbest} {f(grid[wbest])}", flush=True
        )

    args.cache.mkdir(parents=True, exist_ok=True)
    key = args.cache / f"pre-b{budget.buckets}-d{budget.dim}-s{budget.pretrain_steps}-t{budget.temperature}.pt"
    torch.manual_seed(SEED)
    model = BagEncoder(budget.buckets, budget.dim)
    if key.exists():
        model.load_state_dict(torch.load(key, weights_only=True))
    else:
        rng = random.Random(SEED)
        paras = paragraphs(stdlib_text(), budget.pretrain_paragraphs, rng)
        pretrain(model, paras + glossary_paragraphs(pairs), feat, budget, SEED, print)
        torch.save(model.state_dict(), key)
    table = None
    if budget.table:
        with torch.no_grad():
            e = encode_words(model, feat, flat)
            table = torch.stack([p.mean(dim=0) for p in torch.split(e, sizes)]).clone().requires_grad_(True)
    probe(0, model)
    cards = [content_words(d.fields["term"]) for d in docs]
    _, best_step, best_r1 = finetune(
        model,
        cards,
        [names_of(d) for d in docs],
        pairs,
        feat,
        budget,
        SEED + 1,
        lambda _m: None,
        described,
        probe,
        table,
    )
    print(
        f"[{args.label}] held-out-sentence best step {best_step} r1 {best_r1:.3f}; {time.perf_counter() - started:.0f} s"
    )
    out = args.cache / "results.jsonl"
    with out.open("a") as fh:
        fh.write(
            json.dumps(
                {
                    "label": args.label,
                    "budget": dataclasses.asdict(budget),
                    "best_step": best_step,
                    "descriptions": not args.no_train_descriptions,
                    "curve": results,
                }
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
