"""engine classify: predict the digit in image files with an exported digits model."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.argument("images", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--top", type=click.IntRange(1, 10), default=3, show_default=True, help="Classes to show per image.")
def classify(model: Path, images: tuple[Path, ...], top: int) -> None:
    """Classify IMAGE files (PNG, PGM, .npy or .txt of 64 values) with MODEL.onnx."""
    import numpy as np

    from aiglossary_engine.digits import read_image
    from aiglossary_engine.errors import EngineError
    from aiglossary_engine.runtime import classify as run_classify
    from aiglossary_engine.runtime import load_model

    net = load_model(model)
    pixels = []
    for path in images:
        try:
            pixels.append(read_image(path))
        except (OSError, ValueError, IndexError) as exc:
            raise EngineError(f"{path}: cannot read image ({exc})") from None
    probs = run_classify(net, np.stack(pixels))
    for path, p in zip(images, probs, strict=True):
        best = np.argsort(-p)[:top]
        click.echo(f"{path}: {best[0]}  (" + ", ".join(f"{c}: {p[c]:.1%}" for c in best) + ")")
