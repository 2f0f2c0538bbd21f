"""Options and checks shared by several subcommands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary (for scripts).")


def positive_int(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 1:
        raise click.BadParameter(f"must be > 0, got {value}.")
    return value


def non_negative_float(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and value < 0:
        raise click.BadParameter(f"must be >= 0, got {value}.")
    return value


def default_out(recipe: str, suffix: str = "") -> Path:
    return Path("runs") / (Path(recipe).stem + suffix)


def echo_kv(pairs: list[tuple[str, Any]]) -> None:
    width = max(len(k) for k, _ in pairs)
    for key, value in pairs:
        click.echo(f"{key:<{width}}  {value}")
