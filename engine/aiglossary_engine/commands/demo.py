"""engine demo: the terminal twin of the live widgets, on the committed demo models."""

from __future__ import annotations

import json
from pathlib import Path

import click

from aiglossary_engine.commands._common import decoding_options

demos_option = click.option(
    "--demos",
    "demos_dir",
    type=click.Path(path_type=Path),
    default=Path("docs/demos"),
    show_default=True,
    help="Where the built demos live.",
)


@click.group()
def demo() -> None:
    """Run a built demo in the terminal (the same models as the pages' widgets)."""


@demo.command()
@click.option("--prompt", required=True, help="Start of a sentence to continue.")
@decoding_options(temperature=0.0, max_chars=100)
@click.option("--json", "as_json", is_flag=True, help="Print the continuations as one JSON object.")
@demos_option
def pretraining(
    prompt: str, max_chars: int, temperature: float, greedy: bool, seed: int | None, as_json: bool, demos_dir: Path
) -> None:
    """Continue --prompt with the scratch, pre-trained-only and fine-tuned models, side by side.

    Greedy by default (temperature 0), like the page's widget; the decoding options are engine generate's.
    """
    from aiglossary_engine.demos.common import verify_demo
    from aiglossary_engine.runtime import generate, load_model

    folder = demos_dir / "pretraining"
    manifest = verify_demo(folder)
    outs: dict[str, str] = {}
    for kind in ("scratch", "pretrained", "finetuned"):
        model = load_model(folder / manifest["models"][kind]["file"])
        outs[kind] = generate(model, prompt, max_chars, temperature, greedy or temperature == 0, seed)
    if as_json:
        click.echo(json.dumps({"prompt": prompt, **outs}, ensure_ascii=False))
        return
    labels = {k: manifest["models"][k]["label"] for k in outs}
    click.echo(_side_by_side([(labels[k], prompt + outs[k]) for k in outs]))


def _side_by_side(columns: list[tuple[str, str]]) -> str:
    import shutil
    import textwrap

    width = max(20, (shutil.get_terminal_size((120, 24)).columns - 3 * (len(columns) - 1)) // len(columns))
    cols = []
    for title, text in columns:
        body = text.replace("\n", "\u21b5 ")
        cols.append([title[:width], "-" * min(width, len(title)), *(textwrap.wrap(body, width) or [""])])
    height = max(len(c) for c in cols)
    rows = []
    for i in range(height):
        rows.append(" | ".join(f"{(c[i] if i < len(c) else ''):<{width}}" for c in cols).rstrip())
    return "\n".join(rows)


@demo.command()
@click.argument("image", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print both models' probabilities as JSON.")
@demos_option
def digits(image: Path, as_json: bool, demos_dir: Path) -> None:
    """Predict the digit in IMAGE (PNG, PGM, .npy or .txt) with both models, side by side."""
    import numpy as np

    from aiglossary_engine.demos.common import verify_demo
    from aiglossary_engine.digits import read_image
    from aiglossary_engine.errors import EngineError
    from aiglossary_engine.runtime import classify, load_model

    folder = demos_dir / "digits"
    manifest = verify_demo(folder)
    try:
        pixels = read_image(image)
    except (OSError, ValueError, IndexError) as exc:
        raise EngineError(f"{image}: cannot read image ({exc})") from None
    probs = {
        kind: classify(load_model(folder / manifest["models"][kind]["file"]), pixels[None, :])[0]
        for kind in ("scratch", "pretrained")
    }
    if as_json:
        click.echo(json.dumps({k: [round(float(x), 6) for x in p] for k, p in probs.items()}))
        return
    for kind, p in probs.items():
        info = manifest["models"][kind]
        best = np.argsort(-p)[:3]
        top = ", ".join(f"{c}: {p[c]:.1%}" for c in best)
        click.echo(f"{info['label']} (K={info['k']} labels per class): {best[0]}  ({top})")
