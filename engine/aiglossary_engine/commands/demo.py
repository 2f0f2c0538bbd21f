"""engine demo: the terminal twin of the live widgets, on the committed demo models."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from aiglossary_engine import MAX_CHARS
from aiglossary_engine.commands._common import _bounded, non_negative_float, seed_in_range

FC = TypeVar("FC", bound=Callable[..., Any])

demos_option = click.option(
    "--demos",
    "demos_dir",
    type=click.Path(path_type=Path),
    default=Path("docs/demos"),
    show_default=True,
    help="Where the built demos live.",
)


def _demo_decoding(f: FC) -> FC:
    """Decoding options whose defaults are the widget's, read from the demo's manifest (``generation``)."""
    options = [
        click.option(
            "--max-chars",
            type=int,
            callback=_bounded(MAX_CHARS),
            help="Characters to write after the prompt (default: the widget's).",
        ),
        click.option(
            "--temperature",
            type=float,
            callback=non_negative_float,
            help="Sampling temperature (default: the widget's); 0 takes the most likely character, as --greedy.",
        ),
        click.option(
            "--top-k",
            type=click.IntRange(0),
            help="Sample among the k most likely characters (0: all; default: the widget's).",
        ),
        click.option("--greedy", is_flag=True, help="Always take the most likely character (no sampling)."),
        click.option(
            "--seed",
            type=int,
            callback=seed_in_range,
            help="Seed of the sampler, as the widget's seed field (default: the widget's); the state is seed mod 2**32.",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(("text", "json")),
            default="text",
            show_default=True,
            help="json: one object with each model's continuation and figures, for tools.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Same as --format json."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _decoding(manifest: dict[str, Any], **given: Any) -> dict[str, Any]:
    gen = manifest.get("generation") or {}
    out = {
        "max_chars": given["max_chars"] or int(gen.get("max_chars", 100)),
        "temperature": float(gen.get("temperature", 0.0)) if given["temperature"] is None else given["temperature"],
        "top_k": int(gen.get("top_k", 0)) if given["top_k"] is None else given["top_k"],
        "seed": int(gen.get("seed", 0)) if given["seed"] is None else given["seed"],
    }
    out["greedy"] = bool(given["greedy"] or out["temperature"] == 0)
    return out


def _continue(model: Any, prompt: str, d: dict[str, Any]) -> str:
    from aiglossary_engine.runtime import generate

    return generate(model, prompt, d["max_chars"], d["temperature"], d["greedy"], d["seed"], top_k=d["top_k"])


def _describe(d: dict[str, Any]) -> str:
    if d["greedy"]:
        return f"greedy (always the most likely character), {d['max_chars']} characters"
    top = f"top-{d['top_k']}" if d["top_k"] else "all characters"
    return f"sampled at temperature {d['temperature']:g} among {top}, seed {d['seed']}, {d['max_chars']} characters"


@click.group()
def demo() -> None:
    """Run a built demo in the terminal (the same models and decoding as the pages' widgets)."""


@demo.command()
@click.option("--prompt", required=True, help="Start of a sentence to continue.")
@_demo_decoding
@demos_option
def pretraining(prompt: str, fmt: str, as_json: bool, demos_dir: Path, **given: Any) -> None:
    """Continue --prompt with the scratch, pre-trained-only and fine-tuned models, side by side.

    By default it samples as the page's widget does (its temperature, top-k and seed, from the demo's
    manifest), so the same prompt and --seed print exactly what the browser shows.
    """
    from aiglossary_engine.demos.common import verify_demo
    from aiglossary_engine.runtime import load_model

    folder = demos_dir / "pretraining"
    manifest = verify_demo(folder)
    d = _decoding(manifest, **given)
    outs: dict[str, str] = {}
    for kind in ("scratch", "pretrained", "finetuned"):
        outs[kind] = _continue(load_model(folder / manifest["models"][kind]["file"]), prompt, d)
    if as_json or fmt == "json":
        figures = ("label", "heldout_loss_int8", "word_validity", "distinct_4gram_ratio")
        models = {k: {"continuation": outs[k]} | {f: manifest["models"][k].get(f) for f in figures} for k in outs}
        result = {"prompt": prompt, "decoding": d, **outs, "models": models, "metrics": manifest["metrics"]}
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    labels = {k: manifest["models"][k]["label"] for k in outs}
    click.echo(f"Decoding: {_describe(d)}.")
    click.echo(_side_by_side([(labels[k], prompt + outs[k]) for k in outs]))


@demo.command()
@click.option("--prompt", required=True, help="Start of a sentence to continue.")
@_demo_decoding
@demos_option
def quantisation(prompt: str, fmt: str, as_json: bool, demos_dir: Path, **given: Any) -> None:
    """The fine-tuned model in fp32 and int8: size, load time, time per character, held-out loss,
    agreement, and both continuations of --prompt with the same seed (as the page's widget)."""
    from aiglossary_engine.demos.common import verify_demo
    from aiglossary_engine.runtime import load_model

    folder = demos_dir / "quantisation"
    manifest = verify_demo(folder)
    d = _decoding(manifest, **given)
    rows: dict[str, dict[str, Any]] = {}
    for kind in ("fp32", "int8"):
        info = manifest["models"][kind]
        path = folder / info["file"]
        t0 = time.perf_counter()
        model = load_model(path)
        load_ms = 1000 * (time.perf_counter() - t0)
        t0 = time.perf_counter()
        text = _continue(model, prompt, d)
        per_char = 1000 * (time.perf_counter() - t0) / d["max_chars"]
        rows[kind] = {
            "label": info["label"],
            "file": info["file"],
            "bytes": path.stat().st_size,
            "load_ms": round(load_ms, 1),
            "ms_per_char": round(per_char, 3),
            "heldout_loss": info["heldout_loss"],
            "continuation": text,
        }
    m = manifest["metrics"]
    if as_json or fmt == "json":
        result = {"prompt": prompt, "decoding": d, "models": rows, "metrics": m}
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(_quantisation_claim(m))
    click.echo(f"Decoding: {_describe(d)}.")
    table = [
        ("", *(rows[k]["label"] for k in rows)),
        ("file size", *(f"{rows[k]['bytes'] / 1024:,.0f} KiB" for k in rows)),
        ("load time (here)", *(f"{rows[k]['load_ms']:.0f} ms" for k in rows)),
        ("time per character (here)", *(f"{rows[k]['ms_per_char']:.2f} ms" for k in rows)),
        ("held-out loss", *(f"{rows[k]['heldout_loss']:.4f} nats/char" for k in rows)),
        ("same most likely next character", f"{m['argmax_agreement']:.1%} of held-out positions", ""),
    ]
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    for r in table:
        click.echo("  ".join(f"{c:<{w}}" for c, w in zip(r, widths, strict=True)).rstrip())
    click.echo(_side_by_side([(rows[k]["label"], prompt + rows[k]["continuation"]) for k in rows]))


def _quantisation_claim(m: dict[str, Any]) -> str:
    from aiglossary.sitegen.demos import quantisation_claim

    return quantisation_claim(m)


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
