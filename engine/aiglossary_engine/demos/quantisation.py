"""Demo "quantisation": the fine-tuned model of the "pretraining" demo in fp32 and in int8, side by side.

The experiment's fine-tuned model of the first seed (the same checkpoint the pretraining demo exports;
built with the same recipes, so a shared ``--work`` folder reuses it) is exported twice: as float32
weights, and with int8 MatMul weights (``engine export --int8``: one symmetric scale per matrix,
turned back into floats when the model runs). Both files are
measured on every held-out glossary window: loss in nats per character, and how often both give the
same most likely next character. One matrix's weights are counted before and after rounding to the
int8 grid (the histogram on the page). File sizes, load time and time per character depend on the
machine: the widget and ``engine demo quantisation`` measure those where they run.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from aiglossary_engine.demos.common import BuildContext
from aiglossary_engine.demos.pretraining import (
    BUDGETS,
    DECODING,
    SAMPLES,
    export_fresh,
    recipe_to_dict,
    run_stages,
)

MODELS = ("fp32", "int8")
LABELS = {"fp32": "float32 (fp32)", "int8": "8-bit integers (int8)"}
FILES = {"fp32": "finetuned.fp32.onnx", "int8": "finetuned.int8.onnx"}
BINS_PER_STEP = 4
HIST_LAYER = "the first block's MLP input matrix (h.0.mlp.c_fc)"


def compare_heldout(paths: dict[str, Path], val_ids: list[int], block: int) -> dict[str, Any]:
    """Held-out loss of each file and arg-max agreement, over all non-overlapping context windows."""
    from aiglossary_engine.runtime import LMRunner, load_model

    runners = {k: LMRunner(load_model(p)) for k, p in paths.items()}
    count = (len(val_ids) - 1) // block
    total = dict.fromkeys(paths, 0.0)
    same = positions = 0
    for i in range(count):
        w = val_ids[i * block : i * block + block + 1]
        preds = {}
        for kind, runner in runners.items():
            logits = runner.logits(w[:-1]).astype(np.float64)
            z = logits - logits.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            total[kind] += float(-logp[np.arange(block), w[1:]].mean())
            preds[kind] = logits.argmax(axis=1)
        a, b = (preds[k] for k in paths)
        same += int((a == b).sum())
        positions += block
    return {
        "heldout_loss": {k: round(v / count, 4) for k, v in total.items()},
        "argmax_agreement": round(same / positions, 4),
        "positions": positions,
    }


def weight_histogram(fp32: Path, int8: Path, n_embd: int) -> dict[str, Any]:
    """Counts of one weight matrix's values before and after rounding to its int8 grid.

    The matrix is the first of shape (n_embd, 4 n_embd) that the int8 export replaced (the first
    block's MLP input). Bins are a quarter of a grid step wide and centred on multiples of it, so
    rounded weights, which sit exactly on the grid, fill every fourth bin.
    """
    import onnx
    from onnx import numpy_helper

    q = onnx.load(str(int8))
    inits = {i.name: i for i in q.graph.initializer}
    name = next(
        n[: -len("_quantized")]
        for n, i in inits.items()
        if n.endswith("_quantized") and tuple(i.dims) == (n_embd, 4 * n_embd)
    )
    levels = numpy_helper.to_array(inits[name + "_quantized"]).astype(np.int64)
    scale = float(numpy_helper.to_array(inits[name + "_scale"]))
    zero = int(numpy_helper.to_array(inits[name + "_zero_point"]))
    before = {i.name: i for i in onnx.load(str(fp32)).graph.initializer}[name]
    w = numpy_helper.to_array(before).astype(np.float64).ravel()
    after = (levels.ravel() - zero) * scale
    # Show the steps that hold 98% of the weights, symmetric around zero.
    reach = math.ceil(float(np.quantile(np.abs(w), 0.98)) / scale)
    edges = (np.arange(-reach * BINS_PER_STEP, reach * BINS_PER_STEP + 2) - 0.5) * scale / BINS_PER_STEP
    inside = float(((w >= edges[0]) & (w < edges[-1])).mean())
    return {
        "layer": HIST_LAYER,
        "shape": [n_embd, 4 * n_embd],
        "weights": int(w.size),
        "scale": round(scale, 8),
        "zero_point": zero,
        "steps_shown": reach,
        "bins_per_step": BINS_PER_STEP,
        "share_shown": round(inside, 4),
        "before": np.histogram(w, edges)[0].tolist(),
        "after": np.histogram(after, edges)[0].tolist(),
        "distinct_before": int(np.unique(w).size),
        "distinct_after": int(np.unique(levels).size),
        "max_abs_error": round(float(np.abs(w - after).max()), 8),
        "weight_range": [round(float(w.min()), 6), round(float(w.max()), 6)],
    }


def run_quantisation(budget_name: str, ctx: BuildContext) -> tuple[dict[str, bytes], dict[str, Any]]:
    from aiglossary_engine.demos.textcheck import demo_prompts
    from aiglossary_engine.runtime import generate, load_model

    first = BUDGETS[budget_name].seeds[0]
    st = run_stages(budget_name, ctx, seeds=(first,))
    source = st.runs["finetuned"][first]["dir"]
    paths = {kind: ctx.work / FILES[kind] for kind in MODELS}
    for kind in MODELS:
        ctx.log(f"exporting {FILES[kind]}")
        export_fresh(source, paths[kind], int8=kind == "int8")
    files = {FILES[k]: paths[k].read_bytes() for k in MODELS}
    ctx.log("comparing fp32 and int8 on the held-out text")
    compared = compare_heldout(paths, st.val_ids.tolist(), st.pre_lm.config.block_size)
    hist = weight_histogram(paths["fp32"], paths["int8"], st.pre_lm.config.n_embd)

    prompts = demo_prompts()[:SAMPLES]
    d = DECODING
    loaded = {k: load_model(paths[k]) for k in MODELS}
    samples = [
        {"prompt": p}
        | {k: generate(loaded[k], p, d.max_chars, d.temperature, seed=d.seed, top_k=d.top_k) for k in MODELS}
        for p in prompts
    ]
    sizes = {k: len(files[FILES[k]]) for k in MODELS}
    models = {
        k: {
            "label": LABELS[k],
            "file": FILES[k],
            "precision": k,
            "bytes": sizes[k],
            "heldout_loss": compared["heldout_loss"][k],
        }
        for k in MODELS
    }
    loss = compared["heldout_loss"]
    metrics = {
        "unit": "nats per character on held-out glossary entries",
        "heldout_chars": len(st.val_ids),
        "size_ratio": round(sizes["fp32"] / sizes["int8"], 2),
        "loss_cost": round(loss["int8"] - loss["fp32"], 4),
        "argmax_agreement": compared["argmax_agreement"],
        "positions": compared["positions"],
    }
    manifest = {
        "title": "The same model in float32 and in int8",
        "source": {
            "demo": "pretraining",
            "model": "finetuned",
            "seed": first,
            "recipes": {"pretrain": recipe_to_dict(st.pre_recipe), "finetune": recipe_to_dict(st.fine_recipe)},
            "heldout_loss_pytorch": round(st.runs["finetuned"][first]["heldout_loss"], 4),
        },
        "seeds": [first],
        "config": st.pre_lm.config.to_dict(),
        "vocab": st.tokenizer.chars,
        "models": models,
        "metrics": metrics,
        "histogram": hist,
        "generation": asdict(DECODING),
        "samples": samples,
        "quantisation": "weight-only: MatMul weights stored as int8 with one symmetric scale per matrix and "
        "turned back into float32 by DequantizeLinear when the model runs (onnxruntime basic graph "
        "optimisations, in the terminal and in the browser); the arithmetic stays float32",
    }
    return files, manifest
