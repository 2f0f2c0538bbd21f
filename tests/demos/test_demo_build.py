"""Engine side of the demos: tiny builds, determinism, manifests, the terminal twin."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from aiglossary_engine.cli import cli
from aiglossary_engine.demos import MAX_DEMO_BYTES, BuildContext, build_demo
from aiglossary_engine.demos.common import sha256_bytes, verify_demo
from click.testing import CliRunner

from .conftest import DEMOS, ROOT

pytestmark = pytest.mark.engine


def _build(demo_id: str, out: Path, work: Path) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    ctx = BuildContext(work=work, glossary=ROOT / "glossary", command=f"engine build-demos {demo_id} --budget ci")
    _, manifest = build_demo(demo_id, out, "ci", ctx)
    return manifest


@pytest.fixture(scope="module")
def tiny_pretraining(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny-pretraining")
    _build("pretraining", root / "demos", root / "work")
    return root / "demos"


@pytest.fixture(scope="module")
def tiny_quantisation(tiny_pretraining: Path) -> Path:
    """The quantisation demo built in the same work folder: it reuses the fine-tuned checkpoint."""
    work = tiny_pretraining.parent / "work"
    ctx = BuildContext(work=work, glossary=ROOT / "glossary", command="engine build-demos quantisation --budget ci")
    build_demo("quantisation", tiny_pretraining, "ci", ctx)
    return tiny_pretraining


def test_same_seed_same_numbers(tmp_path: Path) -> None:
    """The digits demo rebuilt twice with the ci budget: identical numbers and identical files."""
    first = _build("digits", tmp_path / "a", tmp_path / "work")
    second = _build("digits", tmp_path / "b", tmp_path / "work")
    for key in ("metrics", "curves", "seeds", "corpora", "recipes", "models"):
        assert first[key] == second[key], key
    assert first["files"] == second["files"]  # sha256 of every ONNX file
    assert first["metrics"]["per_k"].keys() == {"1", "5"}


def test_pretraining_manifest(tiny_pretraining: Path) -> None:
    folder = tiny_pretraining / "pretraining"
    manifest = verify_demo(folder)
    assert set(manifest["files"]) == {
        "scratch.int8.onnx",
        "pretrained.int8.onnx",
        "finetuned.int8.onnx",
        "vocabulary.txt",
    }
    for name, entry in manifest["files"].items():
        assert sha256_bytes((folder / name).read_bytes()) == entry["sha256"]
    assert sum(e["bytes"] for e in manifest["files"].values()) < MAX_DEMO_BYTES
    assert manifest["command"] == "engine build-demos pretraining --budget ci"
    assert manifest["engine_version"] and manifest["budget"] == "ci"
    assert {"pretraining", "glossary"} <= manifest["corpora"].keys()
    assert len(manifest["corpora"]["glossary"]["sha256"]) == 64
    m = manifest["metrics"]
    assert len(m["finetuned"]["values"]) == len(manifest["seeds"]) == 2
    for kind in ("finetuned", "scratch"):
        for curve in manifest["curves"][kind].values():
            assert curve[0][0] == 0 and all(a[0] < b[0] for a, b in itertools.pairwise(curve))
    assert manifest["vocab"][0] == "\ufffd" and len(manifest["vocab"]) == manifest["config"]["vocab_size"]
    assert not list(tiny_pretraining.glob(".*")), "no staging folder left behind"
    gen = manifest["generation"]
    assert gen["temperature"] > 0 and gen["top_k"] > 0 and gen["max_chars"] > 0
    assert len(manifest["text_checks"]["prompts"]) == manifest["budget_detail"]["prompts"]
    for info in manifest["models"].values():
        assert 0 <= info["word_validity"] <= 1 and 0 <= info["distinct_4gram_ratio"] <= 1 and info["words"] > 0
    words = (folder / "vocabulary.txt").read_text("utf-8").split()
    assert (
        words == sorted(set(words))
        and "glossary" in words
        and len(words) == manifest["text_checks"]["vocabulary_words"]
    )


def test_terminal_twin_matches_samples(tiny_pretraining: Path) -> None:
    """`engine demo pretraining --format json` samples as the build did: the same texts for the same seed."""
    manifest = json.loads((tiny_pretraining / "pretraining" / "manifest.json").read_text("utf-8"))
    sample = manifest["samples"][0]
    args = ["demo", "pretraining", "--prompt", sample["prompt"], "--format", "json", "--demos", str(tiny_pretraining)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    kinds = ("scratch", "pretrained", "finetuned")
    assert {k: got["models"][k]["continuation"] for k in kinds} == {k: sample[k] for k in kinds}
    assert got["decoding"]["seed"] == manifest["generation"]["seed"] and not got["decoding"]["greedy"]
    assert got["models"]["finetuned"]["word_validity"] == manifest["models"]["finetuned"]["word_validity"]
    other = json.loads(CliRunner().invoke(cli, [*args, "--seed", "7"]).output)
    assert other["finetuned"] != got["finetuned"], "another seed samples another text"
    greedy = json.loads(CliRunner().invoke(cli, [*args, "--greedy"]).output)
    at_zero = json.loads(CliRunner().invoke(cli, [*args, "--temperature", "0"]).output)
    assert greedy["decoding"]["greedy"] and at_zero["decoding"]["greedy"]
    assert {k: greedy[k] for k in kinds} == {k: at_zero[k] for k in kinds}, "temperature 0 is greedy"
    side = CliRunner().invoke(cli, ["demo", "pretraining", "--prompt", "Hi", "--demos", str(tiny_pretraining)])
    assert side.exit_code == 0 and "Scratch" in side.output and "Fine-tuned" in side.output
    assert "sampled at temperature" in side.output


def test_quantisation_manifest_and_terminal_twin(tiny_quantisation: Path) -> None:
    folder = tiny_quantisation / "quantisation"
    manifest = verify_demo(folder)
    assert set(manifest["files"]) == {"finetuned.fp32.onnx", "finetuned.int8.onnx"}
    sizes = {k: manifest["models"][k]["bytes"] for k in ("fp32", "int8")}
    assert sizes == {k: (folder / manifest["models"][k]["file"]).stat().st_size for k in sizes}
    m = manifest["metrics"]
    assert m["size_ratio"] == round(sizes["fp32"] / sizes["int8"], 2) > 1
    loss = {k: manifest["models"][k]["heldout_loss"] for k in sizes}
    assert m["loss_cost"] == round(loss["int8"] - loss["fp32"], 4) and 0 < m["argmax_agreement"] <= 1
    h = manifest["histogram"]
    assert len(h["before"]) == len(h["after"]) == (2 * h["steps_shown"] * h["bins_per_step"] + 1)
    assert sum(h["before"]) == sum(h["after"]) or sum(h["after"]) <= h["weights"]
    # rounded weights sit on the grid: only every bins_per_step-th bin (the grid points) holds any
    assert all(c == 0 for i, c in enumerate(h["after"]) if i % h["bins_per_step"])
    assert h["max_abs_error"] <= h["scale"] / 2 + 1e-9
    sample = manifest["samples"][0]
    args = ["demo", "quantisation", "--prompt", sample["prompt"], "--demos", str(tiny_quantisation)]
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert {k: got["models"][k]["continuation"] for k in sizes} == {k: sample[k] for k in sizes}
    assert all(got["models"][k]["bytes"] == sizes[k] and got["models"][k]["ms_per_char"] > 0 for k in sizes)
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 0 and "smaller" in text.output and "time per character" in text.output


def test_demo_refuses_a_changed_file(tiny_pretraining: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demos"
    shutil.copytree(tiny_pretraining, copy)
    model = copy / "pretraining" / "scratch.int8.onnx"
    model.write_bytes(model.read_bytes()[:-10] + b"0123456789")
    result = CliRunner().invoke(cli, ["demo", "pretraining", "--prompt", "Hi", "--demos", str(copy)])
    assert result.exit_code == 1
    assert "scratch.int8.onnx: sha256 does not match manifest.json" in result.output


@pytest.mark.skipif(not (DEMOS / "digits" / "manifest.json").is_file(), reason="docs/demos/digits not built")
def test_demo_digits_on_committed_models(tmp_path: Path) -> None:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    image = tmp_path / "seven.txt"
    image.write_text(" ".join(str(int(v)) for v in bunch.data[bunch.target == 7][0]), "utf-8")
    result = CliRunner().invoke(cli, ["demo", "digits", str(image), "--demos", str(DEMOS)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and "From scratch" in result.output and "pre-training" in result.output
    probs = json.loads(CliRunner().invoke(cli, ["demo", "digits", str(image), "--json", "--demos", str(DEMOS)]).output)
    assert all(abs(sum(p) - 1) < 1e-4 for p in probs.values())


@pytest.mark.parametrize("demo_id", ["pretraining", "quantisation", "digits"])
def test_committed_demo_is_intact_and_small(demo_id: str) -> None:
    folder = DEMOS / demo_id
    if not (folder / "manifest.json").is_file():
        pytest.fail(f"{folder} is missing: run `engine build-demos {demo_id}` and commit it")
    manifest = verify_demo(folder)
    assert manifest["budget"] == "full"
    assert sum(e["bytes"] for e in manifest["files"].values()) < MAX_DEMO_BYTES
    assert manifest["command"].startswith("engine build-demos") and manifest["id"] == demo_id


def test_committed_pretraining_effect_is_real() -> None:
    """The claim the page makes: fine-tuned after pre-training is well below scratch, in every seed
    (the seed ranges do not overlap), writes far more real words and does not loop. (Issue 10's loss
    target, 1.35 nats, and word-validity target, 0.9, are not reached by the committed build: see
    docs/demos.md.)"""
    manifest = verify_demo(DEMOS / "pretraining")
    m = manifest["metrics"]
    assert len(manifest["seeds"]) >= 3
    assert m["finetuned_below_scratch_every_seed"] and not m["seed_ranges_overlap"]
    assert m["finetuned"]["max"] < m["scratch"]["min"]
    assert m["scratch"]["mean"] - m["finetuned"]["mean"] >= 0.5
    assert len(manifest["text_checks"]["prompts"]) >= 30
    finetuned, scratch = manifest["models"]["finetuned"], manifest["models"]["scratch"]
    assert finetuned["word_validity"] >= scratch["word_validity"] + 0.2
    assert finetuned["distinct_4gram_ratio"] >= 0.7
    assert len(manifest["samples"]) == 3


@pytest.mark.parametrize("demo_id", ["pretraining", "quantisation"])
def test_committed_text_checks_recomputed(demo_id: str) -> None:
    """Word validity and distinct 4-grams recomputed from the committed models, prompts and vocabulary
    with the default decoding equal the manifest's (the same texts, so the same figures)."""
    from aiglossary_engine.demos.textcheck import demo_prompts, judge
    from aiglossary_engine.runtime import generate, load_model

    folder = DEMOS / demo_id
    manifest = verify_demo(folder)
    g = manifest["generation"]
    if demo_id == "quantisation":  # the samples: both files, the same seed
        for sample in manifest["samples"]:
            for kind, info in manifest["models"].items():
                model = load_model(folder / info["file"])
                text = generate(
                    model, sample["prompt"], g["max_chars"], g["temperature"], seed=g["seed"], top_k=g["top_k"]
                )
                assert text == sample[kind], (kind, sample["prompt"])
        return
    prompts = manifest["text_checks"]["prompts"]
    assert prompts == demo_prompts(), "the manifest's prompts are the committed ones"
    vocab = set((folder / manifest["text_checks"]["vocabulary_file"]).read_text("utf-8").split())
    for kind, info in manifest["models"].items():
        model = load_model(folder / info["file"])
        texts = [
            generate(model, p, g["max_chars"], g["temperature"], seed=g["seed"], top_k=g["top_k"]) for p in prompts
        ]
        figures = judge(list(zip(prompts, texts, strict=True)), vocab)
        assert figures == {k: info[k] for k in figures}, kind
        for sample in manifest["samples"]:
            assert sample[kind] == texts[prompts.index(sample["prompt"])]


def test_prompts_are_not_training_text() -> None:
    from aiglossary_engine.data import glossary_texts, sklearn_text, stdlib_text
    from aiglossary_engine.demos.textcheck import demo_prompts

    train, heldout = glossary_texts(ROOT / "glossary", 0.2)
    corpus = "\n".join([stdlib_text(), sklearn_text(), train, heldout])
    prompts = demo_prompts()
    assert len(prompts) >= 30 and len(set(prompts)) == len(prompts)
    assert [p for p in prompts if p in corpus] == []


def test_bad_ids_and_budgets() -> None:
    result = CliRunner().invoke(cli, ["build-demos", "nope"])
    assert result.exit_code == 2 and "Invalid value for '[ID]'" in result.output
    result = CliRunner().invoke(cli, ["build-demos", "digits", "--budget", "huge"])
    assert result.exit_code == 2 and "Invalid value for '--budget'" in result.output
