"""Engine benchmark: every ratio is measured side by side in this one run, on this machine.

1. Training throughput of ``engine pretrain`` (the engine's own ``train()``, recipe ``tiny-lm``) against a
   bare PyTorch loop of the same model, optimizer and batch written here; model FLOPs/s as a share of
   this CPU's sgemm peak (``torch.mm`` on 1024x1024 fp32, measured here).
2. Batch-1 forward latency: PyTorch eager vs onnxruntime fp32 vs int8, and generated characters per
   second in onnxruntime (key/value cache vs recomputation).
3. The same for the digits model.

Run from the repository root (takes a few minutes on 2 cores)::

    .venv/bin/python bench/engine_bench.py [--steps 40] [--rounds 2]

Runs alternate (engine, bare, engine, bare, ...) and the best of each is reported, so load from other
processes affects both sides alike. Latencies use one thread on both sides (like a browser tab).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import torch
from aiglossary_engine.checkpoint import load_checkpoint
from aiglossary_engine.data import TokenData, corpus_texts, lm_batch, step_generator
from aiglossary_engine.digits import DigitsConfig, DigitsNet, load_digits_split
from aiglossary_engine.export import build_model, export_checkpoint
from aiglossary_engine.model import GPT, GPTConfig
from aiglossary_engine.recipes import DigitsRecipe, LMRecipe, load_recipe, resolve_recipe_path
from aiglossary_engine.runtime import LMRunner, generate, load_model
from aiglossary_engine.tokenizer import CharTokenizer
from aiglossary_engine.train import RunOptions, get_lr, train

LOG = 10  # steps per throughput window


def sgemm_peak(n: int = 1024, repeats: int = 20) -> float:
    """Best observed fp32 matmul FLOP/s with torch's default threads."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(3):
        a @ b
    best = 0.0
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = max(best, 2 * n**3 / (time.perf_counter() - t))
    return best


def engine_rate(recipe: LMRecipe | DigitsRecipe, steps: int, root: Path, tag: str) -> float:
    """Median items/s over the logged windows of a real engine run (first window = warm-up, dropped)."""
    spec = recipe.train.model_copy(update={"eval_interval": 10**6, "ckpt_interval": 10**6, "log_interval": LOG})
    run = recipe.model_copy(update={"train": spec})
    result = train(run, RunOptions(out=root / tag, steps=steps, quiet=True, recipe_path="bench"))
    key = "tokens_per_s" if recipe.task == "lm" else "images_per_s"
    rates = [r[key] for r in result.metrics if r["step"] % LOG == 0][1:]
    return statistics.median(rates)


def bare_rate(step_fn: Callable[[int], None], steps: int, items: int) -> float:
    """The same measurement for a plain loop: median items/s over windows of LOG steps."""
    rates, t = [], time.perf_counter()
    for step in range(steps):
        step_fn(step)
        if (step + 1) % LOG == 0:
            now = time.perf_counter()
            rates.append(items * LOG / (now - t))
            t = now
    return statistics.median(rates[1:])


def bare_lm_step(recipe: LMRecipe, data: TokenData, steps: int) -> Callable[[int], None]:
    """A bare PyTorch training step of the same model, optimizer, schedule and batches."""
    assert recipe.model is not None
    spec = recipe.train
    torch.manual_seed(spec.seed)
    model = GPT(GPTConfig(vocab_size=97, **recipe.model.model_dump()))
    opt = model.configure_optimizer(spec.lr, spec.weight_decay)

    def step_fn(step: int) -> None:
        for group in opt.param_groups:
            group["lr"] = get_lr(step, spec, steps)
        x, y = lm_batch(data.train, spec.batch_size, model.config.block_size, step_generator(spec.seed, step))
        _, loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), spec.grad_clip, foreach=True)
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss.item()

    return step_fn


