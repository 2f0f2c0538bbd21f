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
    ctx = BuildContext(work=work, glossary=ROOT / "glossary", command=f"engine build-demos {demo_id} --budget tiny")
    _, manifest = build_demo(demo_id, out, "tiny", ctx)
    return manifest


@pytest.fixture(scope="module")
def tiny_pretraining(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny-pretraining")
    _build("pretraining", root / "demos", root / "work")
    return root / "demos"


def test_same_seed_same_numbers(tmp_path: Path) -> None:
    """The digits demo rebuilt twice with the tiny budget: identical numbers and identical files."""
    first = _build("digits", tmp_path / "a", tmp_path / "work")
    second = _build("digits", tmp_path / "b", tmp_path / "work")
    for key in ("metrics", "curves", "seeds", "corpora", "recipes", "models"):
        assert first[key] == second[key], key
    assert first["files"] == second["files"]  # sha256 of every ONNX file
    assert first["metrics"]["per_k"].keys() == {"1", "5"}


def test_pretraining_manifest(tiny_pretraining: Path) -> None:
    folder = tiny_pretraining / "pretraining"
    manifest = verify_demo(folder)
    assert set(manifest["files"]) == {"scratch.int8.onnx", "pretrained.int8.onnx", "finetuned.int8.onnx"}
    for name, entry in manifest["files"].items():
        assert sha256_bytes((folder / name).read_bytes()) == entry["sha256"]
    assert sum(e["bytes"] for e in manifest["files"].values()) < MAX_DEMO_BYTES
    assert manifest["command"] == "engine build-demos pretraining --budget tiny"
    assert manifest["engine_version"] and manifest["budget"] == "tiny"
    assert {"stdlib", "glossary"} <= manifest["corpora"].keys()
    assert len(manifest["corpora"]["glossary"]["sha256"]) == 64
    m = manifest["metrics"]
    assert len(m["finetuned"]["values"]) == len(manifest["seeds"]) == 2
    for kind in ("finetuned", "scratch"):
        for curve in manifest["curves"][kind].values():
            assert curve[0][0] == 0 and all(a[0] < b[0] for a, b in itertools.pairwise(curve))
    assert manifest["vocab"][0] == "\ufffd" and len(manifest["vocab"]) == manifest["config"]["vocab_size"]
    assert not list(tiny_pretraining.glob(".*")), "no staging folder left behind"


def test_terminal_twin_matches_examples(tiny_pretraining: Path) -> None:
    """`engine demo pretraining --json` reproduces the greedy examples recorded at build time."""
    manifest = json.loads((tiny_pretraining / "pretraining" / "manifest.json").read_text("utf-8"))
    example = manifest["examples"][0]
    args = ["demo", "pretraining", "--prompt", example["prompt"], "--json", "--demos", str(tiny_pretraining)]
    result = CliRunner().invoke(cli, [*args, "--max-chars", str(example["max_chars"])])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert {k: got[k] for k in ("scratch", "pretrained", "finetuned")} == {
        k: example[k] for k in ("scratch", "pretrained", "finetuned")
    }
    side = CliRunner().invoke(cli, ["demo", "pretraining", "--prompt", "Hi", "--demos", str(tiny_pretraining)])
    assert side.exit_code == 0 and "Scratch" in side.output and "Fine-tuned" in side.output


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


@pytest.mark.parametrize("demo_id", ["pretraining", "digits"])
def test_committed_demo_is_intact_and_small(demo_id: str) -> None:
    folder = DEMOS / demo_id
    if not (folder / "manifest.json").is_file():
        pytest.fail(f"{folder} is missing: run `engine build-demos {demo_id}` and commit it")
    manifest = verify_demo(folder)
    assert manifest["budget"] == "full"
    assert sum(e["bytes"] for e in manifest["files"].values()) < MAX_DEMO_BYTES
    assert manifest["command"].startswith("engine build-demos") and manifest["id"] == demo_id


def test_committed_pretraining_effect_is_real() -> None:
    """The claim the page makes: fine-tuned after pre-training is well below scratch, in every seed."""
    m = verify_demo(DEMOS / "pretraining")["metrics"]
    assert m["finetuned_below_scratch_every_seed"]
    assert m["scratch"]["mean"] - m["finetuned"]["mean"] > 0.1


def test_bad_ids_and_budgets() -> None:
    result = CliRunner().invoke(cli, ["build-demos", "nope"])
    assert result.exit_code == 2 and "Invalid value for '[ID]'" in result.output
    result = CliRunner().invoke(cli, ["build-demos", "digits", "--budget", "huge"])
    assert result.exit_code == 2 and "Invalid value for '--budget'" in result.output
