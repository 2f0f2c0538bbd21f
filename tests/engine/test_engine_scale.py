"""Faults and scale-out: kill -9 then --resume gives identical weights; 2-process DDP matches 1 process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from _engine_util import run_engine
from aiglossary_engine.checkpoint import load_checkpoint

pytestmark = pytest.mark.engine

# big enough that training runs for a few seconds, so the kill lands in the middle
RESUME_MODEL = {"n_layer": 2, "n_head": 2, "n_embd": 32, "block_size": 32}
RESUME_TRAIN = {"steps": 300, "batch_size": 16, "ckpt_interval": 10, "eval_interval": 50, "log_interval": 10}


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    return load_checkpoint(folder).load_tensors("model.pt")


def test_kill_9_then_resume_gives_identical_weights(tmp_path: Path, make_recipe: Callable[..., Path]) -> None:
    recipe = make_recipe(model=RESUME_MODEL, train=RESUME_TRAIN)
    # the reference: one uninterrupted run
    ref = run_engine("pretrain", recipe, "--out", tmp_path / "ref", "--quiet")
    assert ref.returncode == 0, ref.stderr
    # the same run, killed with SIGKILL once it has written a checkpoint past step 30
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-m", "aiglossary_engine", "pretrain", str(recipe), "--out", str(out), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_NUM_THREADS": "1"},  # as run_engine: bitwise equality needs equal threads
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            info = out / "checkpoint.json"
            if info.is_file() and b'"step": ' in info.read_bytes():
                step = int(info.read_text().split('"step": ')[1].split(",")[0])
                if step >= 30:
                    break
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    killed_at = load_checkpoint(out)
    assert 30 <= killed_at.info["step"] < 300 and not killed_at.info["finished"], "the kill came too late"
    # resume finishes the run
    resumed = run_engine("pretrain", recipe, "--out", out, "--resume", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert load_checkpoint(out).info == {**load_checkpoint(tmp_path / "ref").info}
    a, b = _weights(tmp_path / "ref"), _weights(out)
    assert all(torch.equal(a[k], b[k]) for k in a), "resumed weights differ from the uninterrupted run"
    assert (out / "metrics.jsonl").read_text() != ""
    steps = [r["step"] for r in load_checkpoint(out).metrics()]
    assert steps == sorted(set(steps)) and steps[-1] == 300  # no duplicated lines from before the kill


def test_two_process_ddp_matches_one_process(tmp_path: Path, make_recipe: Callable[..., Path]) -> None:
    recipe = make_recipe(train={"steps": 20, "batch_size": 8, "eval_interval": 10, "ckpt_interval": 10})
    single = run_engine("pretrain", recipe, "--out", tmp_path / "one", "--quiet")
    assert single.returncode == 0, single.stderr
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"}
    ddp = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            "-m",
            "aiglossary_engine",
            "pretrain",
            str(recipe),
            "--out",
            str(tmp_path / "two"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    state = tmp_path / "two" / "checkpoint.json"
    saved = state.read_text("utf-8")[:300] if state.is_file() else "no checkpoint.json"
    assert ddp.returncode == 0, f"{ddp.stderr[-3000:]}\ncheckpoint when torchrun ended: {saved}"
    two = load_checkpoint(tmp_path / "two")
    assert two.config["world_size"] == 2
    assert two.info["step"] == 20
    a, b = _weights(tmp_path / "one"), _weights(tmp_path / "two")
    n_embd = two.config["model"]["n_embd"]
    for key in a:
        if key.endswith("c_attn.bias"):
            # The key bias does not change attention (softmax ignores a constant shift), so its gradient
            # is pure rounding noise that Adam scales up: compare only the query and value biases.
            a[key], b[key] = (
                a[key][torch.arange(3 * n_embd) // n_embd != 1],
                b[key][torch.arange(3 * n_embd) // n_embd != 1],
            )
        torch.testing.assert_close(a[key], b[key], atol=1e-4, rtol=0, msg=f"{key} differs")
    one_rows, two_rows = load_checkpoint(tmp_path / "one").metrics(), two.metrics()
    assert [r["step"] for r in one_rows] == [r["step"] for r in two_rows]  # rank 0 alone logs
    for r1, r2 in zip(one_rows, two_rows, strict=True):
        assert r1["train_loss"] == pytest.approx(r2["train_loss"], abs=1e-3)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
