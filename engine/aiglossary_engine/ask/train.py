"""The Ask encoder: a mean-pooled bag of hashed words, word pairs and character n-grams, then a linear map.

Two stages, both contrastive with in-batch negatives (InfoNCE, both directions):

1. Pre-training on the shipped text (CPython's docstrings and the glossary's prose, as paragraphs):
   the inverse cloze task. A span of a paragraph must find the rest of its paragraph among the
   other paragraphs of the batch. No term is named; nothing is labelled.
2. Fine-tuning on pairs generated from the entries: a sentence of a definition, explanation, example,
   misconception, phrase or "why it matters" (the term's own names usually blanked out, as a reader who
   does not know the word would write it) must find its term's card (term and aliases), and another
   sentence of the same entry, among those of the other terms of the batch. A fixed share of each entry's sentences is held out: the dev pairs on
   which early stopping and the fusion weight are chosen.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import torch
import torch.nn as nn
import torch.nn.functional as F

from aiglossary_engine.ask.entries import TermDoc
from aiglossary_engine.ask.text import MAX_FEATURES, NGRAMS, STOP_WORDS, fnv1a, stem, words


@dataclass(frozen=True)
class AskBudget:
    buckets: int
    dim: int
    pretrain_steps: int
    finetune_steps: int
    batch: int
    pretrain_paragraphs: int  # at most this many docstring paragraphs
    eval_every: int
    lr: float = 3e-3
    temperature: float = 0.05
    described: float = 0.0  # share of fine-tuning queries drawn from the reader descriptions, where a term has some
    proto: int = 0  # >0: also train each query against its term's vector (the mean of this many of its sentences)
    table: float = (
        0.0  # >0: also train a table of term vectors (shipped instead of the sentence centroids), this loss weight
    )


BUDGETS = {
    "full": AskBudget(
        buckets=32768,
        dim=64,
        pretrain_steps=800,
        finetune_steps=800,
        batch=256,
        pretrain_paragraphs=40000,
        eval_every=100,
    ),
    "ci": AskBudget(
        buckets=2048, dim=16, pretrain_steps=20, finetune_steps=20, batch=32, pretrain_paragraphs=500, eval_every=10
    ),
}
DEV_EVERY = 6
"""Every DEV_EVERY-th sentence of an entry (after its summary) is held out as a dev pair."""


class BagEncoder(nn.Module):
    """ids (B, T) int64, 0 = padding -> unit vectors (B, dim)."""

    def __init__(self, buckets: int, dim: int) -> None:
        super().__init__()
        self.emb = nn.Embedding(buckets, dim, padding_idx=0)
        self.proj = nn.Linear(dim, dim, bias=False)
        nn.init.normal_(self.emb.weight, std=0.1)
        with torch.no_grad():
            self.emb.weight[0].zero_()
        nn.init.eye_(self.proj.weight)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        count = (ids > 0).sum(dim=1, keepdim=True).clamp(min=1).to(torch.float32)  # (B, 1)
        return self._head(self.emb(ids).sum(dim=1) / count)  # (B, D)

    def bags(self, rows: Sequence[Sequence[int]]) -> torch.Tensor:
        """The same as ``forward`` for unpadded rows of ids (training: no padding to gather)."""
        flat = torch.tensor([i for r in rows for i in r] or [0], dtype=torch.long)
        offsets = torch.tensor([0, *itertools.accumulate(len(r) for r in rows)][:-1], dtype=torch.long)
        count = torch.tensor([[max(1, len(r))] for r in rows], dtype=torch.float32)
        summed = F.embedding_bag(flat, self.emb.weight, offsets, mode="sum", padding_idx=0)
        return self._head(summed / count)

    def _head(self, pooled: torch.Tensor) -> torch.Tensor:
        out = self.proj(pooled)
        return out / torch.sqrt((out * out).sum(dim=1, keepdim=True) + 1e-12)


class Featurizer:
    """Feature ids of word lists, cached per word (the same ids as ``text.feature_ids``)."""

    def __init__(self, buckets: int) -> None:
        self.buckets = buckets
        self._word = lru_cache(maxsize=None)(self._word_ids)
        self._pair = lru_cache(maxsize=None)(self._pair_id)

    def _id(self, feature: str) -> int:
        return 1 + fnv1a(feature) % (self.buckets - 1)

    def _word_ids(self, w: str) -> tuple[int, tuple[int, ...]]:
        padded = f"<{w}>"
        grams = [self._id(f"c:{padded[i : i + n]}") for n in NGRAMS for i in range(len(padded) - n + 1)]
        return self._id(f"w:{stem(w)}"), tuple(grams)

    def _pair_id(self, a: str, b: str) -> int:
        return self._id(f"b:{stem(a)}_{stem(b)}")

    def ids(self, kept: Sequence[str]) -> list[int]:
        """kept: folded words without stop words, in order."""
        per = [self._word(w) for w in kept]
        out = [u for u, _ in per]
        out += [self._pair(a, b) for a, b in itertools.pairwise(kept)]
        for _, grams in per:
            out += grams
        return out[:MAX_FEATURES]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOP_WORDS]


def pad(rows: Sequence[Sequence[int]]) -> torch.Tensor:
    width = max(1, max(len(r) for r in rows))
    out = torch.zeros(len(rows), width, dtype=torch.long)
    for i, r in enumerate(rows):
        out[i, : len(r)] = torch.tensor(r, dtype=torch.long)
    return out


def info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float) -> torch.Tensor:
    logits = a @ b.T / temperature
    target = torch.arange(len(a))
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target))


# ---- data ----------------------------------------------------------------------------------------


def paragraphs(text: str, limit: int, rng: random.Random) -> list[list[str]]:
    """Prose paragraphs (at least 12 content words, mostly letters) as content-word lists."""
    out = []
    for para in re.split(r"\n\s*\n", text):
        if para.count("    ") > 2 or ">>>" in para:  # code, doctests
            continue
        kept = content_words(para)
        if len(kept) >= 12 and sum(w.isalpha() for w in kept) >= 0.8 * len(kept):
            out.append(kept)
    rng.shuffle(out)
    return out[:limit]


def names_of(doc: TermDoc) -> list[list[str]]:
    return [words(n) for n in doc.fields["term"].split(" ; ") if words(n)]


def blank_names(ws: list[str], names: list[list[str]]) -> list[str]:
    """``ws`` without any occurrence of the term's names (and their plurals)."""
    out, i = [], 0
    while i < len(ws):
        for name in names:
            n = len(name)
            if [stem(w) for w in ws[i : i + n]] == [stem(w) for w in name]:
                i += n
                break
        else:
            out.append(ws[i])
            i += 1
    return out


