"""engine build-ask: train the Ask encoder and write docs/demos/ask/ (models, term vectors, index, manifest)."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from aiglossary_engine.commands._common import quiet_option


@click.command("build-ask")
@click.option(
    "--budget",
    type=click.Choice(("ci", "full")),
    default="full",
    show_default=True,
    help="full: the committed encoder; ci: a tiny model that checks the whole pipeline in seconds.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("docs/demos"),
    show_default=True,
    help="Folder that receives ask/.",
)
@click.option(
    "--glossary",
    type=click.Path(path_type=Path),
    default=Path("glossary"),
    show_default=True,
    help="Glossary folder: the terms to rank and the fine-tuning pairs.",
)
@click.option(
    "--descriptions",
    type=click.Path(path_type=Path),
    default=Path("bench/ask_dev_queries.yaml"),
    show_default=True,
    help="Hand-written reader descriptions: the train part (by a hash of each text) is fine-tuned on, the tune "
    "part never (bench/ask_tune.py chooses on it). A missing file means none.",
)
@click.option("--threads", type=click.IntRange(1, 256), default=1, show_default=True, help="PyTorch threads.")
@click.option(
    "--reuse-encoders",
    is_flag=True,
    help="Keep the encoders already in OUT/ask/ (no training): rewrite only the term vectors, index and manifest.",
)
@click.option("--rewrite", is_flag=True, help="Write the files even when every number matches the manifest there.")
@quiet_option
def build_ask(
    budget: str,
    out: Path,
    glossary: Path,
    descriptions: Path,
    threads: int,
    reuse_encoders: bool,
    rewrite: bool,
    quiet: bool,
) -> None:
    """Pre-train the Ask encoder on the shipped text, fine-tune it on pairs from the entries, compute the
    term vectors and the BM25F index with the ranking choices made on the development queries
    (bench/ask_tune.py), and write OUT/ask/ atomically.

    The manifest records the recipe, seed, corpus hashes, curves, the dev metrics (BM25, the
    pre-trained-only and the fine-tuned encoder, the hybrid) and the sha256 of every file.
    """
    import shutil
    import tempfile
    import time

    from aiglossary_engine.ask.build import build_ask as run
    from aiglossary_engine.demos.common import BuildContext

    start = time.perf_counter()

    def log(msg: str) -> None:
        if not quiet:
            click.echo(f"[{time.perf_counter() - start:6.0f}s] {msg}", err=True)

    args = ["engine", "build-ask", "--budget", budget]
    args += ["--threads", str(threads)] if threads != 1 else []
    args += ["--glossary", glossary.as_posix()] if glossary != Path("glossary") else []
    args += ["--descriptions", descriptions.as_posix()] if descriptions != Path("bench/ask_dev_queries.yaml") else []
    args += ["--reuse-encoders"] if reuse_encoders else []
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".ask.work-", dir=out))
    try:
        ctx = BuildContext(work=work, glossary=glossary, command=shlex.join(args), log=log, threads=threads)
        target, manifest = run(out, budget, ctx, rewrite, reuse_encoders, descriptions)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not quiet:
        dev = manifest["metrics"]["dev"]
        click.echo(f"{target}: {len(manifest['files'])} files, {manifest['build_seconds']} s")
        for name in ("bm25", "encoder_pretrained_only", "encoder_finetuned", "hybrid"):
            m = dev[name]
            click.echo(f"  dev {name:<24} R@1 {m['recall_at_1']:.3f}  R@5 {m['recall_at_5']:.3f}  MRR {m['mrr']:.3f}")
