"""engine export: write a checkpoint as a checked ONNX file."""

from __future__ import annotations

from pathlib import Path

import click

from aiglossary_engine import DEFAULT_OPSET
from aiglossary_engine.commands._common import echo_kv, quiet_option


@click.command("export")
@click.argument("checkpoint_dir", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="The .onnx file to write.")
@click.option("--int8", is_flag=True, help="Quantize weights to int8 (accepted only if held-out loss holds).")
@click.option("--opset", type=int, default=DEFAULT_OPSET, show_default=True, help="ONNX opset, 18 to 21.")
@click.option("--force", is_flag=True, help="Replace --out if it exists (otherwise an existing file is an error).")
@quiet_option
def export(checkpoint_dir: Path, out: Path, int8: bool, opset: int, force: bool, quiet: bool) -> None:
    """Export CHECKPOINT_DIR to ONNX, check parity with PyTorch and report the held-out loss."""
    from aiglossary_engine.export import INT8_MAX_LOSS_DELTA, INT8_MIN_AGREEMENT, PARITY_ATOL, export_checkpoint

    report = export_checkpoint(checkpoint_dir, out, int8=int8, opset=opset, force=force)
    if quiet:
        return
    val = f", val loss {report.source_val_loss:.4f} in training" if report.source_val_loss is not None else ""
    pairs: list[tuple[str, object]] = [
        ("wrote", f"{report.out} ({report.size_bytes / 1024:.0f} KiB, {'int8' if int8 else 'fp32'}, opset {opset})"),
        ("weights", f"step {report.source_step} of {checkpoint_dir}{val}"),
        (
            "parity",
            f"max |ORT - PyTorch| = {report.parity_max_abs:.1e} <= {PARITY_ATOL:.0e} on {', '.join(report.parity_shapes)}",
        ),
        ("held-out loss", f"{report.heldout_loss_fp32:.4f} nats (fp32, on the checkpoint's heldout.txt windows)"),
    ]
    if int8:
        delta = report.heldout_loss - report.heldout_loss_fp32
        pairs.append(
            (
                "int8",
                f"loss {report.heldout_loss:.4f} ({delta:+.4f}, limit +{INT8_MAX_LOSS_DELTA}), "
                f"arg-max agreement {report.argmax_agreement:.1%} (limit {INT8_MIN_AGREEMENT:.0%}): accepted",
            )
        )
    pairs.append(("sha256", report.sha256))
    echo_kv(pairs)
