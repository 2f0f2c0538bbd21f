"""engine info: what a checkpoint folder or an ONNX file is."""

from __future__ import annotations

import json
from pathlib import Path

import click

from aiglossary_engine.commands._common import echo_kv


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
def info(path: Path, as_json: bool) -> None:
    """Describe PATH: a checkpoint folder or an .onnx file made by this engine."""
    from aiglossary_engine.checkpoint import file_sha256
    from aiglossary_engine.errors import EngineError

    if path.suffix == ".onnx" or path.is_file():
        data = _onnx_info(path)
    elif path.is_dir() or not path.exists():
        data = _checkpoint_info(path)
    else:  # pragma: no cover - sockets and the like
        raise EngineError(f"{path}: neither a checkpoint folder nor an ONNX file")
    if path.is_file():
        data["sha256"] = file_sha256(path)
    if as_json:
        click.echo(json.dumps(data, indent=2))
    else:
        echo_kv([(k, json.dumps(v) if isinstance(v, dict | list) else v) for k, v in data.items()])


def _checkpoint_info(path: Path) -> dict[str, object]:
    from aiglossary_engine.checkpoint import file_sha256, load_checkpoint
    from aiglossary_engine.export import weights_account

    ckpt = load_checkpoint(path)
    weights_step, weights_loss = weights_account(ckpt)
    metrics = ckpt.metrics()
    last = metrics[-1] if metrics else {}
    data: dict[str, object] = {
        "kind": "checkpoint",
        "path": str(path),
        "task": ckpt.task,
        "config": ckpt.config["model"],
        "step": ckpt.info.get("step"),
        "finished": ckpt.info.get("finished"),
        "weights_step": weights_step,
        "weights_val_loss": weights_loss,
        "parameters": ckpt.info.get("parameters"),
        "val_loss": ckpt.info.get("val_loss"),
        "best_val_loss": ckpt.info.get("best_val_loss"),
        "best_step": ckpt.info.get("best_step"),
        "last_metrics": last,
        "recipe": ckpt.config.get("recipe_path"),
        "init_from": ckpt.config.get("init_from"),
        "model_sha256": file_sha256(path / "model.pt"),
    }
    if ckpt.task == "lm":
        data["vocab_size"] = ckpt.tokenizer().vocab_size
    return data


def _onnx_info(path: Path) -> dict[str, object]:
    import onnx

    from aiglossary_engine.runtime import read_metadata

    meta = read_metadata(path)
    proto = onnx.load(str(path), load_external_data=False)

    def shape(v: onnx.ValueInfoProto) -> str:
        dims = [d.dim_param or str(d.dim_value) for d in v.type.tensor_type.shape.dim]
        return f"{v.name} ({', '.join(dims)})"

    config = json.loads(meta.get("config", "{}"))
    data: dict[str, object] = {
        "kind": "onnx",
        "path": str(path),
        "task": meta.get("task"),
        "precision": meta.get("precision"),
        "config": config,
        "ir_version": proto.ir_version,
        "opset": {op.domain or "ai.onnx": op.version for op in proto.opset_import},
        "inputs": [shape(v) for v in proto.graph.input],
        "outputs": [shape(v) for v in proto.graph.output],
        "size_bytes": path.stat().st_size,
    }
    if "vocab" in meta:
        data["vocab_size"] = len(json.loads(meta["vocab"]).get("chars", []))
    for key in (
        "source_checkpoint",
        "source_sha256",
        "source_step",
        "source_val_loss",
        "parity_max_abs",
        "parity_shapes",
        "heldout_loss_fp32",
        "heldout_loss_int8",
        "int8_argmax_agreement",
        "engine_version",
    ):
        if key in meta:
            data[key] = meta[key]
    return data
