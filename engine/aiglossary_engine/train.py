"""Pre-training and fine-tuning, for one process or many (``torchrun``, DDP).

Reads top-down: set up (processes, model, data, optimizer, resume), loop (batch, step, log,
evaluate, checkpoint), finish. Under torchrun every rank computes its slice of the same global batch,
gradients are averaged by DDP, and rank 0 alone writes checkpoints, metrics and the progress bar.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.nn as nn
import yaml
from aiglossary.fsutil import atomic_write_bytes
from pydantic import ValidationError
from torch.nn import functional as F

from aiglossary_engine import __version__
from aiglossary_engine.checkpoint import (
    Checkpoint,
    is_checkpoint,
    load_checkpoint,
    os_reason,
    torch_bytes,
    write_checkpoint,
)
from aiglossary_engine.data import HELDOUT_CHARS, TokenData, corpus_texts, lm_batch, step_generator
from aiglossary_engine.digits import DigitsConfig, DigitsNet, load_digits_split
from aiglossary_engine.errors import EngineError
from aiglossary_engine.model import GPT, GPTConfig
from aiglossary_engine.recipes import DigitsRecipe, LMRecipe, Recipe, TrainSpec, recipe_to_dict
from aiglossary_engine.tokenizer import CharTokenizer


@dataclass
class RunOptions:
    out: Path
    steps: int | None = None  # overrides train.steps
    seed: int | None = None  # overrides train.seed
    resume: bool = False
    quiet: bool = False
    init_from: Path | None = None  # fine-tuning: the checkpoint to start from
    scratch: bool = False  # fine-tuning: same model shape and budget, random initial weights
    recipe_path: str = ""
    command: str = "pretrain"


@dataclass
class RunResult:
    out: Path
    step: int
    val_loss: float | None
    best_step: int | None
    metrics: list[dict[str, Any]] = field(default_factory=list)
    items_per_s: float = 0.0


@dataclass
class Dist:
    rank: int = 0
    world: int = 1
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    @property
    def main(self) -> bool:
        return self.rank == 0


def setup_distributed() -> Dist:
    """Join the torchrun process group when launched by torchrun (gloo on CPU, nccl on GPUs)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Dist(device=torch.device("cuda" if torch.cuda.is_available() else "cpu"))
    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
        backend = "nccl"
    else:
        device, backend = torch.device("cpu"), "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    return Dist(rank=rank, world=world, device=device)


def get_lr(step: int, spec: TrainSpec, total: int) -> float:
    """Linear warm-up, then cosine decay from lr to min_lr at the last step."""
    if step < spec.warmup_steps:
        return spec.lr * (step + 1) / spec.warmup_steps
    span = max(1, total - spec.warmup_steps)
    ratio = min(1.0, (step - spec.warmup_steps) / span)
    return spec.min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (spec.lr - spec.min_lr)


