"""ONNX export of a checkpoint folder, checked before it is accepted.

1. The dynamo exporter writes the graph with an explicit opset (18 to 21), named dynamic axes and the
   IR version lowered to 10 (onnxruntime-web 1.30 rejects newer IR); ``onnx.checker`` must pass.
2. Parity: onnxruntime's output must match PyTorch within ``PARITY_ATOL`` on several shapes
   (1x1, 3x17, 1xcontext, and a cached continuation for language models).
3. ``--int8``: every MatMul weight matrix stored as 8-bit integers with one symmetric scale per
   matrix, turned back into floats by a ``DequantizeLinear`` node (weight-only quantisation: the file
   is about 3x smaller, the arithmetic stays float, so onnxruntime and onnxruntime-web agree; see
   ``runtime.session_options``). Accepted only if the held-out loss grows by at most
   ``INT8_MAX_LOSS_DELTA`` nats and the arg-max agrees with fp32 on at least ``INT8_MIN_AGREEMENT``.

Metadata (``producer``, ``task``, ``config``, ``vocab``, ``source_sha256``, the checks' figures) is
stored in the model so ``engine generate`` / ``classify`` / ``info`` and the browser need nothing else.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from aiglossary_engine import DEFAULT_OPSET, PRODUCER, __version__
from aiglossary_engine.checkpoint import Checkpoint, file_sha256, load_checkpoint, os_reason
from aiglossary_engine.digits import DigitsConfig, DigitsNet, load_digits_split
from aiglossary_engine.errors import EngineError
from aiglossary_engine.model import GPT, CachedLM, GPTConfig
from aiglossary_engine.tokenizer import CharTokenizer

PARITY_ATOL = 1e-4
INT8_MAX_LOSS_DELTA = 0.01
INT8_MIN_AGREEMENT = 0.95
IR_VERSION = 10
HELDOUT_WINDOWS = 64


@dataclass
class ExportReport:
    out: Path
    task: str
    opset: int
    parity_max_abs: float
    parity_shapes: list[str]
    heldout_loss_fp32: float
    heldout_loss: float  # of the written model
    argmax_agreement: float  # written model vs fp32 (1.0 for fp32)
    int8: bool
    size_bytes: int
    sha256: str
    source_step: int = 0  # the step whose weights the checkpoint holds (the best one after early stopping)
    source_val_loss: float | None = None  # that step's validation loss during training


@contextlib.contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Silence the exporter's and quantiser's chatter for the duration of a block only.

    Warnings filters and logger levels are process-wide: a library must restore them, or an
    application embedding it (a MkDocs build, a test run) silently loses its own warnings.
    """
    names = loggers or ("torch.onnx", "torch.export", "torch._dynamo", "onnxscript", "torch.fx", "onnxruntime")
    saved = {name: logging.getLogger(name or None).level for name in names}
    with warnings.catch_warnings():
        for module in (r"torch\.onnx.*", r"onnxscript.*"):
            warnings.filterwarnings("ignore", module=module)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        for name in names:
            logging.getLogger(name or None).setLevel(logging.ERROR)
        try:
            yield
        finally:
            for name, level in saved.items():
                logging.getLogger(name or None).setLevel(level)


def build_model(ckpt: Checkpoint) -> tuple[torch.nn.Module, CharTokenizer | None]:
    """The trained model of a checkpoint folder, in eval mode."""
    if ckpt.task == "lm":
        tokenizer = ckpt.tokenizer()
        lm = GPT(ckpt.model_config(GPTConfig))
        ckpt.load_weights(lm)
        return lm.eval(), tokenizer
    net = DigitsNet(ckpt.model_config(DigitsConfig))
    ckpt.load_weights(net)
    return net.eval(), None


def _export_graph(model: torch.nn.Module, task: str, path: Path, opset: int) -> None:
    with _quiet():
        _export_graph_quietly(model, task, path, opset)


