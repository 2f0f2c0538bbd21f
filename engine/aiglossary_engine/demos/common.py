"""What both demos share: the build context, the manifest and the atomic write of a demo folder."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiglossary_engine import __version__
from aiglossary_engine.errors import EngineError

MANIFEST = "manifest.json"
MAX_DEMO_BYTES = 5 * 1024 * 1024  # a demo folder must stay small enough to commit
BUDGETS = ("ci", "full")
DEMO_IDS = ("pretraining", "quantisation", "digits")


@dataclass
class BuildContext:
    """Where a demo build reads from and works in, and how it reports progress."""

    work: Path
    """Scratch folder for checkpoints (not part of the demo)."""
    glossary: Path = Path("glossary")
    """The glossary folder whose entries are the fine-tuning corpus."""
    command: str = ""
    """The exact command line, recorded in the manifest."""
    log: Callable[[str], None] = field(default=lambda _msg: None)
    threads: int = 1
    """PyTorch threads. One is the default: these models are so small that a second thread gains
    little, and on a busy machine spinning threads made training up to 30x slower."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stats(values: list[float]) -> dict[str, Any]:
    """Mean, sample standard deviation, min and max of per-seed values (rounded for the manifest)."""
    n = len(values)
    mean = sum(values) / n
    std = (sum((v - mean) ** 2 for v in values) / (n - 1)) ** 0.5 if n > 1 else 0.0
    return {
        "mean": round(mean, 4),
        "std": round(std, 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "values": [round(v, 4) for v in values],
    }


def same_numbers(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True if two manifests agree on everything but the files' bytes and hashes."""
    return {k: v for k, v in old.items() if k != "files"} == {k: v for k, v in new.items() if k != "files"}


def _committed_manifest(target: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def write_demo(
    out_root: Path, demo_id: str, files: dict[str, bytes], manifest: dict[str, Any], rewrite: bool = False
) -> tuple[Path, dict[str, Any]]:
    """Write ``out_root/demo_id`` with ``files`` and a manifest listing each file's sha256, atomically.

    The folder is built next to the target and swapped in with renames, so a reader sees the old demo
    or the new one, never a mix. If the folder there already holds a manifest with the same numbers
    (everything but the files' bytes, which may differ in the last bits of a weight on another machine),
    it is left untouched unless ``rewrite``: the returned manifest then says ``"unchanged": True``.
    """
    total = sum(len(b) for b in files.values())
    if total > MAX_DEMO_BYTES:
        sizes = ", ".join(f"{n} {len(b) / 1024:.0f} KiB" for n, b in sorted(files.items()))
        raise EngineError(f"demo '{demo_id}': {total / 1024 / 1024:.1f} MB is over the 5 MB limit ({sizes})")
    manifest = dict(manifest)
    manifest["files"] = {
        name: {"sha256": sha256_bytes(data), "bytes": len(data)} for name, data in sorted(files.items())
    }
    text = json.dumps(manifest, indent=2, sort_keys=False) + "\n"
    target = out_root / demo_id
    old = _committed_manifest(target)
    if old is not None and not rewrite and same_numbers(old, manifest):
        return target, old | {"unchanged": True}
    out_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{demo_id}.staging-", dir=out_root))
    staging.chmod(0o755)  # mkdtemp makes it private; a demo folder is published
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        (staging / MANIFEST).write_text(text, encoding="utf-8")
        previous = out_root / f".{demo_id}.previous"
        shutil.rmtree(previous, ignore_errors=True)
        if target.exists():
            target.replace(previous)
        staging.replace(target)
        shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target, manifest


def verify_demo(folder: Path) -> dict[str, Any]:
    """The manifest of ``folder`` after checking every listed file's sha256; an error names the file.

    The same check the site build runs (``aiglossary.sitegen.demos.load_demo``), so the terminal and
    the pages accept exactly the same artifacts.
    """
    from aiglossary.sitegen.demos import DemoError, load_demo

    if not (folder / MANIFEST).is_file():
        raise EngineError(f"{folder / MANIFEST}: missing — run engine build-demos {folder.name}")
    try:
        return load_demo(folder).manifest
    except DemoError as exc:
        raise EngineError(str(exc)) from None


def build_demo(
    demo_id: str, out_root: Path, budget: str, ctx: BuildContext, rewrite: bool = False
) -> tuple[Path, dict[str, Any]]:
    """Run demo ``demo_id``'s experiment with ``budget`` and write it to ``out_root/demo_id``."""
    if demo_id not in DEMO_IDS:
        raise EngineError(f"Invalid value for 'ID': must be one of {', '.join(DEMO_IDS)}, got '{demo_id}'.")
    if budget not in BUDGETS:
        raise EngineError(f"Invalid value for '--budget': must be one of {', '.join(BUDGETS)}, got '{budget}'.")
    import torch

    started = time.perf_counter()
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(ctx.threads)
    try:
        files, manifest = _run(demo_id, budget, ctx)
    finally:
        torch.set_num_threads(previous_threads)
    return finish_build(out_root, demo_id, budget, ctx, files, manifest, rewrite, started)


def finish_build(
    out_root: Path,
    demo_id: str,
    budget: str,
    ctx: BuildContext,
    files: dict[str, bytes],
    manifest: dict[str, Any],
    rewrite: bool,
    started: float,
) -> tuple[Path, dict[str, Any]]:
    """Head ``manifest`` with what made it, write the demo's folder, and add the build's wall time.

    Nothing that depends on the machine or the moment (timings, paths, progress flags) goes into the
    manifest: rebuilt elsewhere with the same numbers, it is byte-identical. ``started`` is a
    ``time.perf_counter()`` reading; the wall time goes only into the returned summary.
    """
    manifest = {
        "id": demo_id,
        "engine_version": __version__,
        "command": ctx.command,
        "budget": budget,
        "torch_threads": ctx.threads,
        **manifest,
    }
    target, written = write_demo(out_root, demo_id, files, manifest, rewrite)
    return target, written | {"build_seconds": round(time.perf_counter() - started, 1)}


def _run(demo_id: str, budget: str, ctx: BuildContext) -> tuple[dict[str, bytes], dict[str, Any]]:
    if demo_id == "pretraining":
        from aiglossary_engine.demos.pretraining import run_pretraining

        return run_pretraining(budget, ctx)
    if demo_id == "quantisation":
        from aiglossary_engine.demos.quantisation import run_quantisation

        return run_quantisation(budget, ctx)
    from aiglossary_engine.demos.digits import run_digits

    return run_digits(budget, ctx)
