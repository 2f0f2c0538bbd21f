"""engine finetune: continue training a checkpoint on a recipe's data (or the same budget from scratch)."""

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
@click.option(
    "--from",
    "init_from",
    required=True,
    type=click.Path(path_type=Path),
    help="Checkpoint folder to start from (model shape and vocabulary come from it).",
)
@click.option("--scratch", is_flag=True, help="Same model shape and budget, but random initial weights.")
@steps_option
@click.option("--out", type=click.Path(path_type=Path), help="Checkpoint folder (default: runs/<recipe>).")
@seed_option("Random seed, 0 to 2**63 - 1 (default: the recipe's).")
@click.option("--resume", is_flag=True, help="Continue the checkpoint in --out.")
@quiet_option
def finetune(
    recipe: str,
    init_from: Path,
    scratch: bool,
    steps: int | None,
    out: Path | None,
    seed: int | None,
    resume: bool,
    quiet: bool,
) -> None:
    """Fine-tune the checkpoint given by --from on RECIPE's data and training settings.

    The recipe's model section, if any, is ignored: the shape comes from the checkpoint.
    """
    from aiglossary_engine.commands._train import run

    target = out or default_out(recipe, "-scratch" if scratch else "")
    run(recipe, "finetune", target, steps, seed, resume, quiet, init_from, scratch)
