"""The shipped knowledge base: complete, connected, covering the vocabulary readers look for (issues 6, 9)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from aiglossary import KnowledgeBase, learning_path, load_knowledge_base
from aiglossary.graph import backlinks, before_pairs, find_cycle
from aiglossary.model import DEFINING_KINDS, Difficulty
from aiglossary.sitegen import SiteBuilder

ROOT = Path(__file__).resolve().parents[2]

REQUIRED = [
    "supervised-learning",
    "unsupervised-learning",
    "self-supervised-learning",
    "overfitting",
    "regularisation",
    "loss-function",
    "gradient-descent",
    "backpropagation",
    "epoch",
    "batch",
    "learning-rate",
    "embedding",
    "tokenisation",
    "transformer",
    "attention",
    "language-model",
    "prompt",
    "hallucination",
    "rlhf",
    "inference",
    "quantisation",
    "onnx",
    "knowledge-distillation",
    "model-compression",
    "benchmark",
    "evaluation-metrics",
    "train-validation-test-split",
    "data-augmentation",
    "foundation-model",
    "zero-shot-learning",
    "few-shot-learning",
    "lora",
    "parameter-efficient-fine-tuning",
    "checkpoint",
    "pre-training",
    "fine-tuning",
    "transfer-learning",
    "neural-network",
    "large-language-model",
    "deep-learning",
    # Issue 9: what readers asked for, the review's missing terms and the issue's own list.
    "artificial-intelligence",
    "generative-ai",
    "retrieval-augmented-generation",
    "token",
    "parameter",
    "hyperparameter",
    "temperature",
    "precision",
    "recall",
    "gpu",
    "reinforcement-learning",
    "convolutional-neural-network",
    "recurrent-neural-network",
    "diffusion-model",
    "ai-agent",
    "encoder-only-model",
    "decoder-only-model",
    "encoder-decoder-model",
    "instruction-tuning",
    "system-prompt",
    "jailbreak",
    "red-teaming",
    "interpretability",
    "synthetic-data",
    "vector-database",
    "semantic-search",
    "greedy-decoding",
    "top-k-sampling",
    "top-p-sampling",
    "beam-search",
    "speculative-decoding",
    "distributed-training",
    "model-card",
    "prompt-engineering",
    "alignment",
    "algorithmic-bias",
    "fairness",
    "prompt-injection",
]

# Every category keeps at least this many terms, so no index page is thin.
MIN_PER_CATEGORY = 15

DEMOS = {
    "pre-training": "pretraining",
    "fine-tuning": "pretraining",
    "transfer-learning": "pretraining",
    "quantisation": "quantisation",
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(ROOT / "glossary")


def test_strict_clean(kb: KnowledgeBase) -> None:
    assert [str(p) for p in kb.problems] == []


def test_counts_and_coverage(kb: KnowledgeBase) -> None:
    assert len(kb.entries) >= 160
    assert sorted(set(REQUIRED) - set(kb.entries)) == []
    per_category = Counter(c for e in kb.entries.values() for c in e.categories)
    assert set(per_category) == set(kb.categories), "every category has terms"
    thin = {c: n for c, n in per_category.items() if n < MIN_PER_CATEGORY}
    assert thin == {}, f"categories with fewer than {MIN_PER_CATEGORY} terms"


def test_sources_back_definitions_and_uses(kb: KnowledgeBase) -> None:
    for slug, e in kb.entries.items():
        by_id = {s.id: s for s in e.sources}
        assert e.definition_source in by_id, slug
        assert by_id[e.definition_source].kind in DEFINING_KINDS, slug
        assert all(u.source in by_id for u in e.where_used), slug


def test_levels_follow_learning_order(kb: KnowledgeBase) -> None:
    """Nothing is taught before an easier term that needs it: (a before b) means level(a) <= level(b)."""
    wrong = [
        (a, b) for a, b in before_pairs(kb.entries) if kb.entries[a].difficulty.rank > kb.entries[b].difficulty.rank
    ]
    assert wrong == []


def test_every_entry_is_complete(kb: KnowledgeBase) -> None:
    for slug, e in kb.entries.items():
        assert len(e.examples) >= 3 and len({x.domain.casefold() for x in e.examples}) >= 3, slug
        assert len(e.misconceptions) >= 3 and len(e.phrases) >= 3, slug
        assert len(e.related) >= 3 and all(r.note for r in e.related), slug
        assert len(e.comparison.rows) >= 3 and e.comparison.with_ in kb.entries, slug
        assert e.definition.count(". ") + 1 >= 2, f"{slug}: definition should be 2-3 sentences"
        ids = {s.id for s in e.sources}
        assert all(u.source in ids for u in e.where_used if u.source), slug


def test_graph_holds_together(kb: KnowledgeBase) -> None:
    assert find_cycle(kb.entries) is None
    back = backlinks(kb.entries)
    assert [s for s, b in back.items() if not b] == [], "no orphans: every term is linked from another"
    index = SiteBuilder(kb).index_page().markdown
    listed = set(re.findall(r'class="glossary-index-item" data-slug="([^"]+)"', index))
    assert listed == set(kb.entries), "every term is reachable from the A-Z index"
    path = learning_path(kb.entries)
    assert sorted(path) == sorted(kb.entries)
    assert kb.entries[path[0]].difficulty is Difficulty.beginner
    pos = {s: i for i, s in enumerate(path)}
    assert all(pos[a] < pos[b] for a, b in before_pairs(kb.entries))


def test_demo_entries(kb: KnowledgeBase) -> None:
    for slug, demo in DEMOS.items():
        assert kb.entries[slug].demo == demo
    assert kb.entries["self-supervised-learning"].demo == "digits"
    # A demo is set only on the pages it illustrates.
    shown = {slug: e.demo for slug, e in kb.entries.items() if e.demo}
    assert shown == DEMOS | {"self-supervised-learning": "digits"}


def test_reference_wording_not_copied() -> None:
    ref_path = ROOT.parent / "shared" / "reference" / "pre-training.page.txt"
    if not ref_path.exists():  # the reference lies beside the checkout, not in it
        pytest.skip("shared/reference is not beside this checkout")
    ref = ref_path.read_text("utf-8")
    sentences = [s.strip() for s in ref.replace("\n", " ").split(". ") if len(s.strip()) > 60]
    corpus = " ".join(p.read_text("utf-8") for p in (ROOT / "glossary").glob("*.yaml"))
    corpus = " ".join(corpus.split())
    assert not [s for s in sentences if s[:60] in corpus]
