"""The command table, help texts and the shape of every error a user can cause."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _engine_util import run_cli, run_engine
from aiglossary_engine.cli import COMMANDS, cli

pytestmark = pytest.mark.engine


def test_command_table_matches_help() -> None:
    assert {"pretrain", "finetune", "export", "generate", "classify", "list", "info"} <= set(COMMANDS)
    assert set(cli.commands) == set(COMMANDS)
    result = run_cli("--help")
    for name in COMMANDS:
        assert f"  {name} " in result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str) -> None:
    result = run_cli(name, "--help")
    assert result.exit_code == 0
    assert "Usage: " in result.output and (COMMANDS[name].help or "").split("\n")[0][:20] in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pretrain", "tiny-lm", "--steps", "-3"], "Invalid value for '--steps': must be > 0, got -3."),
        (["pretrain", "tiny-lm", "--steps", "0"], "Invalid value for '--steps': must be > 0, got 0."),
        (["generate", "x.onnx", "--prompt", "a", "--max-chars", "-1"], "Invalid value for '--max-chars'"),
        (["generate", "x.onnx", "--prompt", "a", "--temperature", "-1"], "Invalid value for '--temperature'"),
        (["finetune", "tiny-lm"], "Missing option '--from'"),
    ],
)
def test_bad_options_exit_2(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_missing_checkpoint(tmp_path: Path) -> None:
    result = run_cli("export", tmp_path / "ckpt", "--out", tmp_path / "m.onnx")
    assert result.exit_code == 1
    assert f"Error: {tmp_path / 'ckpt'}: no such checkpoint folder — run engine pretrain first" in result.output
    (tmp_path / "ckpt").mkdir()
    result = run_cli("export", tmp_path / "ckpt", "--out", tmp_path / "m.onnx")
    assert f"{tmp_path / 'ckpt'}: missing config.yaml — run engine pretrain first" in result.output


def test_foreign_and_broken_onnx_files(tmp_path: Path) -> None:
    import onnx
    from onnx import TensorProto, helper

    foreign = tmp_path / "foreign.onnx"
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 10
    onnx.save(model, str(foreign))
    for args in (["info", foreign], ["generate", foreign, "--prompt", "x"], ["classify", foreign, foreign]):
        result = run_cli(*args)
        assert result.exit_code == 1
        assert "not an ONNX file made by engine export" in result.output
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    result = run_cli("info", junk)
    assert result.exit_code == 1 and "not a loadable ONNX model" in result.output
    result = run_cli("generate", tmp_path / "absent.onnx", "--prompt", "x")
    assert result.exit_code == 1 and "no such ONNX file — run engine export first" in result.output


def test_errors_have_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    for args in (
        ["pretrain", "no-such-recipe"],
        ["info", tmp_path / "nothing"],
        ["pretrain", "tiny-lm", "--steps", "-1"],
    ):
        proc = run_engine(*args)
        assert proc.returncode in (1, 2)
        assert "Traceback" not in proc.stderr
        assert "Error: " in proc.stderr


def test_list_shows_recipes_checkpoints_and_models(trained: Path, exported: dict[str, Path]) -> None:
    result = run_cli("list", "--runs", trained.parent, "--demos", trained.parent / "none")
    assert result.exit_code == 0
    assert "tiny-lm" in result.output and "glossary-finetune" in result.output
    assert str(trained) in result.output and "finished" in result.output
    assert str(exported["fp32"]) in result.output


def test_info_describes_checkpoints_and_onnx(trained: Path, exported: dict[str, Path]) -> None:
    import json

    ckpt = json.loads(run_cli("info", trained, "--json").output)
    assert ckpt["kind"] == "checkpoint" and ckpt["task"] == "lm" and ckpt["step"] == 60
    assert ckpt["vocab_size"] == 97 and ckpt["parameters"] > 0 and len(ckpt["model_sha256"]) == 64
    assert ckpt["last_metrics"]["val_loss"] is not None
    model = json.loads(run_cli("info", exported["int8"], "--json").output)
    assert model["kind"] == "onnx" and model["precision"] == "int8" and model["ir_version"] <= 10
    assert model["source_sha256"] == ckpt["model_sha256"]
    assert len(model["sha256"]) == 64 and model["vocab_size"] == 97


def test_corrupted_checkpoint(trained: Path, tmp_path: Path, make_recipe: Callable[..., Path]) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(trained, broken)
    (broken / "model.pt").write_bytes(b"\0" * 100)
    result = run_cli("export", broken, "--out", tmp_path / "x.onnx")
    assert result.exit_code == 1
    assert f"{broken / 'model.pt'}: cannot be loaded" in result.output and "corrupted" in result.output
    result = run_cli("finetune", make_recipe(), "--from", broken, "--out", tmp_path / "ft", "--quiet")
    assert result.exit_code == 1 and "corrupted" in result.output
    (broken / "config.yaml").write_text("task: [unclosed\n")
    result = run_cli("info", broken)
    assert result.exit_code == 1 and "corrupted" in result.output
