"""Demo "pretraining": does pre-training on generic text help a tiny model learn the glossary's text?

1. Pre-train the tiny GPT (recipe ``tiny-lm``) on the standard-library docstring corpus (one run).
2. For each seed: fine-tune it on the glossary's entries (recipe ``glossary-finetune``), with early
   stopping on held-out entries, and train the same model from scratch with the same budget and rule.
3. Measure every model's loss on the held-out glossary text (nats per character), export the
   pre-trained-only, fine-tuned and scratch models of the first seed as int8 ONNX files.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from aiglossary_engine.checkpoint import load_checkpoint
from aiglossary_engine.data import corpus_texts, lm_batch, stdlib_text, step_generator
from aiglossary_engine.demos.common import BuildContext, sha256_bytes, stats
from aiglossary_engine.model import GPT, GPTConfig
from aiglossary_engine.recipes import LMRecipe, load_recipe, recipe_to_dict, resolve_recipe_path
from aiglossary_engine.tokenizer import CharTokenizer

MODELS = ("scratch", "pretrained", "finetuned")
LABELS = {"scratch": "Scratch", "pretrained": "Pre-trained only", "finetuned": "Fine-tuned"}
EXAMPLE_PROMPTS = ("A neural network", "Fine-tuning is")
EXAMPLE_CHARS = 100


@dataclass(frozen=True)
class Budget:
    """How much training each part of the experiment gets."""

    pretrain_steps: int
    pretrain_batch: int
    finetune_steps: int
    """The most steps of fine-tuning, and of training from scratch (the same budget for both)."""
    finetune_batch: int
    eval_interval: int
    eval_batches: int
    early_stopping: int
    """Evaluations without improvement before stopping (both runs keep their best weights)."""
    seeds: tuple[int, ...]
    pretrain_seed: int = 1337
    model: dict[str, Any] | None = None
    """Overrides of the tiny-lm model shape (the tiny budget only)."""


BUDGETS = {
    "full": Budget(
        pretrain_steps=700,
        pretrain_batch=16,
        finetune_steps=250,
        finetune_batch=16,
        eval_interval=25,
        eval_batches=4,
        early_stopping=3,
        seeds=(0, 1, 2),
        # Three layers of width 96 (about 0.35M parameters) instead of tiny-lm's four of 128: the
        # whole experiment, three seeds included, then fits a few minutes of a 2-core CPU.
        model={"n_layer": 3, "n_head": 4, "n_embd": 96},
    ),
    "tiny": Budget(
        pretrain_steps=30,
        pretrain_batch=8,
        finetune_steps=20,
        finetune_batch=8,
        eval_interval=5,
        eval_batches=2,
        early_stopping=2,
        seeds=(0, 1),
        # Width 32, not 16: narrower models predict near-uniformly, and int8 rounding then flips their
        # arg-max at random (48% agreement on the 173-term glossary), which the int8 check rejects.
        model={"n_layer": 1, "n_head": 2, "n_embd": 32, "block_size": 32},
    ),
}


def _recipes(budget: Budget, ctx: BuildContext) -> tuple[LMRecipe, LMRecipe]:
    pre = load_recipe(resolve_recipe_path("tiny-lm"))
    fine = load_recipe(resolve_recipe_path("glossary-finetune"))
    assert isinstance(pre, LMRecipe) and isinstance(fine, LMRecipe)
    model = pre.model
    if budget.model is not None and model is not None:
        model = model.model_copy(update=budget.model)
    pre = pre.model_copy(
        update={
            "model": model,
            "train": pre.train.model_copy(
                update={
                    "steps": budget.pretrain_steps,
                    "batch_size": budget.pretrain_batch,
                    "warmup_steps": min(pre.train.warmup_steps, budget.pretrain_steps // 10),
                    "eval_interval": max(1, budget.pretrain_steps // 5),
                    "ckpt_interval": budget.pretrain_steps,
                    "seed": budget.pretrain_seed,
                }
            ),
        }
    )
    fine = fine.model_copy(
        update={
            "data": fine.data.model_copy(update={"path": str(ctx.glossary)}),
            "train": fine.train.model_copy(
                update={
                    "steps": budget.finetune_steps,
                    "batch_size": budget.finetune_batch,
                    "warmup_steps": min(fine.train.warmup_steps, budget.finetune_steps // 10),
                    "eval_interval": budget.eval_interval,
                    "eval_batches": budget.eval_batches,
                    "early_stopping": budget.early_stopping,
                    "ckpt_interval": budget.finetune_steps,
                }
            ),
        }
    )
    return pre, fine


def _load_gpt(folder: Path) -> tuple[GPT, CharTokenizer]:
    ckpt = load_checkpoint(folder)
    lm = GPT(GPTConfig.from_dict(ckpt.config["model"]))
    lm.load_state_dict(ckpt.load_tensors("model.pt"))
    return lm.eval(), CharTokenizer.from_json(ckpt.read_text("vocab.json"))


@torch.no_grad()
def _eval_loss(lm: GPT, val: torch.Tensor, batch_size: int, batches: int, seed: int) -> float:
    """The training loop's evaluation (the same windows for the same seed), for step-0 points."""
    block = lm.config.block_size
    losses = []
    for i in range(batches):
        x, y = lm_batch(val, batch_size, block, step_generator(seed, i, stream=1))
        losses.append(lm(x, y)[1])
    return float(torch.stack(losses).mean())


