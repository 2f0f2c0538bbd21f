"""engine ask: find glossary terms for a description, with the model and ranking the site's Ask box uses."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("ask")
@click.argument("text")
@click.option("--top", type=click.IntRange(1, 50), default=5, show_default=True, help="How many terms to show.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option(
    "--mode",
    type=click.Choice(("hybrid", "bm25", "encoder")),
    default="hybrid",
    show_default=True,
    help="hybrid: BM25 fused with the encoder (what the site does); bm25 or encoder alone.",
)
@click.option(
    "--ask-dir",
    type=click.Path(path_type=Path),
    default=Path("docs/demos/ask"),
    show_default=True,
    help="The folder engine build-ask wrote.",
)
def ask(text: str, top: int, fmt: str, mode: str, ask_dir: Path) -> None:
    """Rank the glossary's terms for TEXT, a description in your own words (the site's Ask box)."""
    from aiglossary_engine.ask.runtime import Ask

    if not text.strip():
        raise click.BadParameter("describe the idea in a few words", param_hint="TEXT")
    answers = Ask(ask_dir).ask(text, top, mode)
    if fmt == "json":
        click.echo(json.dumps({"query": text, "mode": mode, "results": [a.to_dict() for a in answers]}, indent=2))
        return
    for a in answers:
        where = f"{', '.join(a.matched)} in {a.field}" if a.field and a.matched else "meaning only"
        click.echo(f"{a.rank}. {a.term}  ({a.slug}, score {a.score:.3f}; matched: {where})")
        click.echo(f"   {a.summary}")