class Task:
    """What differs between the language model and the digits model: batches, loss, evaluation."""

    model: nn.Module
    unit = "tokens"

    def batch(self, step: int, rows: slice) -> tuple[torch.Tensor, ...]:
        raise NotImplementedError

    def loss(self, model: nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        raise NotImplementedError

    def items(self, batch_size: int) -> int:
        raise NotImplementedError

    def evaluate(self, model: nn.Module, rows: slice) -> dict[str, float]:
        raise NotImplementedError

    def files(self) -> dict[str, bytes]:
        return {}


class LMTask(Task):
    def __init__(self, model: GPT, data: TokenData, tokenizer: CharTokenizer, spec: TrainSpec, val_text: str):
        self.model, self.data, self.tokenizer, self.spec = model, data, tokenizer, spec
        self.block = model.config.block_size
        self.val_text = val_text

    def batch(self, step: int, rows: slice) -> tuple[torch.Tensor, ...]:
        x, y = lm_batch(self.data.train, self.spec.batch_size, self.block, step_generator(self.spec.seed, step))
        return x[rows], y[rows]

    def loss(self, model: nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        _, loss = model(batch[0], batch[1])
        return loss

    def items(self, batch_size: int) -> int:
        return batch_size * self.block

    @torch.no_grad()
    def evaluate(self, model: nn.Module, rows: slice) -> dict[str, float]:
        losses = []
        device = _device_of(model)
        for i in range(self.spec.eval_batches):  # the same windows at every evaluation
            gen = step_generator(self.spec.seed, i, stream=1)
            x, y = lm_batch(self.data.val, self.spec.batch_size, self.block, gen)
            losses.append(model(x[rows].to(device), y[rows].to(device))[1])
        return {"val_loss": torch.stack(losses).mean().item()}

    def files(self) -> dict[str, bytes]:
        return {
            "vocab.json": self.tokenizer.to_json().encode("utf-8"),
            "heldout.txt": self.val_text[:HELDOUT_CHARS].encode("utf-8"),
        }


class DigitsTask(Task):
    unit = "images"

    def __init__(self, model: DigitsNet, recipe: DigitsRecipe, spec: TrainSpec):
        self.model, self.spec, self.objective = model, spec, recipe.data.objective
        self.noise = recipe.data.noise
        self.data = load_digits_split(recipe.data.test_fraction, recipe.data.labels_per_class, spec.seed)

    def _corrupt(self, x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        keep = torch.rand(x.shape, generator=gen) >= self.noise
        return x * keep

    def batch(self, step: int, rows: slice) -> tuple[torch.Tensor, ...]:
        gen = step_generator(self.spec.seed, step)
        idx = torch.randint(len(self.data.x_train), (self.spec.batch_size,), generator=gen)
        x, y = self.data.x_train[idx], self.data.y_train[idx]
        if self.objective == "denoise":
            return self._corrupt(x, gen)[rows], x[rows]
        return x[rows], y[rows]

    def loss(self, model: nn.Module, batch: tuple[torch.Tensor, ...]) -> torch.Tensor:
        if self.objective == "denoise":
            return F.binary_cross_entropy_with_logits(_unwrap(model).reconstruct(batch[0]), batch[1])
        return F.cross_entropy(model(batch[0]), batch[1])

    def items(self, batch_size: int) -> int:
        return batch_size

    @torch.no_grad()
    def evaluate(self, model: nn.Module, rows: slice) -> dict[str, float]:
        x, y = self.data.x_test, self.data.y_test
        n = len(x)
        part = slice(rows.start * n // self.spec.batch_size, rows.stop * n // self.spec.batch_size)
        x, y = x[part], y[part]
        device = _device_of(model)
        if self.objective == "denoise":
            noisy = self._corrupt(x, step_generator(self.spec.seed, 0, stream=1)).to(device)
            x = x.to(device)
            loss = F.binary_cross_entropy_with_logits(_unwrap(model).reconstruct(noisy), x)
            return {"val_loss": loss.item()}
        x, y = x.to(device), y.to(device)
        logits = model(x)
        return {
            "val_loss": F.cross_entropy(logits, y).item(),
            "val_accuracy": (logits.argmax(-1) == y).float().mean().item(),
        }


def _device_of(model: nn.Module) -> torch.device:
    """Where the model's weights are: evaluation batches are made on the CPU and moved there."""
    return next(model.parameters()).device


def _unwrap(model: nn.Module) -> DigitsNet:
    net = model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model
    assert isinstance(net, DigitsNet)
    return net


def _train_spec(recipe: Recipe, opts: RunOptions) -> TrainSpec:
    """The recipe's training section with --steps and --seed applied, checked like the recipe itself."""
    update = {k: v for k, v in (("steps", opts.steps), ("seed", opts.seed)) if v is not None}
    try:
        return TrainSpec.model_validate(recipe.train.model_dump() | update)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "train"
        flag = f"--{name}" if name in update else f"train.{name}"
        raise EngineError(f"Invalid value for '{flag}': {err['msg'].lower()}, got {err.get('input')}.") from None


def _make_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EngineError(
            f"{out}: cannot create the checkpoint folder ({os_reason(exc)}); choose another --out"
        ) from None


def _memory_needed(config: GPTConfig | DigitsConfig, batch: int) -> tuple[int, int]:
    """Rough bytes for (weights with gradients and Adam state, one batch's activations): an upper guess."""
    if isinstance(config, GPTConfig):
        c, t, n_layer = config.n_embd, config.block_size, config.n_layer
        params = n_layer * 12 * c * c + (config.vocab_size + t) * c
        per_sample = t * (n_layer * (20 * c + 2 * config.n_head * t) + 3 * config.vocab_size) * 4
    else:
        params = 64 * config.width + config.width * config.n_embd + config.n_embd * 74
        per_sample = (64 * 3 + 4 * config.width + 4 * config.n_embd + 10) * 4
    return params * 4 * 4, batch * per_sample


def _check_memory(config: GPTConfig | DigitsConfig, spec: TrainSpec, world: int, recipe_path: str) -> None:
    """Refuse a model or batch this machine cannot hold, before trying to allocate it."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return
    weights, activations = _memory_needed(config, -(-spec.batch_size // world))
    if weights + activations > 0.8 * total:
        gib = 1024**3
        raise EngineError(
            f"{recipe_path or 'recipe'}: too large for this machine: about {weights / gib:,.1f} GiB for the "
            f"weights and {activations / gib:,.1f} GiB for a batch of {spec.batch_size} (train.batch_size), "
            f"against {total / gib:,.1f} GiB of memory; lower train.batch_size or the model size"
        )


def _build(
    recipe: Recipe, opts: RunOptions, spec: TrainSpec, world: int = 1
) -> tuple[Task, dict[str, Any], Checkpoint | None]:
    """Model and data for this run; the model config comes from the recipe or the source checkpoint."""
    source = load_checkpoint(opts.init_from) if opts.init_from else None
    if source is not None and source.task != recipe.task:
        raise EngineError(f"{opts.init_from}: a '{source.task}' checkpoint cannot start a '{recipe.task}' recipe")
    torch.manual_seed(spec.seed)  # model initialisation
    if isinstance(recipe, LMRecipe):
        if source is not None:
            tokenizer = source.tokenizer()
            config = source.model_config(GPTConfig)
        else:
            if recipe.model is None:
                raise EngineError(f"{opts.recipe_path}: a pre-training recipe needs a 'model' section")
            tokenizer = CharTokenizer.default()
            config = GPTConfig(vocab_size=tokenizer.vocab_size, **recipe.model.model_dump())
        _check_memory(config, spec, world, opts.recipe_path)
        lm = GPT(config)
        if source is not None and not opts.scratch:
            source.load_weights(lm)
        train_text, val_text = corpus_texts(recipe.data)
        data = TokenData.from_texts(train_text, val_text, tokenizer, config.block_size)
        return LMTask(lm, data, tokenizer, spec, val_text), config.to_dict(), source
    if source is not None:
        dconfig = source.model_config(DigitsConfig)
    else:
        dconfig = DigitsConfig(**(recipe.model.model_dump() if recipe.model else {}))
    _check_memory(dconfig, spec, world, opts.recipe_path)
    net = DigitsNet(dconfig)
    if source is not None and not opts.scratch:
        source.load_weights(net)
    return DigitsTask(net, recipe, spec), dconfig.to_dict(), source


class MetricsLog:
    """``metrics.jsonl`` in the output folder: appended live, carried into every checkpoint."""

    def __init__(self, folder: Path, rows: list[dict[str, Any]], enabled: bool):
        self.folder, self.rows, self.enabled = folder, rows, enabled

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        if self.enabled and self.folder.is_dir():
            path = self.folder / "metrics.jsonl"
            try:
                with open(path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row) + "\n")
            except OSError as exc:
                raise EngineError(f"{path}: cannot append the metrics ({os_reason(exc)})") from None

    def rewrite(self) -> None:
        """Replace ``metrics.jsonl`` with the rows kept, atomically: a kill or a full disk leaves the old file."""
        path = self.folder / "metrics.jsonl"
        try:
            atomic_write_bytes(path, self.text())
        except OSError as exc:
            raise EngineError(f"{path}: cannot write the metrics ({os_reason(exc)}); the file is unchanged") from None

    def text(self) -> bytes:
        return "".join(json.dumps(r) + "\n" for r in self.rows).encode("utf-8")


def train(recipe: Recipe, opts: RunOptions) -> RunResult:
    """Train as ``recipe`` and ``opts`` say; under torchrun, one process group for the run's length."""
    ctx = setup_distributed()
    try:
        return _train(recipe, opts, ctx)
    finally:
        # The group ends with the run. DDP's reducer still keeps gloo's threads alive after this, so a
        # finished torchrun worker then leaves without Python's shutdown (commands/_train.py).
        if ctx.world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def _train(recipe: Recipe, opts: RunOptions, ctx: Dist) -> RunResult:
    # ---- set up ---------------------------------------------------------------------------------
    torch.set_flush_denormal(True)  # tiny Adam updates turn into denormals that slow CPUs down 10x
    spec = _train_spec(recipe, opts)
    if spec.batch_size % ctx.world:
        raise EngineError(
            f"Invalid value for 'train.batch_size': {spec.batch_size} must be divisible by the "
            f"{ctx.world} processes so the global batch is kept"
        )
    rows = slice(ctx.rank * spec.batch_size // ctx.world, (ctx.rank + 1) * spec.batch_size // ctx.world)
    out = opts.out
    resuming = False
    if is_checkpoint(out):
        if not opts.resume:
            step = load_checkpoint(out).info["step"]
            raise EngineError(
                f"{out}: already holds a checkpoint (step {step}); pass --resume to continue it or choose another --out"
            )
        resuming = True
    elif out.exists() and not out.is_dir():
        raise EngineError(f"{out}: exists and is not a folder; choose another --out")
    elif out.exists() and any(p.name != "metrics.jsonl" for p in out.iterdir()):
        raise EngineError(f"{out}: exists and is not a checkpoint folder; choose another --out")
    if ctx.main:
        _make_folder(out)  # before any work: an --out that cannot be written fails now

    task, model_config, source = _build(recipe, opts, spec, ctx.world)
    model = task.model.to(ctx.device)
    optimizer = _optimizer(model, spec)
    start, best_val, best_step, stale = 0, math.inf, None, 0
    best_state: dict[str, torch.Tensor] | None = None
    metric_rows: list[dict[str, Any]] = []
    if resuming:
        ckpt = load_checkpoint(out)
        if ckpt.info.get("finished"):
            raise EngineError(f"{out}: this run already finished at step {ckpt.info['step']}; nothing to resume")
        state = ckpt.training_state()
        ckpt.load_weights(model)
        try:
            optimizer.load_state_dict(state["optimizer"])
            torch.set_rng_state(state["rng"])
            start, stale = int(state["step"]), int(state["stale"])
            best_val, best_step = float(state["best_val"]), state["best_step"]
        except (ValueError, TypeError, RuntimeError, KeyError) as exc:
            raise EngineError(
                f"{out / 'state.pt'}: does not fit this model and optimizer ({type(exc).__name__}) — "
                "the checkpoint cannot be resumed"
            ) from None
        if (out / "best.pt").is_file():
            best_state = ckpt.load_tensors("best.pt")
        metric_rows = [r for r in ckpt.metrics() if r.get("step", 0) <= start]
    log = MetricsLog(out, metric_rows, enabled=ctx.main)
    if ctx.main:
        _make_folder(out)
        log.rewrite()  # drop lines written after the last checkpoint
    raw_model = model
    if ctx.world > 1:
        # The digits model has heads a recipe may not use (decoder, projection): DDP must expect that.
        model = nn.parallel.DistributedDataParallel(model, find_unused_parameters=isinstance(task, DigitsTask))

    base_config = {
        "task": recipe.task,
        "model": model_config,
        "recipe": recipe_to_dict(recipe) | {"train": spec.model_dump(mode="json")},
        "recipe_path": opts.recipe_path,
        "command": opts.command,
        "init_from": str(opts.init_from) if opts.init_from else None,
        "scratch": opts.scratch,
        "source_sha256": source.info.get("model_sha256") if source else None,
        "engine_version": __version__,
        "world_size": ctx.world,
    }

    def save(step: int, finished: bool, val_loss: float | None) -> None:
        if not ctx.main:
            return
        weights = {k: v.detach().cpu().clone() for k, v in raw_model.state_dict().items()}
        if finished and best_state is not None:
            weights = best_state
        model_bytes = torch_bytes(weights)
        import hashlib

        kept_best = finished and best_state is not None
        weights_step = best_step if kept_best else step
        info = {
            "step": step,
            "finished": finished,
            # One account of the saved weights: with early stopping a finished run keeps the best
            # ones, so the weights are those of best_step, not of the last step trained.
            "weights_step": weights_step,
            "weights_val_loss": best_val
            if kept_best
            else next(
                (r["val_loss"] for r in reversed(log.rows) if r["step"] == weights_step and r["val_loss"] is not None),
                None,
            ),
            "val_loss": val_loss,
            "best_val_loss": best_val if best_step is not None else None,
            "best_step": best_step,
            "parameters": sum(p.numel() for p in raw_model.parameters()),
            "model_sha256": hashlib.sha256(model_bytes).hexdigest(),
            "engine_version": __version__,
        }
        state = {
            "optimizer": optimizer.state_dict(),
            "rng": torch.get_rng_state(),
            "step": step,
            "stale": stale,
            "best_val": best_val,
            "best_step": best_step,
        }
        files: dict[str, bytes | Callable[[Path], None]] = {
            "config.yaml": yaml.safe_dump(base_config, sort_keys=False).encode("utf-8"),
            "checkpoint.json": (json.dumps(info, indent=2) + "\n").encode("utf-8"),
            "model.pt": model_bytes,
            "state.pt": torch_bytes(state),
            "metrics.jsonl": log.text(),
            **task.files(),
        }
        if best_state is not None and not finished:
            files["best.pt"] = torch_bytes(best_state)
        write_checkpoint(out, files)

    def evaluate() -> dict[str, float]:
        model.eval()
        result = task.evaluate(model, rows)
        model.train()
        if ctx.world > 1:  # every rank saw an equal share: average
            values = torch.tensor(list(result.values()), dtype=torch.float64, device=ctx.device)  # nccl: on the GPU
            dist.all_reduce(values)
            result = dict(zip(result, (values / ctx.world).tolist(), strict=True))
        return result

    # ---- loop -----------------------------------------------------------------------------------
    bar = None
    if ctx.main and not opts.quiet:
        from tqdm.auto import tqdm

        bar = tqdm(total=spec.steps, initial=start, unit="step", dynamic_ncols=True, desc=out.name)
    items_per_step = task.items(spec.batch_size)
    model.train()
    step, last_val = start, None
    window_loss, window_steps, t_window = 0.0, 0, time.perf_counter()
    t_start, steps_run, paused = time.perf_counter(), 0, 0.0  # paused: evaluation and checkpoints
    try:
        while step < spec.steps:
            lr = get_lr(step, spec, spec.steps)
            for group in optimizer.param_groups:
                group["lr"] = lr
            batch = tuple(t.to(ctx.device) for t in task.batch(step, rows))
            loss = task.loss(model, batch)
            loss.backward()
            if spec.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), spec.grad_clip, foreach=True)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            steps_run += 1
            window_loss += loss.item()
            window_steps += 1

            final = step == spec.steps
            do_eval = step % spec.eval_interval == 0 or final
            if step % spec.log_interval == 0 or do_eval:
                now = time.perf_counter()
                if ctx.world > 1:  # log the loss of the global batch, not of this rank's share
                    summed = torch.tensor([window_loss], dtype=torch.float64, device=ctx.device)
                    dist.all_reduce(summed)
                    window_loss = summed.item() / ctx.world
                rate = items_per_step * window_steps / max(now - t_window, 1e-9)
                row: dict[str, Any] = {
                    "step": step,
                    "train_loss": round(window_loss / window_steps, 6),
                    "val_loss": None,
                    f"{task.unit}_per_s": round(rate, 1),
                    "lr": lr,
                }
                if do_eval:
                    t_eval = time.perf_counter()
                    metrics = evaluate()
                    paused += time.perf_counter() - t_eval
                    row.update({k: round(v, 6) for k, v in metrics.items()})
                    last_val = metrics["val_loss"]
                    if last_val < best_val:
                        best_val, best_step, stale = last_val, step, 0
                        if spec.early_stopping:
                            best_state = {k: v.detach().cpu().clone() for k, v in raw_model.state_dict().items()}
                    else:
                        stale += 1
                log.add(row)
                if bar is not None:
                    bar.set_postfix(loss=f"{row['train_loss']:.3f}", val=last_val, **{f"{task.unit}/s": f"{rate:,.0f}"})
                window_loss, window_steps, t_window = 0.0, 0, time.perf_counter()
            if bar is not None:
                bar.update(1)
            stop_early = bool(spec.early_stopping) and stale >= spec.early_stopping
            if final or stop_early:
                break
            if step % spec.ckpt_interval == 0:
                t_save = time.perf_counter()
                save(step, finished=False, val_loss=last_val)
                if ctx.world > 1:
                    dist.barrier()
                t_window += time.perf_counter() - t_save  # tokens/s counts training time only
                paused += time.perf_counter() - t_save
    except KeyboardInterrupt:  # Ctrl-C: end the progress bar's line before the message
        if bar is not None:
            bar.close()
        raise
    elapsed = time.perf_counter() - t_start

    # ---- finish ---------------------------------------------------------------------------------
    if bar is not None:
        bar.close()
    save(step, finished=True, val_loss=last_val)
    if ctx.world > 1:
        dist.barrier()
    return RunResult(
        out=out,
        step=step,
        val_loss=last_val,
        best_step=best_step,
        metrics=log.rows,
        items_per_s=items_per_step * steps_run / max(elapsed - paused, 1e-9),
    )


def _optimizer(model: nn.Module, spec: TrainSpec) -> torch.optim.AdamW:
    if isinstance(model, GPT):
        return model.configure_optimizer(spec.lr, spec.weight_decay)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": spec.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=spec.lr,
        foreach=True,
    )