@torch.no_grad()
def heldout_loss(lm: GPT, val: torch.Tensor) -> float:
    """Mean loss in nats per character over all non-overlapping context windows of the held-out text."""
    block = lm.config.block_size
    count = (len(val) - 1) // block
    windows = torch.stack([val[i * block : i * block + block + 1] for i in range(count)])  # (N, T + 1)
    total = 0.0
    for chunk in windows.split(64):
        _, loss = lm(chunk[:, :-1], chunk[:, 1:])
        total += float(loss) * len(chunk)
    return total / count


def _onnx_heldout(path: Path, val_ids: list[int], block: int) -> float:
    """The same held-out loss, measured on an exported file with onnxruntime."""
    import numpy as np

    from aiglossary_engine.runtime import LMRunner, load_model

    runner = LMRunner(load_model(path))
    count = (len(val_ids) - 1) // block
    total = 0.0
    for i in range(count):
        w = val_ids[i * block : i * block + block + 1]
        logits = runner.logits(w[:-1]).astype(np.float64)
        z = logits - logits.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        total += float(-logp[np.arange(block), w[1:]].mean())
    return total / count


def _curve(rows: list[dict[str, Any]], step0: float) -> list[list[float]]:
    points = [[0, round(step0, 4)]]
    points += [[int(r["step"]), round(float(r["val_loss"]), 4)] for r in rows if r.get("val_loss") is not None]
    return points


