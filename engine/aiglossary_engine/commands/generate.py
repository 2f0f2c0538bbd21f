"""engine generate: continue a prompt with an exported language model (onnxruntime)."""

from __future__ import annotations

from pathlib import Path

import click

from aiglossary_engine.commands._common import non_negative_float, positive_int


@click.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--prompt", required=True, help="Start of the text; longer than the context keeps its end.")
@click.option("--max-chars", type=int, default=200, show_default=True, callback=positive_int)
@click.option("--temperature", type=float, default=0.8, show_default=True, callback=non_negative_float)
@click.option("--greedy", is_flag=True, help="Always take the most likely character (deterministic).")
@click.option("--seed", type=int, default=None, help="Seed for sampling.")
@click.option("--no-cache", is_flag=True, help="Recompute everything per character (slow; for checks).")
def generate(
    model: Path, prompt: str, max_chars: int, temperature: float, greedy: bool, seed: int | None, no_cache: bool
) -> None:
    """Generate text from MODEL.onnx after --prompt."""
    from aiglossary_engine.runtime import generate as run_generate
    from aiglossary_engine.runtime import load_model

    lm = load_model(model)
    text = run_generate(lm, prompt, max_chars, temperature, greedy, seed, use_cache=not no_cache)
    click.echo(prompt + text)
