"""engine build-demos: run the demo experiments and write docs/demos/<id>/ (models + manifest.json)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from aiglossary_engine.commands._common import quiet_option

DEMO_IDS = ("pretraining", "digits")


@click.command("build-demos")
@click.argument("demo_id", metavar="[ID]", required=False, type=click.Choice(DEMO_IDS))
@click.option(
    "--budget",
    type=click.Choice(("tiny", "full")),
    default="full",
    show_default=True,
    help="full: the committed demos; tiny: a quick check of the whole pipeline.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("docs/demos"),
    show_default=True,
    help="Folder that receives <id>/.",
)
@click.option(
    "--glossary",
    type=click.Path(path_type=Path),
    default=Path("glossary"),
    show_default=True,
    help="Glossary folder (the fine-tuning corpus).",
)
@click.option(
    "--threads", type=click.IntRange(1, 256), default=1, show_default=True, help="PyTorch threads for training."
)
@click.option("--work", type=click.Path(path_type=Path), help="Keep checkpoints here (default: a temporary folder).")
@quiet_option
def build_demos(
    demo_id: str | None, budget: str, out: Path, glossary: Path, threads: int, work: Path | None, quiet: bool
) -> None:
    """Rebuild demo ID (pretraining or digits; default: both) into --out/ID, atomically.

    Same seeds, same numbers: the manifest records recipes, seeds, corpus hashes, curves, metrics,
    the sha256 of every file, the engine version and this command.
    """
    import shutil
    import time

    from aiglossary_engine.demos import BuildContext, build_demo

    command = shlex.join(["engine", *sys.argv[1:]]) if sys.argv and "build-demos" in sys.argv else ""
    if not command:
        command = shlex.join(["engine", "build-demos", *([demo_id] if demo_id else []), "--budget", budget])
    start = time.perf_counter()

    def log(msg: str) -> None:
        if not quiet:
            click.echo(f"[{time.perf_counter() - start:6.0f}s] {msg}", err=True)

    for one in [demo_id] if demo_id else list(DEMO_IDS):
        # A fixed scratch path (not a random temporary name): the exported files record the checkpoint
        # they came from, so the same command writes byte-identical files.
        folder = work / one if work else out / f".{one}.work"
        shutil.rmtree(folder, ignore_errors=True)
        ctx = BuildContext(work=folder, glossary=glossary, command=command, log=log, threads=threads)
        try:
            target, manifest = build_demo(one, out, budget, ctx)
        finally:
            if not work:
                shutil.rmtree(folder, ignore_errors=True)
        if not quiet:
            size = sum(f["bytes"] for f in manifest["files"].values())
            click.echo(
                f"{target}: {len(manifest['files'])} files, {size / 1024:.0f} KiB, {manifest['build_seconds']} s"
            )
            click.echo(_summary(one, manifest))


def _summary(demo_id: str, manifest: dict[str, object]) -> str:
    from aiglossary_engine.demos.text import summary

    return summary(demo_id, manifest)
