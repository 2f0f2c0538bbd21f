"""Demo "digits": self-supervised pre-training on unlabelled digits, then only K labels per class.

For each seed: an encoder learns from the training images without their labels by contrastive
learning (SimCLR-style: two randomly rotated, shifted and noised views of the same image must find
each other among all views in the batch); then a classifier is fine-tuned from it with K labelled
images per class (the ``digits-few-labels`` recipe's budget), and the same classifier is trained from
scratch on the same K images with the same recipe. The pre-trained model follows one fixed rule, the
same at every K: for the first half of the steps its encoder is frozen and only the new output layer
learns (a linear probe, at ``probe_lr``), then everything is fine-tuned on the recipe's schedule.
Accuracy is measured on the held-out test images, which are never used for choosing anything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from aiglossary_engine.demos.common import BuildContext, sha256_bytes, stats
from aiglossary_engine.recipes import DigitsRecipe, TrainSpec, load_recipe, recipe_to_dict, resolve_recipe_path

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
        pretrain_steps=3000, finetune_steps=300, ks=(1, 2, 5, 10, 20, 50), seeds=(0, 1, 2, 3, 4), export_k=5
    ),
    "ci": Budget(pretrain_steps=40, finetune_steps=20, ks=(1, 5), seeds=(0, 1), export_k=5),
}


@dataclass(frozen=True)
class Contrastive:
    """The self-supervised pre-training (no labels): NT-Xent on augmented views, AdamW, cosine to 0."""

    objective: str = "contrastive (NT-Xent, SimCLR-style)"
    augmentations: str = "rotation <=15 deg, scale <=12%, shear <=0.15, shift <=1 px, 10% pixels dropped, noise 0.05"
    batch_size: int = 256
    temperature: float = 0.5
    lr: float = 3e-3
    weight_decay: float = 0.01
    width: int = 128
    n_embd: int = 64


@dataclass(frozen=True)
class ProbeRule:
    """How the pre-trained encoder is fine-tuned, fixed in advance and the same for every K."""

    frozen_fraction: float = 0.5
    """Share of the fine-tuning steps during which the encoder is frozen (linear probe warm-up)."""
    probe_lr: float = 1e-2
    """Constant learning rate of the output layer while the encoder is frozen."""


CONTRASTIVE = Contrastive()
PROBE = ProbeRule()


def _finetune_recipe(budget: Budget) -> DigitsRecipe:
    fine = load_recipe(resolve_recipe_path("digits-few-labels"))
    assert isinstance(fine, DigitsRecipe)
    return fine.model_copy(
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


def pretrain_contrastive(x: torch.Tensor, steps: int, seed: int, spec: Contrastive = CONTRASTIVE) -> tuple[Any, float]:
    """An encoder trained without labels on the images ``x``; returns the model and its last 10% mean loss."""
    import math

    from aiglossary_engine.digits import DigitsConfig, DigitsNet, contrastive_loss

    torch.manual_seed(seed)
    net = DigitsNet(DigitsConfig(width=spec.width, n_embd=spec.n_embd))
    gen = torch.Generator().manual_seed(seed + 1000)
    opt = torch.optim.AdamW(net.parameters(), lr=spec.lr, weight_decay=spec.weight_decay)
    net.train()
    tail: list[float] = []
    for step in range(steps):
        for group in opt.param_groups:
            group["lr"] = spec.lr * 0.5 * (1 + math.cos(math.pi * step / steps))
        idx = torch.randint(len(x), (spec.batch_size,), generator=gen)
        loss = contrastive_loss(net, x[idx], gen, spec.temperature)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step >= steps - max(1, steps // 10):
            tail.append(loss.item())
    return net, sum(tail) / len(tail)


def finetune(net: Any, data: Any, spec: TrainSpec, seed: int, probe: ProbeRule | None) -> float:
    """Train ``net`` on the labelled images of ``data`` with the recipe's budget and schedule; with
    ``probe``, the encoder is frozen for the first part. Returns the held-out test accuracy."""
    import torch.nn.functional as F

    from aiglossary_engine.data import step_generator
    from aiglossary_engine.train import get_lr

    opt = torch.optim.AdamW(
        [
            {"params": list(net.encoder.parameters()), "encoder": True},
            {"params": list(net.head.parameters()), "encoder": False},
        ],
        lr=spec.lr,
        weight_decay=spec.weight_decay,
    )
    frozen = int(spec.steps * probe.frozen_fraction) if probe else 0
    net.train()
    for step in range(spec.steps):
        lr = get_lr(step, spec, spec.steps)
        for group in opt.param_groups:
            if step < frozen:
                group["lr"] = 0.0 if group["encoder"] else probe.probe_lr if probe else lr
            else:
                group["lr"] = lr
        gen = step_generator(seed, step)
        idx = torch.randint(len(data.x_train), (spec.batch_size,), generator=gen)
        loss = F.cross_entropy(net(data.x_train[idx]), data.y_train[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if spec.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(net.parameters(), spec.grad_clip)
        opt.step()
    net.eval()
    with torch.no_grad():
        return float((net(data.x_test).argmax(-1) == data.y_test).float().mean())


def _save(net: Any, folder: Path, recipe: DigitsRecipe, kind: str, seed: int) -> None:
    """A checkpoint folder that ``export_checkpoint`` (and ``engine finetune --from``) can read."""
    import json

    import yaml

    from aiglossary_engine import __version__
    from aiglossary_engine.checkpoint import torch_bytes, write_checkpoint

    config = {
        "task": "digits",
        "model": net.config.to_dict(),
        "recipe": recipe_to_dict(recipe),
        "recipe_path": "digits-few-labels",
        "command": f"engine build-demos digits ({kind}, seed {seed})",
        "engine_version": __version__,
    }
    info = {"step": recipe.train.steps, "finished": True, "engine_version": __version__}
    weights = {k: v.detach().cpu().clone() for k, v in net.state_dict().items()}
    write_checkpoint(
        folder,
        {
            "config.yaml": yaml.safe_dump(config, sort_keys=False).encode("utf-8"),
            "checkpoint.json": (json.dumps(info, indent=2) + "\n").encode("utf-8"),
            "model.pt": torch_bytes(weights),
        },
    )


def run_digits(budget_name: str, ctx: BuildContext) -> tuple[dict[str, bytes], dict[str, Any]]:
    import copy

    from sklearn.datasets import load_digits

    from aiglossary_engine.digits import DigitsNet, load_digits_split
    from aiglossary_engine.export import export_checkpoint

    budget = BUDGETS[budget_name]
    fine_recipe = _finetune_recipe(budget)
    spec = fine_recipe.train
    test_fraction = fine_recipe.data.test_fraction
    unlabelled = load_digits_split(test_fraction, None, 0).x_train  # training split only, no labels
    work = ctx.work
    acc: dict[str, dict[int, list[float]]] = {"pretrained": {}, "scratch": {}}
    pretrain_loss: list[float] = []
    first = budget.seeds[0]
    for seed in budget.seeds:
        ctx.log(f"seed {seed}: contrastive pre-training without labels ({budget.pretrain_steps} steps)")
        encoder, loss = pretrain_contrastive(unlabelled, budget.pretrain_steps, seed)
        pretrain_loss.append(loss)
        for k in budget.ks:
            data = load_digits_split(test_fraction, k, seed)
            for kind in ("pretrained", "scratch"):
                if kind == "pretrained":
                    net = copy.deepcopy(encoder)  # the output layer is new: pre-training never trains it
                else:
                    torch.manual_seed(seed)
                    net = DigitsNet(encoder.config)
                acc[kind].setdefault(k, []).append(
                    finetune(net, data, spec, seed, PROBE if kind == "pretrained" else None)
                )
                if seed == first and k == budget.export_k:
                    _save(net, work / f"{kind}-k{k}-s{seed}", fine_recipe, kind, seed)
        ctx.log(
            "  accuracy "
            + ", ".join(f"K={k}: {acc['pretrained'][k][-1]:.3f} vs {acc['scratch'][k][-1]:.3f}" for k in budget.ks)
        )

    files: dict[str, bytes] = {}
    models: dict[str, Any] = {}
    for kind in ("scratch", "pretrained"):
        name = f"{kind}-k{budget.export_k}.onnx"
        ctx.log(f"exporting {name}")
        export_checkpoint(work / f"{kind}-k{budget.export_k}-s{first}", work / name)
        files[name] = (work / name).read_bytes()
        models[kind] = {
            "label": LABELS[kind],
            "file": name,
            "precision": "fp32",
            "k": budget.export_k,
            "seed": first,
            "test_accuracy": round(acc[kind][budget.export_k][0], 4),
        }  # no parity figure: it differs in the last bits across machines (the file's metadata has it)

    per_k = {
        str(k): {kind: stats(acc[kind][k]) for kind in ("pretrained", "scratch")}
        | {"gain": round(stats(acc["pretrained"][k])["mean"] - stats(acc["scratch"][k])["mean"], 4)}
        for k in budget.ks
    }
    split = load_digits_split(test_fraction, None, 0)
    bunch = load_digits()
    manifest = {
        "title": "Self-supervised pre-training on unlabelled digits, then few labels",
        "recipes": {
            "pretrain": asdict(CONTRASTIVE) | {"steps": budget.pretrain_steps, "images": "training split, no labels"},
            "finetune": recipe_to_dict(fine_recipe),
            "finetune_pretrained": asdict(PROBE),
        },
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
            "pretrain_loss": stats(pretrain_loss),
        },
        "input": {"pixels": "64 floats, 8x8 row-major, ink 1 and background 0, scaled so the brightest pixel is 1"},
    }
    return files, manifest