@dataclass
class Pairs:
    train: list[list[tuple[str, list[str]]]]  # per term: (kind, content words)
    dev: list[tuple[int, str, list[str]]]  # (term index, kind, content words, names blanked)
    dev_texts: list[tuple[int, str]]  # (term index, raw sentence) for the BM25 side of the dev check


def split_pairs(docs: Sequence[TermDoc]) -> Pairs:
    train: list[list[tuple[str, list[str]]]] = []
    dev: list[tuple[int, str, list[str]]] = []
    dev_texts: list[tuple[int, str]] = []
    for t, doc in enumerate(docs):
        names = names_of(doc)
        mine = []
        for i, (kind, text) in enumerate(doc.snippets):
            kept = content_words(text)
            if i % DEV_EVERY == DEV_EVERY - 1 and kind != "summary":
                blanked = blank_names(kept, names)
                if len(blanked) >= 3:
                    dev.append((t, kind, blanked))
                    dev_texts.append((t, text))
                    continue
            mine.append((kind, kept))
        train.append(mine)
    return Pairs(train, dev, dev_texts)


# ---- training --------------------------------------------------------------------------------------


def _crop(ws: list[str], rng: random.Random, lo: int, hi: int) -> list[str]:
    if len(ws) <= lo:
        return ws
    n = rng.randint(lo, min(hi, len(ws)))
    start = rng.randint(0, len(ws) - n)
    return ws[start : start + n]


