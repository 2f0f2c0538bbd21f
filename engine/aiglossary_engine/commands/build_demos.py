"""engine build-demos: run the demo experiments and write docs/demos/<id>/ (models + manifest.json)."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from aiglossary_engine.commands._common import quiet_option

DEMO_IDS = ("pretraining", "quantisation", "digits")
# The quantisation demo quantises the pretraining demo's fine-tuned model: both train in one folder,
# so building them together (or with the same --work) trains that model once.
WORK_FOLDER = {"quantisation": "pretraining"}


@click.command("build-demos")
@click.argument("demo_id", metavar="[ID]", required=False, type=click.Choice(DEMO_IDS))
@click.option(
    "--budget",
    type=click.Choice(("ci", "full")),
    default="full",
    show_default=True,
    help="full: the committed demos; ci: a small, quick check of the whole pipeline (what the tests build).",
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
@click.option(
    "--work",
    type=click.Path(path_type=Path),
    help="Keep checkpoints here and reuse (or resume) those of the same runs (default: a temporary folder).",
)
@click.option(
    "--rewrite", is_flag=True, help="Write the new files even when every number matches the manifest already there."
)
@quiet_option
def build_demos(
    demo_id: str | None,
    budget: str,
    out: Path,
    glossary: Path,
    threads: int,
    work: Path | None,
    rewrite: bool,
    quiet: bool,
) -> None:
    """Rebuild demo ID (pretraining, quantisation or digits; default: all) into --out/ID, atomically.

    Same seeds, same numbers: the manifest records recipes, seeds, corpus hashes, curves, metrics,
    the sha256 of every file, the engine version and the command. A demo whose numbers all match the
    manifest already in --out is left as it is (its ONNX bytes may differ in the last bits of a weight
    on another machine); --rewrite writes it anyway.
    """
    import shutil
    import time

    from aiglossary_engine.demos import BuildContext, build_demo

    start = time.perf_counter()

    def log(msg: str) -> None:
        if not quiet:
            click.echo(f"[{time.perf_counter() - start:6.0f}s] {msg}", err=True)

    ids = [demo_id] if demo_id else list(DEMO_IDS)
    made: set[Path] = set()
    for one in ids:
        # A fixed scratch path (not a random temporary name): the exported files record the checkpoint
        # they came from, so the same command writes byte-identical files.
        name = WORK_FOLDER.get(one, one)
        folder = work / name if work else out / f".{name}.work"
        if not work and folder not in made:  # a --work folder is kept: finished runs in it are reused
            shutil.rmtree(folder, ignore_errors=True)
        made.add(folder)
        last_use = all(WORK_FOLDER.get(other, other) != name for other in ids[ids.index(one) + 1 :])
        # The command that rebuilds this demo, the same on every machine: no paths of scratch folders,
        # no progress flags.
        args = ["engine", "build-demos", one, "--budget", budget]
        args += ["--threads", str(threads)] if threads != 1 else []
        args += ["--glossary", glossary.as_posix()] if glossary != Path("glossary") else []
        ctx = BuildContext(work=folder, glossary=glossary, command=shlex.join(args), log=log, threads=threads)
        try:
            target, manifest = build_demo(one, out, budget, ctx, rewrite)
        finally:
            if not work and last_use:
                shutil.rmtree(folder, ignore_errors=True)
        if not quiet:
            size = sum(f["bytes"] for f in manifest["files"].values())
            state = "unchanged: the same numbers as the manifest there (--rewrite writes anyway)"
            state = state if manifest.get("unchanged") else f"{len(manifest['files'])} files, {size / 1024:.0f} KiB"
            click.echo(f"{target}: {state}, {manifest['build_seconds']} s")
            click.echo(_summary(one, manifest))


def _summary(demo_id: str, manifest: dict[str, object]) -> str:
    from aiglossary_engine.demos.text import summary

    return summary(demo_id, manifest)
