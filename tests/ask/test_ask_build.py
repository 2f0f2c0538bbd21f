"""``engine build-ask --budget ci`` end to end on the four-entry fixture glossary, ``engine ask`` on
its output, and the committed ``docs/demos/ask/`` checked against its manifest and the export limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")
torch.set_num_threads(1)

from aiglossary.sitegen.demos import load_ask  # noqa: E402
from aiglossary_engine.ask.runtime import Ask  # noqa: E402
from aiglossary_engine.cli import cli  # noqa: E402
from aiglossary_engine.demos.common import verify_demo  # noqa: E402
from click.testing import CliRunner  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "demos" / "ask"
MINI = ROOT / "tests" / "fixtures" / "mini"
MAX_MODEL_BYTES = 8 * 1024 * 1024

pytestmark = pytest.mark.engine


def _check_onnx(path: Path) -> None:
    model = onnx.load(str(path))
    assert model.ir_version <= 10, "onnxruntime-web 1.30 needs IR version <= 10"
    opsets = {o.domain: o.version for o in model.opset_import}
    assert 18 <= opsets[""] <= 21
    # quantize_dynamic stores the embedding table (nearly all the bytes) as 8-bit integers with a scale.
    eight_bit = (onnx.TensorProto.INT8, onnx.TensorProto.UINT8)
    sizes = {t.data_type: len(t.raw_data) for t in model.graph.initializer}
    assert sum(n for k, n in sizes.items() if k in eight_bit) > 0.9 * sum(sizes.values())


@pytest.fixture(scope="module")
def ci_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ask-ci")
    result = CliRunner().invoke(cli, ["build-ask", "--budget", "ci", "--out", str(out), "--glossary", str(MINI)])
    assert result.exit_code == 0, result.output
    assert "dev hybrid" in result.output
    return out / "ask"


def test_ci_build_writes_a_checked_folder(ci_build: Path) -> None:
    manifest = verify_demo(ci_build)  # every file against its sha256, as the site build checks
    assert manifest["command"] == f"engine build-ask --budget ci --glossary {MINI.as_posix()}"
    assert set(manifest["files"]) == {"encoder.int8.onnx", "pretrained.int8.onnx", "vectors.i8", "index.json"}
    dev = manifest["metrics"]["dev"]
    assert {"bm25", "encoder_pretrained_only", "encoder_finetuned", "hybrid"} <= dev.keys()
    assert {"stdlib", "glossary"} <= manifest["corpora"].keys()
    assert manifest["curves"]["pretraining"] and manifest["curves"]["finetuning"]
    _check_onnx(ci_build / "encoder.int8.onnx")
    index = json.loads((ci_build / "index.json").read_text("utf-8"))
    assert [t["slug"] for t in index["terms"]] == sorted(p.stem for p in MINI.glob("*.yaml") if p.stem[0] != "_")


def test_engine_ask_json_is_the_ranking(ci_build: Path) -> None:
    query = "a description of the first term"
    result = CliRunner().invoke(cli, ["ask", query, "--top", "3", "--format", "json", "--ask-dir", str(ci_build)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["slug"] for r in data["results"]] == [a.slug for a in Ask(ci_build).ask(query, 3)]
    assert [r["rank"] for r in data["results"]] == [1, 2, 3]
    text = CliRunner().invoke(cli, ["ask", query, "--ask-dir", str(ci_build)])
    assert text.exit_code == 0 and text.output.startswith("1. ")


def test_reuse_encoders_rewrites_only_the_ranking_files(ci_build: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ci_build, tmp_path / "ask")
    args = ["build-ask", "--budget", "ci", "--out", str(tmp_path), "--glossary", str(MINI), "--reuse-encoders"]
    result = CliRunner().invoke(cli, [*args, "--rewrite"])
    assert result.exit_code == 0, result.output
    old, new = verify_demo(ci_build), verify_demo(tmp_path / "ask")
    assert new["command"].endswith("--reuse-encoders")
    for name in ("encoder.int8.onnx", "pretrained.int8.onnx"):
        assert new["files"][name] == old["files"][name]
    assert new["curves"] == old["curves"] and new["recipe"]["seed"] == old["recipe"]["seed"]
    assert new["files"]["index.json"] == old["files"]["index.json"]  # same code, same choices: same index
    wrong = CliRunner().invoke(cli, ["build-ask", "--budget", "full", "--out", str(tmp_path), "--reuse-encoders"])
    assert wrong.exit_code != 0 and "built with --budget ci" in wrong.output


def test_a_changed_file_is_refused(ci_build: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "ask"
    shutil.copytree(ci_build, copy)
    (copy / "vectors.i8").write_bytes(b"\0" + (copy / "vectors.i8").read_bytes()[1:])
    result = CliRunner().invoke(cli, ["ask", "anything", "--ask-dir", str(copy)])
    assert result.exit_code != 0 and "sha256 does not match" in result.output


def test_committed_ask_folder() -> None:
    demo = load_ask(ROOT / "docs")
    assert demo is not None, "docs/demos/ask is missing: run engine build-ask"
    m = demo.manifest
    # --reuse-encoders: the ranking choices were remade on the dev queries without retraining the encoders.
    assert m["command"] in ("engine build-ask --budget full", "engine build-ask --budget full --reuse-encoders")
    model = COMMITTED / m["models"]["encoder"]["file"]
    assert model.stat().st_size <= MAX_MODEL_BYTES
    _check_onnx(model)
    _check_onnx(COMMITTED / m["models"]["pretrained"]["file"])
    dev = m["metrics"]["dev"]
    assert dev["encoder_finetuned"]["mrr"] > dev["encoder_pretrained_only"]["mrr"]
    index = json.loads((COMMITTED / m["index"]["file"]).read_text("utf-8"))
    assert [t["slug"] for t in index["terms"]] == sorted(
        p.stem for p in (ROOT / "glossary").glob("*.yaml") if not p.stem.startswith("_") and p.stem != "schema"
    ), "docs/demos/ask is out of date with glossary/: run engine build-ask"


def test_docs_tell_the_manifests_numbers() -> None:
    """docs/ask.md quotes the held-out metrics of the committed manifest, not numbers typed from memory."""
    dev = json.loads((COMMITTED / "manifest.json").read_text("utf-8"))["metrics"]["dev"]
    text = (ROOT / "docs" / "ask.md").read_text("utf-8")
    for name in ("bm25", "encoder_pretrained_only", "encoder_finetuned", "hybrid"):
        m = dev[name]
        row = f"| {m['recall_at_1']:.3f} | {m['recall_at_5']:.3f} | {m['mrr']:.3f} |"
        assert row in text, f"docs/ask.md lacks the manifest's {name} row {row}"
    assert f"{dev['pairs']} held-out" in text