def _dropout(ws: list[str], rng: random.Random, p: float) -> list[str]:
    kept = [w for w in ws if rng.random() >= p]
    return kept or ws


def pretrain(
    model: BagEncoder,
    paras: list[list[str]],
    feat: Featurizer,
    budget: AskBudget,
    seed: int,
    log: Callable[[str], None],
) -> list[list[float]]:
    """Inverse cloze task; returns the curve [[step, loss], ...]."""
    rng = random.Random(seed)
    opt = torch.optim.Adam(model.parameters(), lr=budget.lr)
    curve, running = [], 0.0
    for step in range(1, budget.pretrain_steps + 1):
        batch = rng.sample(paras, min(budget.batch, len(paras)))
        queries, contexts = [], []
        for para in batch:
            n = rng.randint(4, min(16, len(para) // 2))
            start = rng.randint(0, len(para) - n)
            span = para[start : start + n]
            rest = para[:start] + para[start + n :] if rng.random() < 0.9 else para
            queries.append(feat.ids(_dropout(span, rng, 0.1)))
            contexts.append(feat.ids(rest[:80]))
        lr = budget.lr * min(1.0, step / 50) * 0.5 * (1 + math.cos(math.pi * step / budget.pretrain_steps))
        for g in opt.param_groups:
            g["lr"] = lr
        loss = info_nce(model.bags(queries), model.bags(contexts), budget.temperature)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        running += float(loss.detach())
        if step % budget.eval_every == 0 or step == budget.pretrain_steps:
            k = budget.eval_every if step % budget.eval_every == 0 else step % budget.eval_every
            curve.append([step, round(running / k, 4)])
            log(f"pre-train step {step}/{budget.pretrain_steps}: loss {running / k:.3f}")
            running = 0.0
    return curve


def encode_words(model: BagEncoder, feat: Featurizer, texts: Sequence[Sequence[str]], chunk: int = 512) -> torch.Tensor:
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), chunk):
            out.append(model.bags([feat.ids(list(t)) for t in texts[i : i + chunk]]))
    model.train()
    return torch.cat(out) if out else torch.zeros(0, model.proj.out_features)


def dev_recall(model: BagEncoder, feat: Featurizer, cards: list[list[str]], pairs: Pairs) -> float:
    """Recall@1 of the encoder alone on the dev pairs, against the cards."""
    if not pairs.dev:
        return 0.0
    c = encode_words(model, feat, cards)
    q = encode_words(model, feat, [ws for _, _, ws in pairs.dev])
    best = (q @ c.T).argmax(dim=1)
    return float(sum(int(b) == t for b, (t, _, _) in zip(best.tolist(), pairs.dev, strict=True)) / len(pairs.dev))


