"""Demo "digits": self-supervised pre-training on unlabelled digits, then only K labels per class.

For each seed: a denoising autoencoder (recipe ``digits-denoise``) learns from the training images
without their labels; then a classifier is fine-tuned from it with K labelled images per class
(recipe ``digits-few-labels``), and the same classifier is trained from scratch on the same K images
with the same budget. Accuracy is measured on the held-out test images (never used for choosing).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from aiglossary_engine.demos.common import BuildContext, sha256_bytes, stats
from aiglossary_engine.recipes import DigitsRecipe, load_recipe, recipe_to_dict, resolve_recipe_path

LABELS = {"scratch": "From scratch", "pretrained": "Self-supervised pre-training"}


@dataclass(frozen=True)
class Budget:
    pretrain_steps: int
    finetune_steps: int
    ks: tuple[int, ...]
    """Labelled images per class."""
    seeds: tuple[int, ...]
    export_k: int
    """The K whose first-seed models are exported for the widget."""


BUDGETS = {
    "full": Budget(
        pretrain_steps=2000, finetune_steps=300, ks=(1, 2, 5, 10, 20, 50), seeds=(0, 1, 2, 3, 4), export_k=5
    ),
    "tiny": Budget(pretrain_steps=40, finetune_steps=20, ks=(1, 5), seeds=(0, 1), export_k=5),
}


def _recipes(budget: Budget) -> tuple[DigitsRecipe, DigitsRecipe]:
    pre = load_recipe(resolve_recipe_path("digits-denoise"))
    fine = load_recipe(resolve_recipe_path("digits-few-labels"))
    assert isinstance(pre, DigitsRecipe) and isinstance(fine, DigitsRecipe)
    pre = pre.model_copy(
        update={
            "train": pre.train.model_copy(
                update={
                    "steps": budget.pretrain_steps,
                    "warmup_steps": min(pre.train.warmup_steps, budget.pretrain_steps // 10),
                    "eval_interval": max(1, budget.pretrain_steps // 4),
                    "ckpt_interval": budget.pretrain_steps,
                }
            )
        }
    )
    fine = fine.model_copy(
        update={
            "train": fine.train.model_copy(
                update={
                    "steps": budget.finetune_steps,
                    "warmup_steps": min(fine.train.warmup_steps, budget.finetune_steps // 10),
                    "eval_interval": budget.finetune_steps,  # test accuracy at the end only
                    "ckpt_interval": budget.finetune_steps,
                }
            )
        }
    )
    return pre, fine


def run_digits(budget_name: str, ctx: BuildContext) -> tuple[dict[str, bytes], dict[str, Any]]:
    from sklearn.datasets import load_digits

    from aiglossary_engine.digits import load_digits_split
    from aiglossary_engine.export import export_checkpoint
    from aiglossary_engine.train import RunOptions, train

    budget = BUDGETS[budget_name]
    pre_recipe, fine_recipe = _recipes(budget)
    work = ctx.work
    acc: dict[str, dict[int, list[float]]] = {"pretrained": {}, "scratch": {}}
    pretrain_loss: list[float] = []
    for seed in budget.seeds:
        ctx.log(f"seed {seed}: denoising pre-training without labels ({budget.pretrain_steps} steps)")
        pre_dir = work / f"denoise-{seed}"
        pre = train(pre_recipe, RunOptions(out=pre_dir, seed=seed, quiet=True, recipe_path="digits-denoise"))
        pretrain_loss.append(float(pre.val_loss or 0.0))
        for k in budget.ks:
            recipe = fine_recipe.model_copy(
                update={"data": fine_recipe.data.model_copy(update={"labels_per_class": k})}
            )
            for kind in ("pretrained", "scratch"):
                result = train(
                    recipe,
                    RunOptions(
                        out=work / f"{kind}-k{k}-s{seed}",
                        seed=seed,
                        quiet=True,
                        init_from=pre_dir,
                        scratch=kind == "scratch",
                        recipe_path="digits-few-labels",
                        command="finetune",
                    ),
                )
                last = [r for r in result.metrics if r.get("val_accuracy") is not None][-1]
                acc[kind].setdefault(k, []).append(float(last["val_accuracy"]))
        ctx.log(
            "  accuracy "
            + ", ".join(f"K={k}: {acc['pretrained'][k][-1]:.3f} vs {acc['scratch'][k][-1]:.3f}" for k in budget.ks)
        )

    files: dict[str, bytes] = {}
    models: dict[str, Any] = {}
    first = budget.seeds[0]
    for kind in ("scratch", "pretrained"):
        name = f"{kind}-k{budget.export_k}.onnx"
        ctx.log(f"exporting {name}")
        report = export_checkpoint(work / f"{kind}-k{budget.export_k}-s{first}", work / name)
        files[name] = (work / name).read_bytes()
        models[kind] = {
            "label": LABELS[kind],
            "file": name,
            "precision": "fp32",
            "k": budget.export_k,
            "seed": first,
            "test_accuracy": round(acc[kind][budget.export_k][0], 4),
            "parity_max_abs": report.parity_max_abs,
        }

    per_k = {
        str(k): {kind: stats(acc[kind][k]) for kind in ("pretrained", "scratch")}
        | {"gain": round(stats(acc["pretrained"][k])["mean"] - stats(acc["scratch"][k])["mean"], 4)}
        for k in budget.ks
    }
    split = load_digits_split(fine_recipe.data.test_fraction, None, 0)
    bunch = load_digits()
    manifest = {
        "title": "Self-supervised pre-training on unlabelled digits, then few labels",
        "recipes": {"pretrain": recipe_to_dict(pre_recipe), "finetune": recipe_to_dict(fine_recipe)},
        "budget_detail": asdict(budget),
        "seeds": list(budget.seeds),
        "ks": list(budget.ks),
        "corpora": {
            "digits": {
                "source": "sklearn.datasets.load_digits (8x8, bundled with scikit-learn)",
                "sha256": sha256_bytes(bunch.data.tobytes() + bunch.target.tobytes()),
                "unlabelled_train_images": len(split.x_train),
                "test_images": len(split.x_test),
            }
        },
        "models": models,
        "curves": {
            kind: [
                [k, stats(acc[kind][k])["mean"], stats(acc[kind][k])["min"], stats(acc[kind][k])["max"]]
                for k in budget.ks
            ]
            for kind in ("pretrained", "scratch")
        },
        "metrics": {
            "unit": "accuracy on held-out test images",
            "per_k": per_k,
            "pretrain_val_loss": stats(pretrain_loss),
        },
        "input": {"pixels": "64 floats, 8x8 row-major, ink 1 and background 0, scaled so the brightest pixel is 1"},
    }
    return files, manifest
