"""What pretrain and finetune share: load the recipe, train, print a summary."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click


def run(
    recipe_name: str,
    command: str,
    out: Path,
    steps: int | None,
    seed: int | None,
    resume: bool,
    quiet: bool,
    init_from: Path | None,
    scratch: bool,
) -> None:
    from aiglossary_engine.recipes import load_recipe, resolve_recipe_path
    from aiglossary_engine.train import RunOptions, train

    path = resolve_recipe_path(recipe_name)
    recipe = load_recipe(path)
    opts = RunOptions(
        out=out,
        steps=steps,
        seed=seed,
        resume=resume,
        quiet=quiet,
        init_from=init_from,
        scratch=scratch,
        recipe_path=str(path),
        command=command,
    )
    try:
        result = train(recipe, opts)
    except KeyboardInterrupt:
        _interrupted(recipe_name, command, out, steps, seed, init_from, scratch)
    if not quiet and result.metrics is not None and int(os.environ.get("RANK", "0")) == 0:
        # under torchrun rank 0 speaks for all
        val = f"{result.val_loss:.4f}" if result.val_loss is not None else "n/a"
        best = f", best at step {result.best_step}" if result.best_step is not None else ""
        click.echo(f"{out}: step {result.step}, val loss {val}{best}, {result.items_per_s:,.0f} {_unit(recipe.task)}/s")
        click.echo(f"next: engine export {out} --out {out}.onnx")
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        _leave_torchrun_worker()


def _leave_torchrun_worker() -> NoReturn:
    """End a torchrun worker whose run is finished, saved and past the last barrier, without finalization.

    DistributedDataParallel's reducer keeps gloo's process group alive in C++ after
    ``destroy_process_group()``: its three threads (``pt_gloo_runloop`` ×2, ``gloo_tcp_loop``) are
    still running when the interpreter shuts down, and now and then a rank then aborts with
    "terminate called without an active exception" (SIGABRT), which torchrun reports as a failed run.
    Nothing is left to do here, so the worker flushes its output and leaves at once.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _unit(task: str) -> str:
    return "tokens" if task == "lm" else "images"


def _interrupted(
    recipe_name: str,
    command: str,
    out: Path,
    steps: int | None,
    seed: int | None,
    init_from: Path | None,
    scratch: bool,
) -> NoReturn:
    """Ctrl-C: say what the last checkpoint holds and the command that continues it; no traceback."""
    import shlex

    from aiglossary_engine.checkpoint import is_checkpoint, load_checkpoint
    from aiglossary_engine.errors import EngineError, Interrupted

    if int(os.environ.get("RANK", "0")) != 0:
        raise SystemExit(130)  # under torchrun rank 0 speaks for all
    args = ["engine", command, recipe_name, "--out", str(out)]
    args += ["--from", str(init_from)] if init_from else []
    args += ["--scratch"] if scratch else []
    args += ["--steps", str(steps)] if steps else []
    args += ["--seed", str(seed)] if seed is not None else []
    torchrun = int(os.environ.get("WORLD_SIZE", "1")) > 1
    how = "the same torchrun command with --resume" if torchrun else shlex.join([*args, "--resume"])
    try:
        saved = load_checkpoint(out).info if is_checkpoint(out) else None
    except (EngineError, OSError):
        saved = None
    if saved is None:
        raise Interrupted(f"nothing was saved in {out} yet (no checkpoint); run the command again to start over")
    if saved.get("finished"):
        raise Interrupted(f"{out} holds the finished run (step {saved['step']}); nothing to resume")
    raise Interrupted(
        f"{out} holds the checkpoint of step {saved['step']}; the steps after it are lost. Continue with: {how}"
    )
