"""Demo "pretraining": does pre-training on generic text help a tiny model learn the glossary's text?

1. Pre-train the tiny GPT (recipe ``tiny-lm``) on the docstring corpus (one run): the standard library's
   and, in the full budget, scikit-learn's.
2. For each seed: fine-tune it on the glossary's entries (recipe ``glossary-finetune``), with early
   stopping on held-out entries, and train the same model from scratch with the same budget and rule.
3. Measure every model's loss on the held-out glossary text (nats per character), export the
   pre-trained-only, fine-tuned and scratch models of the first seed as int8 ONNX files.
4. Continue the fixed prompts (``prompts.txt``) with each exported model and the widget's default
   decoding, and measure word validity and distinct word 4-grams (``textcheck``).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from aiglossary_engine.checkpoint import load_checkpoint
from aiglossary_engine.data import corpus_texts, lm_batch, step_generator
from aiglossary_engine.demos.common import BuildContext, sha256_bytes, stats
from aiglossary_engine.model import GPT, GPTConfig
from aiglossary_engine.recipes import LMRecipe, load_recipe, recipe_to_dict, resolve_recipe_path
from aiglossary_engine.tokenizer import CharTokenizer

MODELS = ("scratch", "pretrained", "finetuned")
LABELS = {"scratch": "Scratch", "pretrained": "Pre-trained only", "finetuned": "Fine-tuned"}
VOCABULARY = "vocabulary.txt"


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
    """Overrides of the tiny-lm model shape."""
    pretrain_corpus: str = "stdlib"
    """The generic corpus (``stdlib`` or ``docstrings``: the standard library's and scikit-learn's)."""
    pretrain_ckpt_every: int = 0
    """Checkpoint the pre-training run every so many steps (0: only at the end), so it can be resumed."""
    prompts: int = 0
    """How many of the fixed prompts the text checks use (0: all of them; the ci budget takes a few)."""
    finetune_lr: tuple[float, float] | None = None
    """Peak and final learning rate of fine-tuning and of training from scratch (default: the recipe's)."""


BUDGETS = {
    "full": Budget(
        pretrain_steps=6000,
        pretrain_batch=32,
        finetune_steps=300,
        finetune_batch=32,
        eval_interval=25,
        eval_batches=6,
        early_stopping=4,
        seeds=(0, 1, 2),
        # Four layers of width 96 (about 0.46M parameters): sized so that the whole experiment, three
        # seeds included, ran in about 45 minutes on this project's shared 2-core machine (tiny-lm's
        # width 128 ran at half the speed there). Its fp32 (1.9 MB) and int8 files fit the
        # quantisation demo's 5 MB, and three of them generate hundreds of characters a second in a browser.
        model={"n_layer": 4, "n_head": 4, "n_embd": 96, "block_size": 128},
        pretrain_corpus="docstrings",
        pretrain_ckpt_every=500,
        finetune_lr=(2e-3, 2e-4),
    ),
    "ci": Budget(
        pretrain_steps=30,
        pretrain_batch=8,
        finetune_steps=20,
        finetune_batch=8,
        eval_interval=5,
        eval_batches=2,
        early_stopping=2,
        seeds=(0, 1),
        prompts=4,
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
            "data": pre.data.model_copy(update={"corpus": budget.pretrain_corpus}),
            "train": pre.train.model_copy(
                update={
                    "steps": budget.pretrain_steps,
                    "batch_size": budget.pretrain_batch,
                    "warmup_steps": min(pre.train.warmup_steps, budget.pretrain_steps // 10),
                    "eval_interval": max(1, budget.pretrain_steps // 5),
                    "ckpt_interval": budget.pretrain_ckpt_every or budget.pretrain_steps,
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
                | ({"lr": budget.finetune_lr[0], "min_lr": budget.finetune_lr[1]} if budget.finetune_lr else {})
            ),
        }
    )
    return pre, fine


def train_stage(recipe: LMRecipe, opts: Any, ctx: BuildContext) -> Any:
    """``train(recipe, opts)``, reusing what a kept work folder (``--work``) already holds for this run.

    A finished checkpoint of the same run (same recipe, seed, source weights and initialisation) is
    reused as it is; an unfinished one is resumed, which gives the weights an uninterrupted run would
    (batches are a pure function of seed and step). Anything else in ``opts.out`` is replaced.
    """
    import shutil

    from aiglossary_engine.checkpoint import is_checkpoint
    from aiglossary_engine.train import RunResult, _train_spec, train

    out = opts.out
    if is_checkpoint(out):
        ckpt = load_checkpoint(out)
        source = load_checkpoint(opts.init_from).info.get("model_sha256") if opts.init_from else None
        wanted = recipe_to_dict(recipe) | {"train": _train_spec(recipe, opts).model_dump(mode="json")}
        same = (
            ckpt.config.get("recipe") == wanted
            and ckpt.config.get("scratch") == opts.scratch
            and ckpt.config.get("source_sha256") == source
        )
        if same and ckpt.info.get("finished"):
            ctx.log(f"  reusing the finished checkpoint in {out}")
            rows = ckpt.metrics()
            val = next((r["val_loss"] for r in reversed(rows) if r.get("val_loss") is not None), None)
            return RunResult(out, int(ckpt.info["step"]), val, ckpt.info.get("best_step"), rows)
        if same:
            ctx.log(f"  resuming the checkpoint in {out} (step {ckpt.info['step']})")
            opts.resume = True
            return train(recipe, opts)
    shutil.rmtree(out, ignore_errors=True)
    return train(recipe, opts)


def _load_gpt(folder: Path) -> tuple[GPT, CharTokenizer]:
    ckpt = load_checkpoint(folder)
    lm = GPT(ckpt.model_config(GPTConfig))
    ckpt.load_weights(lm)
    return lm.eval(), ckpt.tokenizer()


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


@dataclass
class Decoding:
    """The widget's default decoding, recorded in the manifest (``generation``) and used by the CLI."""

    temperature: float
    top_k: int
    seed: int
    max_chars: int


DECODING = Decoding(temperature=0.5, top_k=8, seed=1, max_chars=160)
SAMPLES = 3
"""Sample continuations per model rendered into the page: those of the first prompts."""


@dataclass
class Stages:
    """The trained checkpoints of the experiment (what the pretraining and quantisation demos share)."""

    budget: Budget
    pre_recipe: LMRecipe
    fine_recipe: LMRecipe
    train_text: str
    val_text: str
    pre_dir: Path
    pre_val_loss: float | None
    runs: dict[str, dict[int, dict[str, Any]]]
    pre_lm: GPT
    tokenizer: CharTokenizer
    val_ids: torch.Tensor


def run_stages(budget_name: str, ctx: BuildContext, seeds: tuple[int, ...] | None = None) -> Stages:
    """Pre-train once, then fine-tune and train from scratch for each seed (default: the budget's)."""
    from aiglossary_engine.train import RunOptions

    budget = BUDGETS[budget_name]
    pre_recipe, fine_recipe = _recipes(budget, ctx)
    train_text, val_text = corpus_texts(fine_recipe.data)
    work = ctx.work

    # ---- 1. pre-train on the generic corpus ----------------------------------------------------
    ctx.log(f"pre-training on the docstring corpus ({budget.pretrain_steps} steps)")
    pre_dir = work / "pretrained"
    pre = train_stage(pre_recipe, RunOptions(out=pre_dir, quiet=True, recipe_path="tiny-lm", command="pretrain"), ctx)
    pre_lm, tokenizer = _load_gpt(pre_dir)
    val_ids = torch.tensor(tokenizer.encode(val_text), dtype=torch.long)

    # ---- 2. fine-tune and scratch, per seed -------------------------------------------------------
    runs: dict[str, dict[int, dict[str, Any]]] = {"finetuned": {}, "scratch": {}}
    for seed in budget.seeds if seeds is None else seeds:
        for kind in ("finetuned", "scratch"):
            ctx.log(f"seed {seed}: {'fine-tuning the pre-trained model' if kind == 'finetuned' else 'from scratch'}")
            out = work / f"{kind}-{seed}"
            result = train_stage(
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
                ctx,
            )
            if kind == "finetuned":
                start = pre_lm
            else:
                torch.manual_seed(seed)  # the training loop's initialisation
                start = GPT(pre_lm.config).eval()
            step0 = _eval_loss(start, val_ids, budget.finetune_batch, budget.eval_batches, seed)
            lm, _ = _load_gpt(out)
            runs[kind][seed] = {
                "dir": out,
                "curve": _curve(result.metrics, step0),
                "best_step": result.best_step,
                "stopped_at": result.step,
                "heldout_loss": heldout_loss(lm, val_ids),
            }
            ctx.log(f"  held-out loss {runs[kind][seed]['heldout_loss']:.4f} nats/char")
    return Stages(
        budget, pre_recipe, fine_recipe, train_text, val_text, pre_dir, pre.val_loss, runs, pre_lm, tokenizer, val_ids
    )


def export_fresh(source: Path, out: Path, int8: bool) -> Any:
    """``export_checkpoint`` into the work folder, replacing a file a previous build left there."""
    from aiglossary_engine.export import export_checkpoint

    return export_checkpoint(source, out, int8=int8, force=True)


def training_vocabulary(stages: Stages) -> list[str]:
    """Every word the models were trained on: the pre-training corpus and the glossary training text."""
    from aiglossary_engine.demos.textcheck import vocabulary

    pre_train, pre_val = corpus_texts(stages.pre_recipe.data)
    return sorted(vocabulary([pre_train, pre_val, stages.train_text]))


def run_pretraining(budget_name: str, ctx: BuildContext) -> tuple[dict[str, bytes], dict[str, Any]]:
    from aiglossary_engine.demos.textcheck import demo_prompts, judge
    from aiglossary_engine.runtime import generate, load_model

    st = run_stages(budget_name, ctx)
    budget, runs, tokenizer, val_ids, work = st.budget, st.runs, st.tokenizer, st.val_ids, ctx.work

    # ---- 3. export the first seed's models as int8 -----------------------------------------------
    first = budget.seeds[0]
    sources = {
        "scratch": runs["scratch"][first]["dir"],
        "pretrained": st.pre_dir,
        "finetuned": runs["finetuned"][first]["dir"],
    }
    files: dict[str, bytes] = {}
    models: dict[str, Any] = {}
    block = st.pre_lm.config.block_size
    for kind in MODELS:
        name = f"{kind}.int8.onnx"
        ctx.log(f"exporting {name}")
        report = export_fresh(sources[kind], work / name, int8=True)
        files[name] = (work / name).read_bytes()
        models[kind] = {
            "label": LABELS[kind],
            "file": name,
            "precision": "int8",
            "heldout_loss_int8": round(_onnx_heldout(work / name, val_ids.tolist(), block), 4),
            "int8_argmax_agreement": round(report.argmax_agreement, 4),
            "seed": None if kind == "pretrained" else first,
        }

    # ---- 4. can a reader judge the text? the fixed prompts, default decoding -----------------------
    ctx.log("generating from the fixed prompts")
    vocab = training_vocabulary(st)
    files[VOCABULARY] = ("\n".join(vocab) + "\n").encode("utf-8")
    vocab_set = set(vocab)
    prompts = demo_prompts()[: budget.prompts or None]
    loaded = {kind: load_model(work / f"{kind}.int8.onnx") for kind in MODELS}
    d = DECODING
    outputs: dict[str, list[str]] = {}
    for kind in MODELS:
        outputs[kind] = [
            generate(loaded[kind], p, d.max_chars, d.temperature, seed=d.seed, top_k=d.top_k) for p in prompts
        ]
        models[kind] |= judge(list(zip(prompts, outputs[kind], strict=True)), vocab_set)
        ctx.log(f"  {kind}: {models[kind]}")
    samples = [{"prompt": p, **{kind: outputs[kind][i] for kind in MODELS}} for i, p in enumerate(prompts[:SAMPLES])]

    # ---- manifest -------------------------------------------------------------------------------
    pre_val = heldout_loss(st.pre_lm, val_ids)
    ft = stats([runs["finetuned"][s]["heldout_loss"] for s in budget.seeds])
    sc = stats([runs["scratch"][s]["heldout_loss"] for s in budget.seeds])
    metrics = {
        "unit": "nats per character on held-out glossary entries",
        "heldout_chars": len(val_ids),
        "pretrained_only": round(pre_val, 4),
        "finetuned": ft,
        "scratch": sc,
        "gap": round(sc["mean"] - ft["mean"], 4),
        "seed_ranges_overlap": ft["max"] >= sc["min"],
        "finetuned_best_step": stats([float(runs["finetuned"][s]["best_step"] or 0) for s in budget.seeds]),
        "scratch_best_step": stats([float(runs["scratch"][s]["best_step"] or 0) for s in budget.seeds]),
        "finetuned_below_scratch_every_seed": all(
            runs["finetuned"][s]["heldout_loss"] < runs["scratch"][s]["heldout_loss"] for s in budget.seeds
        ),
        "uniform_guess": round(math.log(tokenizer.vocab_size), 4),
        "pretrain_final_val_loss": round(float(st.pre_val_loss or 0.0), 4),
    }
    curves = {kind: {str(s): runs[kind][s]["curve"] for s in budget.seeds} for kind in ("finetuned", "scratch")}
    pre_train, pre_valtext = corpus_texts(st.pre_recipe.data)
    pre_text = pre_train + pre_valtext
    manifest = {
        "title": "Pre-training, then fine-tuning, against training from scratch",
        "recipes": {"pretrain": recipe_to_dict(st.pre_recipe), "finetune": recipe_to_dict(st.fine_recipe)},
        "budget_detail": asdict(budget),
        "seeds": list(budget.seeds),
        "pretrain_seed": budget.pretrain_seed,
        "corpora": {
            "pretraining": {
                "name": st.pre_recipe.data.corpus,
                "sha256": sha256_bytes(pre_text.encode("utf-8")),
                "chars": len(pre_text),
            },
            "glossary": {
                "sha256": sha256_bytes((st.train_text + "\0" + st.val_text).encode("utf-8")),
                "train_chars": len(st.train_text),
                "heldout_chars": len(st.val_text),
                "source": str(ctx.glossary),
            },
        },
        "config": st.pre_lm.config.to_dict(),
        "vocab": json.loads(tokenizer.to_json())["chars"],
        "models": models,
        "curves": curves,
        "runs": {
            kind: {
                str(s): {k: v for k, v in runs[kind][s].items() if k not in ("curve", "dir")}
                | {"heldout_loss": round(runs[kind][s]["heldout_loss"], 4)}
                for s in budget.seeds
            }
            for kind in ("finetuned", "scratch")
        },
        "metrics": metrics,
        "generation": asdict(DECODING)
        | {
            "decoding": "sampled: the top_k most likely characters, softmax at this temperature in float64, "
            "one mulberry32 draw per character",
        },
        "text_checks": {
            "prompts": prompts,
            "vocabulary_file": VOCABULARY,
            "vocabulary_words": len(vocab),
            "definition": "word validity: share of generated words (lower-cased runs of letters ending inside "
            "the continuation, not cut off by its end) found in the training vocabulary (pre-training corpus and "
            "glossary training text); distinct 4-grams: distinct word 4-grams / all word 4-grams per "
            "continuation, mean over prompts",
        },
        "samples": samples,
    }
    return files, manifest
