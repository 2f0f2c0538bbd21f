"""engine generate: continue a prompt with an exported language model (onnxruntime)."""

from __future__ import annotations

from pathlib import Path

import click

from aiglossary_engine.commands._common import decoding_options


@click.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--prompt", required=True, help="Start of the text; longer than the context keeps its end.")
@decoding_options(temperature=0.8, max_chars=200)
@click.option("--no-cache", is_flag=True, help="Recompute everything per character (slow; for checks).")
def generate(
    model: Path,
    prompt: str,
    max_chars: int,
    temperature: float,
    top_k: int,
    greedy: bool,
    seed: int | None,
    no_cache: bool,
) -> None:
    """Generate text from MODEL.onnx after --prompt."""
    from aiglossary_engine.runtime import generate as run_generate
    from aiglossary_engine.runtime import load_model

    lm = load_model(model)
    text = run_generate(lm, prompt, max_chars, temperature, greedy, seed, use_cache=not no_cache, top_k=top_k)
    click.echo(prompt + text)
