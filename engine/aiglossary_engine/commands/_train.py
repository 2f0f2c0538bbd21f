"""What pretrain and finetune share: load the recipe, train, print a summary."""

from __future__ import annotations

from pathlib import Path

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
    result = train(recipe, opts)
    if quiet or (result.metrics is None):
        return
    import torch.distributed as dist

    if dist.is_initialized() and dist.get_rank() != 0:
        return
    val = f"{result.val_loss:.4f}" if result.val_loss is not None else "n/a"
    best = f", best at step {result.best_step}" if result.best_step is not None else ""
    click.echo(f"{out}: step {result.step}, val loss {val}{best}, {result.items_per_s:,.0f} {_unit(recipe.task)}/s")
    click.echo(f"next: engine export {out} --out {out}.onnx")


def _unit(task: str) -> str:
    return "tokens" if task == "lm" else "images"
