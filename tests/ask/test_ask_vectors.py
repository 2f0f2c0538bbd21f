"""Ask's text rules and ranking arithmetic: Python (``aiglossary_engine.ask``) and JavaScript
(``glossary-ask.js``, run in Node) must both give exactly the outputs in ``vectors.json``."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from aiglossary_engine.ask.entries import FIELDS
from aiglossary_engine.ask.rank import FIELD_WEIGHTS, Bm25Index, explain, fuse, order, zscores
from aiglossary_engine.ask.text import feature_ids, features, fnv1a, fold, stem, tokens, words

ROOT = Path(__file__).resolve().parents[2]
VECTORS = Path(__file__).with_name("vectors.json")
JS = ROOT / "plugin" / "aiglossary" / "assets" / "glossary-ask.js"
DATA = json.loads(VECTORS.read_text("utf-8"))

NODE_CHECK = r"""
const core = require(process.argv[1]);
const v = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const out = {cases: [], stems: {}, fnv1a: {}, bm25: []};
for (const c of v.cases) {
  out.cases.push({text: c.text, fold: core.fold(c.text), words: core.words(c.text), tokens: core.tokens(c.text),
    features: core.features(c.text), ids_32768: core.featureIds(c.text, 32768), ids_2048: core.featureIds(c.text, 2048)});
}
for (const w of Object.keys(v.stems)) out.stems[w] = core.stem(w);
for (const s of Object.keys(v.fnv1a)) out.fnv1a[s] = core.fnv1a(s);
const index = new core.Bm25(v.bm25_index);
for (const q of v.bm25) {
  const r = index.scores(q.query);
  out.bm25.push({query: q.query, totals: r.totals, shares: r.shares,
    explain: r.shares.map((s, d) => core.explain(index, d, q.query, s))});
}
const f = v.fusion;
out.fusion = Object.assign({}, f, {zscores_bm25: core.zscores(f.bm25), fused: core.fuse(f.bm25, f.cosine, f.weight),
  order: core.order(core.fuse(f.bm25, f.cosine, f.weight), f.slugs), tie_order: core.order([1.0, 1.0, 2.0, 1.0], f.slugs)});
out.zeros = core.zscores([2.0, 2.0]);
process.stdout.write(JSON.stringify(out));
"""


def test_python_matches_the_vectors() -> None:
    for case in DATA["cases"]:
        text = case["text"]
        assert fold(text) == case["fold"]
        assert words(text) == case["words"]
        assert tokens(text) == case["tokens"]
        assert features(text) == case["features"]
        assert feature_ids(text, 32768) == case["ids_32768"]
        assert feature_ids(text, 2048) == case["ids_2048"]
    assert {w: stem(w) for w in DATA["stems"]} == DATA["stems"]
    assert {s: fnv1a(s) for s in DATA["fnv1a"]} == DATA["fnv1a"]
    built = Bm25Index.build(DATA["bm25_docs"])
    assert json.loads(json.dumps(built.to_json())) == DATA["bm25_index"]
    # A field of weight 0 is not indexed at all (the vectors' documents have every candidate field).
    assert built.fields == tuple(f for f in FIELDS if FIELD_WEIGHTS.get(f, 0.0) > 0.0)
    assert set(FIELDS) <= set(DATA["bm25_docs"][0]) and len(built.fields) < len(FIELDS)
    index = Bm25Index.from_json(DATA["bm25_index"])
    for q in DATA["bm25"]:
        totals, shares = index.scores(q["query"])
        assert totals == q["totals"] and shares == q["shares"]
        assert [vars(explain(index, d, q["query"], s)) for d, s in enumerate(shares)] == q["explain"]
    f = DATA["fusion"]
    assert zscores(f["bm25"]) == f["zscores_bm25"]
    assert fuse(f["bm25"], f["cosine"], f["weight"]) == f["fused"]
    assert order(f["fused"], f["slugs"]) == f["order"]
    assert order([1.0, 1.0, 2.0, 1.0], f["slugs"]) == f["tie_order"]
    assert zscores([2.0, 2.0]) == DATA["zeros"]


def test_javascript_matches_the_vectors() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node is needed to run glossary-ask.js outside the browser (make test installs it with npm)")
    proc = subprocess.run(
        [node, "-e", NODE_CHECK, str(JS), str(VECTORS)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    for mine, want in zip(got["cases"], DATA["cases"], strict=True):
        assert mine == want, want["text"]
    assert got["stems"] == DATA["stems"]
    assert got["fnv1a"] == DATA["fnv1a"]
    assert got["bm25"] == DATA["bm25"]  # floats compared exactly: the same operations in the same order
    for key in ("zscores_bm25", "fused", "order", "tie_order"):
        assert got["fusion"][key] == DATA["fusion"][key], key
    assert got["zeros"] == DATA["zeros"]
