"""engine list: the recipes, checkpoints, ONNX files and demos this project has."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("list")
@click.option(
    "--runs",
    "runs_dir",
    type=click.Path(path_type=Path),
    default=Path("runs"),
    show_default=True,
    help="Where to look for checkpoints and ONNX files.",
)
@click.option(
    "--demos",
    "demos_dir",
    type=click.Path(path_type=Path),
    default=Path("docs/demos"),
    show_default=True,
    help="Where built demos live.",
)
def list_(runs_dir: Path, demos_dir: Path) -> None:
    """List shipped recipes, checkpoints and ONNX files under --runs, and demos under --demos."""
    from aiglossary_engine.recipes import shipped_recipes

    click.echo("recipes:")
    for path in shipped_recipes():
        click.echo(f"  {path.stem:<24} {_shown(path)}")
    click.echo(f"checkpoints ({runs_dir}):")
    found = False
    if runs_dir.is_dir():
        for info in sorted(runs_dir.rglob("checkpoint.json")):
            if info.parent.name.startswith("."):
                continue
            try:
                data = json.loads(info.read_text(encoding="utf-8"))
                state = "finished" if data.get("finished") else "in progress"
                val = data.get("val_loss")
                detail = f"step {data.get('step')}, {state}" + (f", val loss {val:.4f}" if val is not None else "")
            except (OSError, ValueError):
                detail = "unreadable checkpoint.json"
            click.echo(f"  {info.parent}  ({detail})")
            found = True
    if not found:
        click.echo("  none: run engine pretrain RECIPE")
    click.echo(f"onnx files ({runs_dir}):")
    models = sorted(runs_dir.rglob("*.onnx")) if runs_dir.is_dir() else []
    for path in models:
        click.echo(f"  {path}  ({path.stat().st_size / 1024:.0f} KiB)")
    if not models:
        click.echo("  none: run engine export CHECKPOINT_DIR --out FILE.onnx")
    click.echo(f"demos ({demos_dir}):")
    demos = sorted(demos_dir.glob("*/manifest.json")) if demos_dir.is_dir() else []
    for manifest in demos:
        click.echo(f"  {manifest.parent.name:<24} {manifest.parent}")
    if not demos:
        click.echo("  none")


def _shown(path: Path) -> str:
    """The path relative to the current directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
