"""Issue 12, engine side: hostile inputs, failed writes and interruptions give one clean line, and no data is lost.

Every case here once ended in a traceback, a hang, an allocation the machine could not hold, or a
truncated file. Each test trains for real on the tiny configs of ``conftest.py``.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from _engine_util import run_cli
from aiglossary_engine.checkpoint import load_checkpoint

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]


def _clean(result: Any, code: int = 1) -> str:
    """The output of a CLI run that must have failed with ``code`` and one clean message."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "Aborted!" not in result.output
    return str(result.output)


def _copy(trained: Path, tmp_path: Path) -> Path:
    broken = tmp_path / "ckpt"
    shutil.copytree(trained, broken)
    return broken


def _unfinished(make_recipe: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A run interrupted by Ctrl-C at step 30 of 40: checkpoint at step 20, metrics logged up to 30."""
    import aiglossary_engine.train as train_module

    real = train_module.get_lr

    def ctrl_c_at_30(step: int, spec: Any, total: int) -> float:
        if step == 30:
            raise KeyboardInterrupt
        return real(step, spec, total)

    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        patch.setattr(train_module, "get_lr", ctrl_c_at_30)
        result = run_cli("pretrain", make_recipe(), "--out", out, "--quiet")
    output = _clean(result, 130)
    assert output.startswith(f"Interrupted: {out} holds the checkpoint of step 20; the steps after it are lost.")
    assert f"Continue with: engine pretrain {make_recipe()} --out {out} --resume" in output
    return out


# ---- lost data -----------------------------------------------------------------------------------


def test_ctrl_c_says_what_was_saved_and_resume_continues(
    make_recipe: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CliRunner runs click's standalone main, which printed a bare "Aborted!" for a KeyboardInterrupt."""
    out = _unfinished(make_recipe, tmp_path, monkeypatch)
    assert [r["step"] for r in load_checkpoint(out).metrics()][-1] == 30  # logged live after the checkpoint
    assert not list(tmp_path.glob(".run.*")), "no staging folder left behind"
    assert run_cli("pretrain", make_recipe(), "--out", out, "--resume", "--quiet").exit_code == 0
    steps = [r["step"] for r in load_checkpoint(out).metrics()]
    assert steps == sorted(set(steps)) and steps[-1] == 40


def _limited(limit: int) -> Callable[[], None]:
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _engine_limited(limit: int, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``engine ARGS`` in a process that may write files of at most ``limit`` bytes."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "aiglossary_engine", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
        preexec_fn=_limited(limit),
    )


def test_resume_never_truncates_metrics_and_a_file_size_limit_is_one_line(
    trained: Path, make_recipe: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--resume first drops the lines logged after the checkpoint: that rewrite must be atomic."""
    out = _unfinished(make_recipe, tmp_path, monkeypatch)
    before = (out / "metrics.jsonl").read_bytes()
    proc = _engine_limited(100, "pretrain", make_recipe(), "--out", out, "--resume", "--quiet")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{out / 'metrics.jsonl'}: cannot write the metrics (File too large); the file is unchanged" in proc.stderr
    assert (out / "metrics.jsonl").read_bytes() == before  # a truncating rewrite left 100 bytes or none
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    # a fresh run under the same limit: the checkpoint cannot be written, and nothing half-written stays
    fresh = tmp_path / "fresh"
    proc = _engine_limited(2000, "pretrain", make_recipe(), "--out", fresh, "--quiet")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"Error: {fresh}: cannot write the checkpoint (File too large)" in proc.stderr
    assert not list(tmp_path.glob(".fresh.*")), "the staging folder was left behind"
    proc = _engine_limited(20_000, "export", trained, "--out", tmp_path / "m.onnx")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert (
        f"Error: {tmp_path / 'm.onnx'}: cannot write the ONNX file (File too large); nothing was written" in proc.stderr
    )
    assert not list(tmp_path.glob("*.onnx")) and not list(tmp_path.glob(".export-*"))


def test_a_full_disk_leaves_no_staging_folder_and_the_previous_checkpoint(
    trained: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aiglossary_engine.checkpoint import write_checkpoint

    ckpt = _copy(trained, tmp_path)
    before = {p.name: p.read_bytes() for p in ckpt.iterdir()}
    real = Path.write_bytes

    def full_disk(self: Path, data: Any) -> int:
        if self.name == "model.pt":
            real(self, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    from aiglossary_engine.errors import EngineError

    with pytest.raises(EngineError) as err:
        write_checkpoint(ckpt, {"checkpoint.json": b"{}", "model.pt": b"x" * 1000})
    assert err.value.message == f"{ckpt}: cannot write the checkpoint (No space left on device)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]  # no .ckpt.staging
    assert {p.name: p.read_bytes() for p in ckpt.iterdir()} == before


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Mount small tmpfs file systems (a full disk, a read-only one); skipped where mounting is not allowed."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({proc.stderr.decode().strip()})")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_full_and_read_only_disks_are_one_line(
    trained: Path, make_recipe: Callable[..., Path], tmpfs: Callable[[str], Path]
) -> None:
    full = tmpfs("size=64k")
    result = run_cli("pretrain", make_recipe(), "--out", full / "run", "--quiet")
    assert f"Error: {full / 'run'}: cannot write the checkpoint (No space left on device)" in _clean(result)
    assert sorted(p.name for p in full.iterdir()) == ["run"]  # the empty folder made up front; no staging
    result = run_cli("export", trained, "--out", full / "m.onnx", "--quiet")
    assert f"{full / 'm.onnx'}: cannot write the ONNX file (No space left on device)" in _clean(result)
    assert sorted(p.name for p in full.iterdir()) == ["run"]
    read_only = tmpfs("ro,size=64k")
    result = run_cli("pretrain", make_recipe(), "--out", read_only / "run", "--quiet")
    assert "cannot create the checkpoint folder (Read-only file system)" in _clean(result)
    result = run_cli("export", trained, "--out", read_only / "m.onnx", "--quiet")
    assert "cannot write the ONNX file (Read-only file system)" in _clean(result)


def test_impossible_out_paths_are_one_line(trained: Path, make_recipe: Callable[..., Path], tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    (tmp_path / "folder.onnx").mkdir()
    cases = [
        (["pretrain", make_recipe(), "--out", "/proc/aiglossary/run"], "cannot create the checkpoint folder"),
        (["pretrain", make_recipe(), "--out", plain / "run"], "cannot create the checkpoint folder (Not a directory)"),
        (["pretrain", make_recipe(), "--out", plain], f"{plain}: exists and is not a folder"),
        (["export", trained, "--out", "/proc/aiglossary/m.onnx"], "cannot create the folder for --out"),
        (["export", trained, "--out", plain / "m.onnx"], f"{plain}: not a folder, so m.onnx cannot be written"),
        (["export", trained, "--out", tmp_path / "folder.onnx"], "folder.onnx: is a folder"),
    ]
    for args, message in cases:
        assert message in _clean(run_cli(*args, "--quiet")), args


def test_export_refuses_to_replace_a_file_unless_forced(trained: Path, tmp_path: Path) -> None:
    out = tmp_path / "int8.onnx"
    out.write_bytes(b"an int8 model worth keeping")
    output = _clean(run_cli("export", trained, "--out", out))
    assert f"Error: {out}: already exists; pass --force to replace it or choose another --out" in output
    assert out.read_bytes() == b"an int8 model worth keeping"
    assert run_cli("export", trained, "--out", out, "--force", "--quiet").exit_code == 0
    assert out.read_bytes().startswith(b"\x08")  # an ONNX protobuf now


# ---- broken checkpoint parts ---------------------------------------------------------------------


def test_broken_checkpoint_parts_are_one_line(
    trained: Path, tmp_path: Path, make_recipe: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    ckpt = _copy(trained, tmp_path)
    config = yaml.safe_load((ckpt / "config.yaml").read_text())
    config["model"]["n_experts"] = 8
    (ckpt / "config.yaml").write_text(yaml.safe_dump(config))
    output = _clean(run_cli("export", ckpt, "--out", tmp_path / "m.onnx"))
    assert f"{ckpt / 'config.yaml'}: model: unknown field(s) n_experts — the checkpoint is corrupted" in output
    shutil.copy(trained / "config.yaml", ckpt / "config.yaml")

    (ckpt / "vocab.json").write_text('{"type": "bpe"}')
    for args in (["export", ckpt, "--out", tmp_path / "m.onnx"], ["info", ckpt]):
        assert f"{ckpt / 'vocab.json'}: not a character vocabulary" in _clean(run_cli(*args))
    (ckpt / "vocab.json").write_text("[[[")
    assert f"{ckpt / 'vocab.json'}: " in _clean(run_cli("info", ckpt))
    shutil.copy(trained / "vocab.json", ckpt / "vocab.json")

    other = {k: v[..., :1] if v.dim() else v for k, v in torch.load(trained / "model.pt").items()}
    torch.save(other, ckpt / "model.pt")
    output = _clean(run_cli("export", ckpt, "--out", tmp_path / "m.onnx"))
    assert f"{ckpt / 'model.pt'}: does not fit the model in config.yaml (" in output
    assert "the weights belong to another model" in output

    (ckpt / "model.pt").write_bytes(pickle.dumps({"weights": object()}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output = _clean(run_cli("export", ckpt, "--out", tmp_path / "m.onnx"))
    assert not [str(w.message) for w in caught if "pickle" in str(w.message)]  # torch's protocol warning
    assert output.strip().endswith("— the checkpoint is corrupted")  # not cut mid-sentence
    assert "holds Python objects, not only tensors" in output and "there is a high" not in output
    shutil.copy(trained / "model.pt", ckpt / "model.pt")

    with (ckpt / "metrics.jsonl").open("a") as fh:
        fh.write("[1, 2]\n{}\n")
    assert f"{ckpt / 'metrics.jsonl'}:" in _clean(run_cli("info", ckpt))
    (ckpt / "metrics.jsonl").write_bytes(b'{"step": 1}\n\xff\xfe\n')
    assert f"{ckpt / 'metrics.jsonl'}: not UTF-8 text (byte 12)" in _clean(run_cli("info", ckpt))


def test_resume_with_a_state_that_lacks_keys(
    make_recipe: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _unfinished(make_recipe, tmp_path, monkeypatch)
    state = torch.load(out / "state.pt", weights_only=True)
    torch.save({**state, "optimizer": {"state": {}, "param_groups": []}}, out / "state.pt")
    output = _clean(run_cli("pretrain", make_recipe(), "--out", out, "--resume", "--quiet"))
    assert f"{out / 'state.pt'}: does not fit this model and optimizer (ValueError)" in output
    torch.save({"step": 20}, out / "state.pt")
    output = _clean(run_cli("pretrain", make_recipe(), "--out", out, "--resume", "--quiet"))
    assert (
        f"{out / 'state.pt'}: lacks optimizer, rng, stale, best_val, best_step — the checkpoint cannot be resumed"
        in (output)
    )


def test_onnx_metadata_without_n_layer(exported: dict[str, Any], tmp_path: Path) -> None:
    import onnx

    proto = onnx.load(str(exported["fp32"]))
    for prop in proto.metadata_props:
        if prop.key == "config":
            config = json.loads(prop.value)
            del config["n_layer"]
            prop.value = json.dumps(config)
    onnx.save(proto, str(tmp_path / "m.onnx"))
    output = _clean(run_cli("generate", tmp_path / "m.onnx", "--prompt", "x"))
    assert "engine metadata is corrupted (config lacks n_layer) — export the model again" in output


# ---- recipes, seeds, sampling, limits ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--temperature", "nan"], "Invalid value for '--temperature': must be a finite number >= 0, got nan."),
        (["--temperature", "inf"], "Invalid value for '--temperature': must be a finite number >= 0, got inf."),
        (["--seed", "-1"], "Invalid value for '--seed': must be 0 to 9223372036854775807 (2**63 - 1), got -1."),
        (
            ["--seed", str(2**64)],
            f"Invalid value for '--seed': must be 0 to 9223372036854775807 (2**63 - 1), got {2**64}.",
        ),
        (["--max-chars", str(10**9)], "Invalid value for '--max-chars': must be at most 100,000, got 1000000000."),
    ],
)
def test_sampling_options_are_checked(exported: dict[str, Any], args: list[str], message: str) -> None:
    for command in (["generate", exported["fp32"]], ["demo", "pretraining"]):
        result = run_cli(*command, "--prompt", "x", *args)
        assert message in _clean(result, 2), command


def test_runtime_refuses_what_the_options_refuse(exported: dict[str, Any]) -> None:
    from aiglossary_engine.errors import EngineError
    from aiglossary_engine.runtime import generate, load_model

    model = load_model(exported["fp32"])
    for kwargs in ({"temperature": float("nan")}, {"seed": -1}, {"seed": 2**64}, {"max_chars": 10**9}):
        with pytest.raises(EngineError, match="Invalid value"):
            generate(model, "x", **{"max_chars": 5, **kwargs})
    assert generate(model, "x", 5, temperature=0.5, seed=2**63 - 1) == generate(model, "x", 5, 0.5, seed=2**63 - 1)


def test_demo_and_generate_share_the_decoding_options(exported: dict[str, Any]) -> None:
    from aiglossary_engine.commands.demo import pretraining, quantisation
    from aiglossary_engine.commands.generate import generate

    names = {"--max-chars", "--temperature", "--top-k", "--greedy", "--seed"}

    def options(command: Any) -> dict[str, str]:
        return {p.opts[0]: p.help or "" for p in command.params if p.opts[0] in names}

    assert options(pretraining).keys() == options(quantisation).keys() == options(generate).keys() == names
    assert all(options(generate).values()) and all(options(pretraining).values()), "every option has help text"
    demos = ROOT / "docs" / "demos"
    manifest = json.loads((demos / "pretraining" / "manifest.json").read_text("utf-8"))
    g = manifest["generation"]
    explicit = ["--temperature", str(g["temperature"]), "--top-k", str(g["top_k"]), "--seed", str(g["seed"])]
    result = run_cli("demo", "pretraining", "--prompt", "A", *explicit, "--max-chars", "5", "--json", "--demos", demos)
    assert result.exit_code == 0, result.output
    plain = run_cli("demo", "pretraining", "--prompt", "A", "--max-chars", "5", "--json", "--demos", demos)
    assert json.loads(result.output) == json.loads(plain.output)  # the widget's sampling is the demo's default


@pytest.mark.parametrize(
    ("train", "message"),
    [
        ({"steps": 10**12}, "train.steps: Input should be less than or equal to 10000000"),
        ({"eval_batches": 10**9}, "train.eval_batches: Input should be less than or equal to 10000"),
        ({"batch_size": 10**9}, "train.batch_size: Input should be less than or equal to 1048576"),
        ({"seed": -1}, "train.seed: Input should be greater than or equal to 0"),
    ],
)
def test_unbounded_recipe_values_are_capped(
    make_recipe: Callable[..., Path], train: dict[str, int], message: str
) -> None:
    assert message in _clean(run_cli("pretrain", make_recipe(train=train), "--out", "unused", "--quiet"))


def test_too_large_to_allocate_is_said_before_trying(make_recipe: Callable[..., Path], tmp_path: Path) -> None:
    recipe = make_recipe(model={"n_embd": 1024, "n_head": 8, "block_size": 1024}, train={"batch_size": 1_000_000})
    output = _clean(run_cli("pretrain", recipe, "--out", tmp_path / "big", "--quiet"))
    assert "too large for this machine: about" in output and "lower train.batch_size or the model size" in output
    recipe = make_recipe(data={"corpus": "text", "path": "/dev/zero"})
    output = _clean(run_cli("pretrain", recipe, "--out", tmp_path / "zero", "--quiet"))
    assert "/dev/zero: not a regular file (a device or pipe may never end)" in output


def test_deeply_nested_recipe_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("task: lm\ntrain: " + "[" * 2000 + "]" * 2000 + "\n")
    output = _clean(run_cli("pretrain", path, "--out", tmp_path / "x"))
    assert f"{path}: nested too deeply to be a recipe" in output


def test_recipe_names_get_a_did_you_mean_and_pretrain_help_lists_them() -> None:
    output = _clean(run_cli("pretrain", "tiny_lm"))
    assert "tiny_lm: no such recipe file or shipped recipe (did you mean 'tiny-lm'?)" in output
    help_text = run_cli("pretrain", "--help").output
    assert "Shipped recipes" in help_text
    for name in ("tiny-lm", "glossary-finetune", "digits", "digits-denoise", "digits-few-labels"):
        assert f"  {name} " in help_text


def test_info_and_export_keep_one_account_of_the_saved_weights(
    trained: Path, tmp_path: Path, make_recipe: Callable[..., Path]
) -> None:
    """Early stopping keeps the best weights: info and export name that step and its loss, not the last one."""
    recipe = make_recipe(
        train={"steps": 200, "lr": 0.1, "min_lr": 0.1, "warmup_steps": 0, "eval_interval": 2, "early_stopping": 2}
    )
    assert run_cli("finetune", recipe, "--from", trained, "--out", tmp_path / "es", "--quiet").exit_code == 0
    info = json.loads(run_cli("info", tmp_path / "es", "--json").output)
    assert info["best_step"] < info["step"]  # stopped after the best evaluation
    assert info["weights_step"] == info["best_step"]
    assert info["weights_val_loss"] == info["best_val_loss"]
    result = run_cli("export", tmp_path / "es", "--out", tmp_path / "es.onnx")
    assert result.exit_code == 0, result.output
    assert f"weights        step {info['best_step']} of {tmp_path / 'es'}, val loss {info['best_val_loss']:.4f}" in (
        result.output
    )
    onnx_info = json.loads(run_cli("info", tmp_path / "es.onnx", "--json").output)
    assert onnx_info["source_step"] == str(info["best_step"])
    assert float(onnx_info["source_val_loss"]) == pytest.approx(info["best_val_loss"], abs=1e-6)


def _interrupt_when_saved(args: list[str], out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import signal
    import time

    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while not (out / "checkpoint.json").is_file() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)  # the whole group, as Ctrl-C in a terminal
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


def test_ctrl_c_under_torchrun_prints_one_message(make_recipe: Callable[..., Path], tmp_path: Path) -> None:
    recipe = make_recipe(train={"steps": 100_000, "ckpt_interval": 20, "eval_interval": 50})
    out = tmp_path / "ddp"
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"}
    launch = [sys.executable, "-m", "aiglossary_engine.launch", "--standalone", "--nproc_per_node=2"]
    args = [*launch, "-m", "aiglossary_engine", "pretrain", str(recipe), "--out", str(out), "--quiet"]
    proc = _interrupt_when_saved(args, out, env)
    assert proc.returncode == 130, proc.stderr[-2000:]
    assert proc.stderr.count("Interrupted: ") == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr and "Aborted" not in proc.stderr
    assert "Continue with: the same torchrun command with --resume" in proc.stderr
