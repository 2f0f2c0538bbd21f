"""Options and checks shared by several subcommands."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from aiglossary_engine import MAX_CHARS, MAX_SEED, MAX_STEPS

FC = TypeVar("FC", bound=Callable[..., Any])

quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary (for scripts).")


def positive_int(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter(f"must be > 0, got {value}.")
    return value


def _bounded(limit: int) -> Callable[[click.Context, click.Parameter, int | None], int | None]:
    def check(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise click.BadParameter(f"must be > 0, got {value}.")
        if value is not None and value > limit:
            raise click.BadParameter(f"must be at most {limit:,}, got {value}.")
        return value

    return check


def non_negative_float(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise click.BadParameter(f"must be a finite number >= 0, got {value}.")
    return value


def seed_in_range(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_SEED:
        raise click.BadParameter(f"must be 0 to {MAX_SEED} (2**63 - 1), got {value}.")
    return value


steps_option = click.option(
    "--steps",
    type=int,
    callback=_bounded(MAX_STEPS),
    help=f"Training steps, 1 to {MAX_STEPS:,} (default: the recipe's).",
)


def seed_option(help: str) -> Callable[[FC], FC]:
    return click.option("--seed", type=int, callback=seed_in_range, help=help)


def decoding_options(temperature: float, max_chars: int) -> Callable[[FC], FC]:
    """--max-chars, --temperature, --top-k, --greedy and --seed: engine generate's decoding options."""

    def apply(f: FC) -> FC:
        for option in reversed(
            [
                click.option(
                    "--max-chars",
                    type=int,
                    default=max_chars,
                    show_default=True,
                    callback=_bounded(MAX_CHARS),
                    help=f"Characters to write after the prompt (1 to {MAX_CHARS:,}).",
                ),
                click.option(
                    "--temperature",
                    type=float,
                    default=temperature,
                    show_default=True,
                    callback=non_negative_float,
                    help="Sampling temperature: lower is more predictable, higher more varied; 0 always takes "
                    "the most likely character (as --greedy does).",
                ),
                click.option(
                    "--top-k",
                    type=click.IntRange(0),
                    default=0,
                    show_default=True,
                    help="Sample only among the k most likely characters (0: all).",
                ),
                click.option("--greedy", is_flag=True, help="Always take the most likely character (deterministic)."),
                seed_option(
                    "Seed for sampling, 0 to 2**63 - 1: the same seed repeats a sampled text "
                    "(mulberry32; its state is the seed modulo 2**32)."
                ),
            ]
        ):
            f = option(f)
        return f

    return apply


def default_out(recipe: str, suffix: str = "") -> Path:
    return Path("runs") / (Path(recipe).stem + suffix)


def shipped_recipes_epilog(task: str | None = None) -> str:
    """The shipped recipe names with their descriptions, for --help (read without importing yaml)."""
    folder = Path(__file__).resolve().parents[2] / "recipes"
    lines = []
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if task and f"task: {task}" not in text:
            continue
        described = [
            ln.split(":", 1)[1].strip().strip("\"'") for ln in text.splitlines() if ln.startswith("description:")
        ]
        lines.append(f"  {path.stem:<20} {described[0] if described else ''}".rstrip())
    return "\b\nShipped recipes (RECIPE may also be a path to a YAML file):\n" + "\n".join(lines or ["  none"])


def echo_kv(pairs: list[tuple[str, Any]]) -> None:
    width = max(len(k) for k, _ in pairs)
    for key, value in pairs:
        click.echo(f"{key:<{width}}  {value}")
