"""Checkpoint folders: everything needed to fine-tune, export or resume, written atomically.

A checkpoint folder holds

* ``config.yaml``   - task, resolved model config and the full recipe it was trained with;
* ``checkpoint.json`` - step, whether training finished, best validation loss, parameter count;
* ``model.pt``      - the weights (``torch.load(weights_only=True)``);
* ``state.pt``      - optimizer and RNG state, for ``--resume``;
* ``vocab.json``, ``heldout.txt`` - the tokenizer and held-out text (language models);
* ``metrics.jsonl`` - one JSON line per logged step.

Writing builds the whole folder next to the target and swaps it in with two renames; a reader that
finds only the previous folder (killed between the renames) recovers it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import yaml
from aiglossary.fsutil import file_sha256

from aiglossary_engine.errors import EngineError

__all__ = ["file_sha256"]  # re-exported: export, info and the tests hash files through it

REQUIRED = ("config.yaml", "checkpoint.json", "model.pt")


def _staging(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.staging"


def _previous(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.previous"


def recover(folder: Path) -> None:
    """Finish an interrupted swap: bring back the previous folder if the new one never arrived."""
    prev = _previous(folder)
    if prev.is_dir():
        if folder.is_dir():
            shutil.rmtree(prev, ignore_errors=True)
        else:
            os.replace(prev, folder)


def is_checkpoint(folder: Path) -> bool:
    if folder.parent.is_dir():
        recover(folder)
    return (folder / "checkpoint.json").is_file()


def write_checkpoint(folder: Path, files: dict[str, bytes | Callable[[Path], None]]) -> None:
    """Write ``files`` (name -> bytes, or a function writing that path) as ``folder``, atomically."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    recover(folder)
    staging, prev = _staging(folder), _previous(folder)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name, content in files.items():
        path = staging / name
        if callable(content):
            content(path)
        else:
            path.write_bytes(content)
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
    if folder.exists():
        os.replace(folder, prev)
    os.replace(staging, folder)
    shutil.rmtree(prev, ignore_errors=True)


def torch_bytes(obj: Any) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


@dataclass
class Checkpoint:
    folder: Path
    config: dict[str, Any]  # config.yaml
    info: dict[str, Any]  # checkpoint.json

    @property
    def task(self) -> str:
        return str(self.config.get("task"))

    def read_text(self, name: str) -> str:
        path = self.folder / name
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise EngineError(f"{path}: missing or unreadable — the checkpoint is incomplete") from None

    def load_tensors(self, name: str) -> Any:
        path = self.folder / name
        if not path.is_file():
            raise EngineError(f"{path}: missing — the checkpoint is incomplete")
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # corrupted zip, truncated file, foreign pickle
            reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
            raise EngineError(f"{path}: cannot be loaded ({reason}) — the checkpoint is corrupted") from None

    def metrics(self) -> list[dict[str, Any]]:
        path = self.folder / "metrics.jsonl"
        if not path.is_file():
            return []
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a line cut short by a kill
        return rows


def load_checkpoint(folder: Path) -> Checkpoint:
    """Open a checkpoint folder, with one clear error for each way it can be wrong."""
    folder = Path(folder)
    if folder.parent.is_dir():
        recover(folder)
    if not folder.exists():
        raise EngineError(f"{folder}: no such checkpoint folder — run engine pretrain first")
    if not folder.is_dir():
        raise EngineError(f"{folder}: not a checkpoint folder (a checkpoint is a directory)")
    for name in REQUIRED:
        if not (folder / name).is_file():
            raise EngineError(f"{folder}: missing {name} — run engine pretrain first")
    try:
        config = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8"))
        info = json.loads((folder / "checkpoint.json").read_text(encoding="utf-8"))
    except (yaml.YAMLError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EngineError(f"{folder}: config.yaml or checkpoint.json is corrupted ({exc})") from None
    if not isinstance(config, dict) or config.get("task") not in ("lm", "digits") or "model" not in config:
        raise EngineError(f"{folder}/config.yaml: not an engine checkpoint config (needs task and model)")
    if not isinstance(info, dict) or not isinstance(info.get("step"), int):
        raise EngineError(f"{folder}/checkpoint.json: not an engine checkpoint (needs step)")
    return Checkpoint(folder, config, info)