def _export_graph_quietly(model: torch.nn.Module, task: str, path: Path, opset: int) -> None:
    batch = torch.export.Dim("batch", min=1, max=1024)
    if task == "lm":
        assert isinstance(model, GPT)
        cfg = model.config
        seq = torch.export.Dim("seq", min=1, max=cfg.block_size)
        past = torch.export.Dim("past", min=0, max=cfg.block_size - 1)
        ids = torch.zeros(2, 3, dtype=torch.long)
        kv = torch.zeros(cfg.n_layer, 2, 2, cfg.n_head, 2, cfg.n_embd // cfg.n_head)
        program = torch.onnx.export(
            CachedLM(model).eval(),
            (ids, kv),
            dynamo=True,
            opset_version=opset,
            input_names=["input_ids", "past_kv"],
            output_names=["logits", "present_kv"],
            dynamic_shapes={"input_ids": {0: batch, 1: seq}, "past_kv": {2: batch, 4: past}},
            verbose=False,
        )
    else:
        program = torch.onnx.export(
            model,
            (torch.zeros(2, 64),),
            dynamo=True,
            opset_version=opset,
            input_names=["pixels"],
            output_names=["logits"],
            dynamic_shapes={"pixels": {0: batch}},
            verbose=False,
        )
    if program is None:
        raise EngineError("the ONNX exporter returned no program")
    program.save(str(path), external_data=False)


def _finish(path: Path, meta: dict[str, str]) -> None:
    """Lower the IR version, name the output axes, attach metadata and check the model."""
    import onnx

    proto = onnx.load(str(path))
    proto.ir_version = min(proto.ir_version, IR_VERSION)
    proto.producer_name, proto.producer_version = PRODUCER, __version__
    for value in proto.graph.output:
        for dim in value.type.tensor_type.shape.dim:
            if dim.dim_param and dim.dim_param not in ("batch", "seq"):
                dim.dim_param = "present_seq"  # "past + seq"
    # The exporter annotates every node with its Python stack trace, module path and FX node: a third
    # of a small model's bytes, and absolute paths of the machine that exported it (so the same
    # checkpoint exported from two checkouts had different bytes). Nothing reads them at run time.
    for node in proto.graph.node:
        del node.metadata_props[:]
    for value_info in (*proto.graph.input, *proto.graph.output, *proto.graph.value_info):
        del value_info.metadata_props[:]
    del proto.metadata_props[:]
    for key, value in sorted(meta.items()):
        proto.metadata_props.add(key=key, value=value)
    try:
        onnx.checker.check_model(proto, full_check=True)
    except onnx.checker.ValidationError as exc:
        raise EngineError(f"{path}: onnx.checker rejected the exported model: {exc}") from None
    onnx.save(proto, str(path))


def _session(path: Path, int8_weights: bool = False) -> Any:
    import onnxruntime as ort

    from .runtime import session_options

    options = session_options(threads=0, int8_weights=int8_weights)
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def quantize_weights_int8(src: Path, dst: Path) -> int:
    """Weight-only int8: each 2-D float initializer that is a MatMul's (or Gemm's) second input becomes
    ``<name>_quantized`` (int8, round(w / scale) clipped to +-127), ``<name>_scale`` (max |w| / 127) and
    ``<name>_zero_point`` (0), joined by a ``DequantizeLinear`` node. Returns how many matrices."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    proto = onnx.load(str(src))
    graph = proto.graph
    inits = {i.name: i for i in graph.initializer}
    dequantized: dict[str, str] = {}
    nodes = []
    for node in graph.node:
        if node.op_type in ("MatMul", "Gemm") and node.input[1] in inits:
            name = node.input[1]
            w = numpy_helper.to_array(inits[name])
            if w.ndim != 2 or w.dtype != np.float32:
                continue
            if name not in dequantized:
                peak = float(np.abs(w).max())
                scale = np.float32(peak / 127.0 if peak > 0 else 1.0)
                q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
                graph.initializer.remove(inits[name])
                graph.initializer.extend(
                    [
                        numpy_helper.from_array(q, name + "_quantized"),
                        numpy_helper.from_array(np.array(scale, dtype=np.float32), name + "_scale"),
                        numpy_helper.from_array(np.array(0, dtype=np.int8), name + "_zero_point"),
                    ]
                )
                dequantized[name] = name + "_dequantized"
                nodes.append(
                    helper.make_node(
                        "DequantizeLinear",
                        [name + "_quantized", name + "_scale", name + "_zero_point"],
                        [dequantized[name]],
                        name=name + "_DequantizeLinear",
                    )
                )
            node.input[1] = dequantized[name]
    kept = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + kept)  # the new nodes read only initializers: first keeps the order topological
    onnx.checker.check_model(proto)
    onnx.save(proto, str(dst))
    return len(dequantized)


def _parity(model: torch.nn.Module, task: str, session: Any) -> tuple[float, list[str]]:
    gen = torch.Generator().manual_seed(0)
    worst, shapes = 0.0, []
    with torch.no_grad():
        if task == "lm":
            assert isinstance(model, GPT)
            cfg = model.config
            for b, t in ((1, 1), (3, 17), (1, cfg.block_size)):
                t = min(t, cfg.block_size)
                ids = torch.randint(cfg.vocab_size, (b, t), generator=gen)
                ref, _ = model(ids)
                got, _ = session.run(None, {"input_ids": ids.numpy(), "past_kv": model.empty_cache(b).numpy()})
                worst = max(worst, float(np.abs(got - ref.numpy()).max()))
                shapes.append(f"{b}x{t}")
            # a cached continuation: 2 x (8 cached + 5 new) must match the uncached logits
            t = min(13, cfg.block_size)
            ids = torch.randint(cfg.vocab_size, (2, t), generator=gen)
            ref, _ = model(ids)
            split = t // 2
            _, kv = session.run(None, {"input_ids": ids[:, :split].numpy(), "past_kv": model.empty_cache(2).numpy()})
            got, _ = session.run(None, {"input_ids": ids[:, split:].numpy(), "past_kv": kv})
            worst = max(worst, float(np.abs(got - ref[:, split:].numpy()).max()))
            shapes.append(f"2x{split}+{t - split} cached")
        else:
            for b in (1, 3, 17):
                x = torch.rand(b, 64, generator=gen)
                got = session.run(None, {"pixels": x.numpy()})[0]
                worst = max(worst, float(np.abs(got - model(x).numpy()).max()))
                shapes.append(f"{b}x64")
    return worst, shapes


def _heldout(ckpt: Checkpoint, model: torch.nn.Module, tokenizer: CharTokenizer | None) -> list[dict[str, np.ndarray]]:
    """Held-out inputs (feeds) with their targets under the key ``targets``."""
    if ckpt.task == "lm":
        assert isinstance(model, GPT) and tokenizer is not None
        block = model.config.block_size
        ids = tokenizer.encode(ckpt.read_text("heldout.txt"))
        count = min(HELDOUT_WINDOWS, (len(ids) - 1) // block)
        if count < 1:
            raise EngineError(f"{ckpt.folder}/heldout.txt: too short to measure the held-out loss")
        windows = np.array([ids[i * block : i * block + block + 1] for i in range(count)], dtype=np.int64)
        empty = model.empty_cache(1).numpy()
        return [{"input_ids": w[None, :-1], "past_kv": empty, "targets": w[None, 1:]} for w in windows]
    recipe = ckpt.config.get("recipe", {}).get("data", {})
    data = load_digits_split(float(recipe.get("test_fraction", 0.25)), None, 0)
    return [{"pixels": data.x_test.numpy(), "targets": data.y_test.numpy()}]


def _evaluate(session: Any, feeds: list[dict[str, np.ndarray]]) -> tuple[float, np.ndarray]:
    """Mean cross-entropy (nats) and the arg-max predictions over the held-out feeds."""
    total, count, preds = 0.0, 0, []
    for feed in feeds:
        inputs = {k: v for k, v in feed.items() if k != "targets"}
        logits = session.run(None, inputs)[0].astype(np.float64)
        logits = logits.reshape(-1, logits.shape[-1])
        targets = feed["targets"].reshape(-1)
        z = logits - logits.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        total += float(-logp[np.arange(len(targets)), targets].sum())
        count += len(targets)
        preds.append(logits.argmax(axis=1))
    return total / count, np.concatenate(preds)


def weights_account(ckpt: Checkpoint) -> tuple[int, float | None]:
    """(step, validation loss) of the weights a checkpoint holds: the best step's after early stopping."""
    info = ckpt.info
    step = info.get("weights_step")
    if not isinstance(step, int):  # checkpoints written before weights_step was recorded
        kept_best = info.get("finished") and isinstance(info.get("best_step"), int)
        kept_best = kept_best and ckpt.config.get("recipe", {}).get("train", {}).get("early_stopping")
        step = int(info["best_step"]) if kept_best else int(info["step"])
        loss = info.get("best_val_loss") if kept_best else info.get("val_loss")
    else:
        loss = info.get("weights_val_loss")
    return step, float(loss) if isinstance(loss, int | float) else None


def _check_out(out: Path, force: bool) -> None:
    """Refuse an --out that exists (unless --force) or cannot be written, before the slow export."""
    if out.suffix != ".onnx":
        raise EngineError(f"Invalid value for '--out': must end in .onnx, got '{out}'")
    if out.is_dir():
        raise EngineError(f"{out}: is a folder; give the .onnx file to write")
    if (out.exists() or out.is_symlink()) and not force:
        raise EngineError(f"{out}: already exists; pass --force to replace it or choose another --out")
    if out.parent.exists() and not out.parent.is_dir():
        raise EngineError(f"{out.parent}: not a folder, so {out.name} cannot be written in it; choose another --out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EngineError(f"{out.parent}: cannot create the folder for --out ({os_reason(exc)})") from None


def export_checkpoint(
    folder: Path, out: Path, int8: bool = False, opset: int = DEFAULT_OPSET, force: bool = False
) -> ExportReport:
    if not 18 <= opset <= 21:
        raise EngineError(f"Invalid value for '--opset': must be 18 to 21, got {opset}")
    _check_out(out, force)
    ckpt = load_checkpoint(folder)
    model, tokenizer = build_model(ckpt)
    weights_step, weights_loss = weights_account(ckpt)
    try:
        return _export(ckpt, model, tokenizer, folder, out, int8, opset, weights_step, weights_loss)
    except OSError as exc:
        raise EngineError(f"{out}: cannot write the ONNX file ({os_reason(exc)}); nothing was written") from None


def _export(
    ckpt: Checkpoint,
    model: torch.nn.Module,
    tokenizer: CharTokenizer | None,
    folder: Path,
    out: Path,
    int8: bool,
    opset: int,
    weights_step: int,
    weights_loss: float | None,
) -> ExportReport:
    meta: dict[str, str] = {
        "producer": PRODUCER,
        "engine_version": __version__,
        "task": ckpt.task,
        "config": json.dumps(ckpt.config["model"], sort_keys=True),
        "source_checkpoint": str(folder),
        "source_sha256": file_sha256(Path(folder) / "model.pt"),
        "source_step": str(weights_step),
        "source_val_loss": "" if weights_loss is None else f"{weights_loss:.6f}",
        "opset": str(opset),
    }
    if tokenizer is not None:
        meta["vocab"] = tokenizer.to_json()
    if ckpt.task == "lm":
        meta["inputs"] = "input_ids int64 (batch, seq); past_kv float32 (n_layer, 2, batch, n_head, past, head_dim)"
        meta["outputs"] = "logits (batch, seq, vocab); present_kv (n_layer, 2, batch, n_head, past+seq, head_dim)"
    else:
        meta["inputs"] = "pixels float32 (batch, 64): 8x8 row-major, ink 1, background 0"
        meta["outputs"] = "logits (batch, 10): digits 0-9"
    with tempfile.TemporaryDirectory(prefix=".export-", dir=out.parent) as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        _export_graph(model, ckpt.task, fp32, opset)
        _finish(fp32, meta | {"precision": "fp32"})
        session = _session(fp32)
        worst, shapes = _parity(model, ckpt.task, session)
        if not worst <= PARITY_ATOL:
            raise EngineError(
                f"parity check failed: onnxruntime differs from PyTorch by {worst:.2e} > {PARITY_ATOL:.0e}"
            )
        feeds = _heldout(ckpt, model, tokenizer)
        loss32, pred32 = _evaluate(session, feeds)
        final, loss, agreement = fp32, loss32, 1.0
        checks = {"parity_max_abs": f"{worst:.3e}", "parity_shapes": ",".join(shapes)}
        checks["heldout_loss_fp32"] = f"{loss32:.6f}"
        if int8:
            q8 = Path(tmp) / "int8.onnx"
            if quantize_weights_int8(fp32, q8) == 0:
                raise EngineError("int8 rejected: the model has no weight matrix (MatMul, Gemm) to store as int8")
            loss8, pred8 = _evaluate(_session(q8, int8_weights=True), feeds)
            agreement = float((pred8 == pred32).mean())
            if loss8 - loss32 > INT8_MAX_LOSS_DELTA or agreement < INT8_MIN_AGREEMENT:
                raise EngineError(
                    f"int8 rejected: held-out loss {loss32:.4f} -> {loss8:.4f} nats "
                    f"(+{loss8 - loss32:.4f}, limit {INT8_MAX_LOSS_DELTA}), arg-max agreement "
                    f"{agreement:.1%} (limit {INT8_MIN_AGREEMENT:.0%}); export without --int8"
                )
            final, loss = q8, loss8
            checks |= {"heldout_loss_int8": f"{loss8:.6f}", "int8_argmax_agreement": f"{agreement:.4f}"}
        _finish(final, meta | checks | {"precision": "int8" if int8 else "fp32"})
        os.replace(final, out)
    return ExportReport(
        source_step=weights_step,
        source_val_loss=weights_loss,
        out=out,
        task=ckpt.task,
        opset=opset,
        parity_max_abs=worst,
        parity_shapes=shapes,
        heldout_loss_fp32=loss32,
        heldout_loss=loss,
        argmax_agreement=agreement,
        int8=int8,
        size_bytes=out.stat().st_size,
        sha256=file_sha256(out),
    )
