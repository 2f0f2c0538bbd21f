"""Fixtures for the engine tests: tiny corpora and recipes, a trained tiny checkpoint and its ONNX files.

Everything trains for real, on models of a few thousand parameters, so each test takes about a second.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
# Tiny models on a shared 2-core machine (pytest -n 2): one thread each avoids OpenMP oversubscription,
# which otherwise makes training 10x slower.
torch.set_num_threads(1)

from _engine_util import run_cli  # noqa: E402
from aiglossary_engine.data import stdlib_text  # noqa: E402

TINY_MODEL = {"n_layer": 2, "n_head": 2, "n_embd": 16, "block_size": 16}
TINY_TRAIN = {
    "steps": 40,
    "batch_size": 8,
    "lr": 1.0e-2,
    "min_lr": 1.0e-3,
    "warmup_steps": 5,
    "eval_interval": 10,
    "eval_batches": 2,
    "ckpt_interval": 20,
    "log_interval": 5,
    "seed": 7,
}


@pytest.fixture(scope="session")
def corpus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 000 characters of the shipped docstring corpus."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.txt"
    path.write_text(stdlib_text()[:60_000], encoding="utf-8")
    return path


@pytest.fixture
def make_recipe(tmp_path: Path, corpus_file: Path) -> Callable[..., Path]:
    """Write a tiny LM recipe; keyword sections (model=, data=, train=) update the defaults."""

    def make(name: str = "tiny.yaml", **sections: dict[str, object]) -> Path:
        recipe: dict[str, object] = {
            "task": "lm",
            "model": dict(TINY_MODEL),
            "data": {"corpus": "text", "path": str(corpus_file), "val_fraction": 0.1},
            "train": dict(TINY_TRAIN),
        }
        for key, value in sections.items():
            base = recipe.get(key)
            recipe[key] = {**base, **value} if isinstance(base, dict) else value
        path = tmp_path / name
        path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
        return path

    return make


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory, corpus_file: Path) -> Path:
    """A tiny language model trained for 60 steps (shared by the export and runtime tests)."""
    root = tmp_path_factory.mktemp("trained")
    recipe = root / "tiny.yaml"
    recipe.write_text(
        yaml.safe_dump(
            {
                "task": "lm",
                "model": TINY_MODEL,
                "data": {"corpus": "text", "path": str(corpus_file)},
                "train": {**TINY_TRAIN, "steps": 60},
            }
        ),
        encoding="utf-8",
    )
    out = root / "ckpt"
    result = run_cli("pretrain", recipe, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def exported(trained: Path) -> dict[str, Any]:
    """The trained tiny model exported as fp32 and int8 ONNX files."""
    fp32, int8 = trained.parent / "tiny.onnx", trained.parent / "tiny.int8.onnx"
    assert run_cli("export", trained, "--out", fp32, "--quiet").exit_code == 0
    result = run_cli("export", trained, "--out", int8, "--int8")
    assert result.exit_code == 0, result.output
    return {"fp32": fp32, "int8": int8, "int8_output": result.output}
