"""engine pretrain: train a model from random initial weights as a recipe says."""

from __future__ import annotations

from pathlib import Path

import click

from aiglossary_engine.commands._common import (
    default_out,
    quiet_option,
    seed_option,
    shipped_recipes_epilog,
    steps_option,
)


@click.command(epilog=shipped_recipes_epilog())
@click.argument("recipe")
@steps_option
@click.option("--out", type=click.Path(path_type=Path), help="Checkpoint folder (default: runs/<recipe>).")
@seed_option("Random seed, 0 to 2**63 - 1 (default: the recipe's).")
@click.option("--resume", is_flag=True, help="Continue the checkpoint in --out (after a crash or kill).")
@quiet_option
def pretrain(recipe: str, steps: int | None, out: Path | None, seed: int | None, resume: bool, quiet: bool) -> None:
    """Pre-train the model of RECIPE (a path or a shipped recipe name such as tiny-lm).

    Runs unchanged under torchrun for data-parallel training, e.g.
    torchrun --nproc_per_node=2 -m aiglossary_engine pretrain tiny-lm
    """
    from aiglossary_engine.commands._train import run

    run(recipe, "pretrain", out or default_out(recipe), steps, seed, resume, quiet, None, False)