def run_pretraining(budget_name: str, ctx: BuildContext) -> tuple[dict[str, bytes], dict[str, Any]]:
    from aiglossary_engine.export import export_checkpoint
    from aiglossary_engine.runtime import generate, load_model
    from aiglossary_engine.train import RunOptions, train

    budget = BUDGETS[budget_name]
    pre_recipe, fine_recipe = _recipes(budget, ctx)
    train_text, val_text = corpus_texts(fine_recipe.data)
    work = ctx.work

    # ---- 1. pre-train on the generic corpus ----------------------------------------------------
    ctx.log(f"pre-training on the docstring corpus ({budget.pretrain_steps} steps)")
    pre_dir = work / "pretrained"
    pre = train(pre_recipe, RunOptions(out=pre_dir, quiet=True, recipe_path="tiny-lm", command="pretrain"))
    pre_lm, tokenizer = _load_gpt(pre_dir)
    val_ids = torch.tensor(tokenizer.encode(val_text), dtype=torch.long)

    # ---- 2. fine-tune and scratch, per seed -------------------------------------------------------
    runs: dict[str, dict[int, dict[str, Any]]] = {"finetuned": {}, "scratch": {}}
    for seed in budget.seeds:
        for kind in ("finetuned", "scratch"):
            ctx.log(f"seed {seed}: {'fine-tuning the pre-trained model' if kind == 'finetuned' else 'from scratch'}")
            out = work / f"{kind}-{seed}"
            result = train(
                fine_recipe,
                RunOptions(
                    out=out,
                    seed=seed,
                    quiet=True,
                    init_from=pre_dir,
                    scratch=kind == "scratch",
                    recipe_path="glossary-finetune",
                    command="finetune",
                ),
            )
            if kind == "finetuned":
                start = pre_lm
            else:
                torch.manual_seed(seed)  # the training loop's initialisation
                start = GPT(pre_lm.config).eval()
            step0 = _eval_loss(start, val_ids, budget.finetune_batch, budget.eval_batches, seed)
            lm, _ = _load_gpt(out)
            runs[kind][seed] = {
                "curve": _curve(result.metrics, step0),
                "best_step": result.best_step,
                "stopped_at": result.step,
                "heldout_loss": heldout_loss(lm, val_ids),
            }

    # ---- 3. export the first seed's models as int8 -----------------------------------------------
    first = budget.seeds[0]
    sources = {"scratch": work / f"scratch-{first}", "pretrained": pre_dir, "finetuned": work / f"finetuned-{first}"}
    files: dict[str, bytes] = {}
    models: dict[str, Any] = {}
    block = pre_lm.config.block_size
    for kind in MODELS:
        name = f"{kind}.int8.onnx"
        ctx.log(f"exporting {name}")
        report = export_checkpoint(sources[kind], work / name, int8=True)
        files[name] = (work / name).read_bytes()
        models[kind] = {
            "label": LABELS[kind],
            "file": name,
            "precision": "int8",
            "heldout_loss_int8": round(_onnx_heldout(work / name, val_ids.tolist(), block), 4),
            "int8_argmax_agreement": round(report.argmax_agreement, 4),
            "seed": None if kind == "pretrained" else first,
        }

    examples = []
    loaded = {kind: load_model(work / f"{kind}.int8.onnx") for kind in MODELS}
    for prompt in EXAMPLE_PROMPTS:
        outs = {kind: generate(loaded[kind], prompt, EXAMPLE_CHARS, greedy=True) for kind in MODELS}
        examples.append({"prompt": prompt, "max_chars": EXAMPLE_CHARS, **outs})

    # ---- manifest -------------------------------------------------------------------------------
    pre_val = heldout_loss(pre_lm, val_ids)
    ft = stats([runs["finetuned"][s]["heldout_loss"] for s in budget.seeds])
    sc = stats([runs["scratch"][s]["heldout_loss"] for s in budget.seeds])
    metrics = {
        "unit": "nats per character on held-out glossary entries",
        "heldout_chars": len(val_ids),
        "pretrained_only": round(pre_val, 4),
        "finetuned": ft,
        "scratch": sc,
        "gap": round(sc["mean"] - ft["mean"], 4),
        "finetuned_best_step": stats([float(runs["finetuned"][s]["best_step"] or 0) for s in budget.seeds]),
        "scratch_best_step": stats([float(runs["scratch"][s]["best_step"] or 0) for s in budget.seeds]),
        "finetuned_below_scratch_every_seed": all(
            runs["finetuned"][s]["heldout_loss"] < runs["scratch"][s]["heldout_loss"] for s in budget.seeds
        ),
        "uniform_guess": round(math.log(tokenizer.vocab_size), 4),
        "pretrain_final_val_loss": round(float(pre.val_loss or 0.0), 4),
    }
    curves = {kind: {str(s): runs[kind][s]["curve"] for s in budget.seeds} for kind in ("finetuned", "scratch")}
    stdlib = stdlib_text()
    manifest = {
        "title": "Pre-training, then fine-tuning, against training from scratch",
        "recipes": {"pretrain": recipe_to_dict(pre_recipe), "finetune": recipe_to_dict(fine_recipe)},
        "budget_detail": asdict(budget),
        "seeds": list(budget.seeds),
        "pretrain_seed": budget.pretrain_seed,
        "corpora": {
            "stdlib": {"sha256": sha256_bytes(stdlib.encode("utf-8")), "chars": len(stdlib)},
            "glossary": {
                "sha256": sha256_bytes((train_text + "\0" + val_text).encode("utf-8")),
                "train_chars": len(train_text),
                "heldout_chars": len(val_text),
                "source": str(ctx.glossary),
            },
        },
        "config": pre_lm.config.to_dict(),
        "vocab": json.loads(tokenizer.to_json())["chars"],
        "models": models,
        "curves": curves,
        "runs": {
            kind: {
                str(s): {k: v for k, v in runs[kind][s].items() if k != "curve"}
                | {"heldout_loss": round(runs[kind][s]["heldout_loss"], 4)}
                for s in budget.seeds
            }
            for kind in ("finetuned", "scratch")
        },
        "metrics": metrics,
        "examples": examples,
        "generation": {"max_chars": EXAMPLE_CHARS, "decoding": "greedy (arg-max, first index on ties)"},
    }
    return files, manifest