def bare_digits_step(recipe: DigitsRecipe, steps: int) -> Callable[[int], None]:
    spec = recipe.train
    torch.manual_seed(spec.seed)
    net = DigitsNet(DigitsConfig(**(recipe.model.model_dump() if recipe.model else {})))
    groups = [  # weight decay on matrices only, as the engine (and nanoGPT) do
        {"params": [p for p in net.parameters() if p.dim() >= 2], "weight_decay": spec.weight_decay},
        {"params": [p for p in net.parameters() if p.dim() < 2], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=spec.lr, foreach=True)
    data = load_digits_split(recipe.data.test_fraction, None, spec.seed)

    def step_fn(step: int) -> None:
        for group in opt.param_groups:
            group["lr"] = get_lr(step, spec, steps)
        idx = torch.randint(len(data.x_train), (spec.batch_size,), generator=step_generator(spec.seed, step))
        loss = torch.nn.functional.cross_entropy(net(data.x_train[idx]), data.y_train[idx])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), spec.grad_clip, foreach=True)
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss.item()

    return step_fn


def best_latency(fn: Callable[[], object], repeats: int = 50) -> float:
    """Median seconds per call after warm-up."""
    for _ in range(5):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def throughput_section(
    name: str,
    recipe: LMRecipe | DigitsRecipe,
    bare: Callable[[], Callable[[int], None]],
    items: int,
    flops_per_item: int,
    peak: float,
    steps: int,
    rounds: int,
    root: Path,
) -> None:
    engine_rates, bare_rates = [], []
    for r in range(rounds):  # alternate which side goes first, so warm caches favour neither
        if r % 2:
            bare_rates.append(bare_rate(bare(), steps, items))
        engine_rates.append(engine_rate(recipe, steps, root, f"{name}-{r}"))
        if not r % 2:
            bare_rates.append(bare_rate(bare(), steps, items))
    eng, ref = max(engine_rates), max(bare_rates)
    unit = "tokens" if recipe.task == "lm" else "images"
    print(f"  engine pretrain      {eng:>12,.0f} {unit}/s   (runs: {', '.join(f'{x:,.0f}' for x in engine_rates)})")
    print(f"  bare PyTorch loop    {ref:>12,.0f} {unit}/s   (runs: {', '.join(f'{x:,.0f}' for x in bare_rates)})")
    print(f"  ratio engine / bare  {eng / ref:>12.3f}       (target >= 0.95)")
    mfu = eng * flops_per_item / peak
    print(
        f"  model FLOPs/s        {eng * flops_per_item / 1e9:>12.2f} GFLOP/s = {mfu:.1%} of sgemm peak (target >= 40%)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=40, help="training steps per measured run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating engine/bare runs")
    parser.add_argument("--gen-chars", type=int, default=300)
    parser.add_argument("--threads", type=int, default=0, help="torch threads for training (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    train_threads = torch.get_num_threads()
    warnings.filterwarnings("ignore")
    torch.set_flush_denormal(True)  # as engine pretrain does: both sides alike
    import onnxruntime as ort

    print(
        f"# engine benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), onnxruntime {ort.__version__}"
    )
    print(f"# command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    peak = sgemm_peak()
    print(f"sgemm peak (torch.mm 1024x1024 fp32, {train_threads} threads): {peak / 1e9:.1f} GFLOP/s")

    with tempfile.TemporaryDirectory(prefix="engine-bench-") as tmp:
        root = Path(tmp)
        # ---- language model ---------------------------------------------------------------------
        lm = load_recipe(resolve_recipe_path("tiny-lm"))
        assert isinstance(lm, LMRecipe) and lm.model is not None
        train_text, val_text = corpus_texts(lm.data)
        data = TokenData.from_texts(train_text, val_text, CharTokenizer.default(), lm.model.block_size)
        probe = GPT(GPTConfig(vocab_size=97, **lm.model.model_dump()))
        items = lm.train.batch_size * lm.model.block_size
        print(f"\n## tiny-lm: {probe.num_params():,} parameters, batch {lm.train.batch_size} x {lm.model.block_size}")
        print("training throughput:")
        throughput_section(
            "lm",
            lm,
            lambda: bare_lm_step(lm, data, args.steps),
            items,
            probe.flops_per_token(),
            peak,
            args.steps,
            args.rounds,
            root,
        )

        ckpt = root / "lm-0"
        fp32, int8 = root / "lm.onnx", root / "lm.int8.onnx"
        export_checkpoint(ckpt, fp32)
        report = export_checkpoint(ckpt, int8, int8=True)
        model, _ = build_model(load_checkpoint(ckpt))
        assert isinstance(model, GPT)
        torch.set_num_threads(1)
        block = model.config.block_size
        ids = torch.randint(97, (1, block))
        print(f"batch-1 forward latency, 1 x {block} tokens, 1 thread:")
        with torch.no_grad():
            eager = best_latency(lambda: model(ids))
            eager_step_kv = model.forward_cached(ids[:, :-1], model.empty_cache(1))[1]
            eager_step = best_latency(lambda: model.forward_cached(ids[:, -1:], eager_step_kv))
        runners = {name: LMRunner(load_model(path)) for name, path in (("fp32", fp32), ("int8", int8))}
        lat = {name: best_latency(lambda r=r: r.logits(ids[0].tolist())) for name, r in runners.items()}
        print(f"  PyTorch eager        {eager * 1e3:8.2f} ms")
        for name in ("fp32", "int8"):
            print(
                f"  onnxruntime {name}     {lat[name] * 1e3:8.2f} ms   ({lat[name] / eager:.2f}x eager; target <= 0.7x)"
            )
        print(f"one cached decoding step (1 new token after {block - 1}):")
        print(f"  PyTorch eager        {eager_step * 1e3:8.2f} ms")
        for name, r in runners.items():
            kv = r.run(ids[0, :-1].tolist(), r.empty)[1]
            step = best_latency(lambda r=r, kv=kv: r.run([int(ids[0, -1])], kv))
            print(f"  onnxruntime {name}     {step * 1e3:8.2f} ms   ({step / eager_step:.2f}x eager)")
        print("generation after a 4-character prompt, greedy (beyond the context every step recomputes):")
        for name, path in (("fp32", fp32), ("int8", int8)):
            onnx_model = load_model(path)
            for chars in (100, args.gen_chars):
                for cached in (True, False):
                    t = time.perf_counter()
                    generate(onnx_model, "The ", max_chars=chars, greedy=True, use_cache=cached)
                    rate = chars / (time.perf_counter() - t)
                    label = "kv cache " if cached else "recompute"
                    print(f"  onnxruntime {name} {label} {chars:>4} chars  {rate:8,.0f} chars/s")
        print(
            f"int8 export check: held-out loss {report.heldout_loss_fp32:.4f} -> {report.heldout_loss:.4f} "
            f"nats ({report.heldout_loss - report.heldout_loss_fp32:+.4f}), arg-max agreement "
            f"{report.argmax_agreement:.1%}; sizes {fp32.stat().st_size / 1024:.0f} KiB -> "
            f"{int8.stat().st_size / 1024:.0f} KiB"
        )
        torch.set_num_threads(train_threads)

        # ---- digits -----------------------------------------------------------------------------
        dg = load_recipe(resolve_recipe_path("digits"))
        assert isinstance(dg, DigitsRecipe)
        net = DigitsNet(DigitsConfig(**(dg.model.model_dump() if dg.model else {})))
        print(f"\n## digits: {net.num_params():,} parameters, batch {dg.train.batch_size} x 64 pixels")
        print("training throughput:")
        throughput_section(
            "digits",
            dg,
            lambda: bare_digits_step(dg, args.steps * 5),
            dg.train.batch_size,
            net.flops_per_example(),
            peak,
            args.steps * 5,
            args.rounds,
            root,
        )
        dckpt = root / "digits-0"
        dfp32, dint8 = root / "digits.onnx", root / "digits.int8.onnx"
        export_checkpoint(dckpt, dfp32)
        dreport = export_checkpoint(dckpt, dint8, int8=True)
        dnet, _ = build_model(load_checkpoint(dckpt))
        torch.set_num_threads(1)
        x = torch.rand(1, 64)
        print("batch-1 forward latency, 1 image, 1 thread:")
        with torch.no_grad():
            eager = best_latency(lambda: dnet(x), repeats=500)
        print(f"  PyTorch eager        {eager * 1e6:8.1f} us")
        for name, path in (("fp32", dfp32), ("int8", dint8)):
            session = load_model(path).session
            feed = {"pixels": x.numpy()}
            lat_d = best_latency(lambda s=session, f=feed: s.run(None, f), repeats=500)
            print(f"  onnxruntime {name}     {lat_d * 1e6:8.1f} us   ({lat_d / eager:.2f}x eager; target <= 0.7x)")
        print(
            f"int8 export check: held-out loss {dreport.heldout_loss_fp32:.4f} -> {dreport.heldout_loss:.4f} "
            f"nats, arg-max agreement {dreport.argmax_agreement:.1%}"
        )


if __name__ == "__main__":
    main()