def finetune(
    model: BagEncoder,
    cards: list[list[str]],
    names: list[list[list[str]]],
    pairs: Pairs,
    feat: Featurizer,
    budget: AskBudget,
    seed: int,
    log: Callable[[str], None],
    described: Sequence[Sequence[list[str]]] = (),
    probe: Callable[[int, BagEncoder], None] | None = None,
    table: torch.Tensor | None = None,
) -> tuple[list[list[float]], int, float]:
    """Pairs -> cards with in-batch negatives, keeping the weights of the best dev recall@1.

    ``described``: per term, reader-written descriptions (content words) used as extra queries, a
    ``budget.described`` share of the time for the terms that have any.

    Returns the curve [[step, loss, dev recall@1], ...], the best step and its dev recall@1.
    """
    rng = random.Random(seed)
    params = list(model.parameters()) + ([table] if table is not None else [])
    opt = torch.optim.Adam(params, lr=budget.lr / 3)
    terms = [t for t in range(len(cards)) if pairs.train[t]]
    best = (dev_recall(model, feat, cards, pairs), 0)
    best_state = {k: v.clone() for k, v in model.state_dict().items()}
    best_table = table.detach().clone() if table is not None else None
    curve: list[list[float]] = [[0, float("nan"), round(best[0], 4)]]
    running = 0.0
    for step in range(1, budget.finetune_steps + 1):
        chosen = rng.sample(terms, min(budget.batch, len(terms)))
        queries, keys, others, protos = [], [], [], []
        for t in chosen:
            k = rng.randrange(len(pairs.train[t]))
            if described and described[t] and rng.random() < budget.described:
                ws = _dropout(list(rng.choice(described[t])), rng, 0.1)
            else:
                ws = pairs.train[t][k][1]
                if rng.random() < 0.8:
                    ws = blank_names(ws, names[t])
                ws = _dropout(_crop(ws, rng, 4, 20), rng, 0.15)
            queries.append(feat.ids(ws))
            if budget.proto:
                rest = [j for j in range(len(pairs.train[t])) if j != k] or [k]
                picked = rng.sample(rest, min(budget.proto, len(rest)))
                protos.append([feat.ids(pairs.train[t][j][1]) for j in picked])
            keys.append(feat.ids(cards[t]))
            # Another sentence of the same entry: a term's vector is its card plus its sentences' mean.
            j = rng.randrange(len(pairs.train[t]) - 1) if len(pairs.train[t]) > 1 else 0
            j += j >= k and len(pairs.train[t]) > 1
            others.append(feat.ids(pairs.train[t][j][1]))
        lr = budget.lr / 3 * 0.5 * (1 + math.cos(math.pi * step / budget.finetune_steps))
        for g in opt.param_groups:
            g["lr"] = lr
        q = model.bags(queries)
        loss = info_nce(q, model.bags(keys), budget.temperature) + info_nce(q, model.bags(others), budget.temperature)
        if budget.proto:
            # The key as the ranking builds it: the normalised mean of the entry's encoded sentences.
            enc = model.bags([r for rows in protos for r in rows])
            sizes = [len(rows) for rows in protos]
            centre = torch.stack([part.mean(dim=0) for part in torch.split(enc, sizes)])
            centre = centre / torch.sqrt((centre * centre).sum(dim=1, keepdim=True) + 1e-12)
            loss = loss + info_nce(q, centre, budget.temperature)
        if table is not None and budget.table:
            keys_t = table / torch.sqrt((table * table).sum(dim=1, keepdim=True) + 1e-12)
            logits = q @ keys_t.T / budget.temperature
            loss = loss + budget.table * F.cross_entropy(logits, torch.tensor(chosen))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        running += float(loss.detach())
        if step % budget.eval_every == 0 or step == budget.finetune_steps:
            k = budget.eval_every if step % budget.eval_every == 0 else step % budget.eval_every
            r1 = dev_recall(model, feat, cards, pairs)
            if probe is not None:
                probe(step, model)
            curve.append([step, round(running / k, 4), round(r1, 4)])
            log(f"fine-tune step {step}/{budget.finetune_steps}: loss {running / k:.3f}, dev recall@1 {r1:.3f}")
            running = 0.0
            if r1 > best[0]:
                best = (r1, step)
                best_state = {k2: v.clone() for k2, v in model.state_dict().items()}
                best_table = table.detach().clone() if table is not None else None
    model.load_state_dict(best_state)
    if table is not None and best_table is not None:
        with torch.no_grad():
            table.copy_(best_table)
    curve[0][1] = curve[1][1] if len(curve) > 1 else 0.0  # no loss before the first step
    return curve, best[1], best[0]
