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

import contextlib
import io
import json
import os
import pickle
import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import torch
import yaml
from aiglossary.fsutil import file_sha256

from aiglossary_engine.errors import EngineError
from aiglossary_engine.tokenizer import CharTokenizer

_C = TypeVar("_C")

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


def os_reason(exc: OSError) -> str:
    """The system's words for a failed file operation ("No space left on device"), without paths."""
    return exc.strerror or type(exc).__name__


def write_checkpoint(folder: Path, files: dict[str, bytes | Callable[[Path], None]]) -> None:
    """Write ``files`` (name -> bytes, or a function writing that path) as ``folder``, atomically.

    On any failure (a full disk, a file-size limit, Ctrl-C) the staging folder is removed and the
    previous checkpoint, if any, stays as it was; an ``OSError`` becomes one ``EngineError`` line.
    """
    staging, prev = _staging(folder), _previous(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        recover(folder)
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
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            recover(folder)  # stopped between the two renames: the previous checkpoint comes back
        if isinstance(exc, OSError):
            raise EngineError(f"{folder}: cannot write the checkpoint ({os_reason(exc)})") from None
        raise
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
            with warnings.catch_warnings():
                # A bare pickle (not torch.save's zip) makes torch warn about its protocol before it
                # refuses the file: the one-line error below says all a reader needs.
                warnings.filterwarnings("ignore", message="Detected pickle protocol", category=UserWarning)
                return torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError:  # torch's advice about weights_only runs to a dozen lines
            reason = "it holds Python objects, not only tensors, and is not loaded for safety"
            raise EngineError(f"{path}: cannot be loaded ({reason}) — the checkpoint is corrupted") from None
        except Exception as exc:  # corrupted zip, truncated file
            raise EngineError(
                f"{path}: cannot be loaded ({_first_sentence(exc)}) — the checkpoint is corrupted"
            ) from None

    def load_weights(self, module: torch.nn.Module, name: str = "model.pt") -> None:
        """Load ``name`` into ``module``; weights of another shape are one clear error."""
        weights = self.load_tensors(name)
        own = module.state_dict()
        problem = ""
        if not isinstance(weights, dict) or not all(isinstance(v, torch.Tensor) for v in weights.values()):
            problem = "not a mapping of tensor names to tensors"
        else:
            missing = [k for k in own if k not in weights]
            extra = [k for k in weights if k not in own]
            if missing or extra:
                problem = f"{len(missing)} tensors missing, {len(extra)} unknown, e.g. '{(missing + extra)[0]}'"
            for key, tensor in own.items():
                if not problem and tuple(weights[key].shape) != tuple(tensor.shape):
                    shapes = f"{tuple(weights[key].shape)} in the file, {tuple(tensor.shape)} in the model"
                    problem = f"'{key}' has shape {shapes}"
        if problem:
            raise EngineError(
                f"{self.folder / name}: does not fit the model in config.yaml ({problem}) — "
                "the weights belong to another model"
            )
        module.load_state_dict(weights)

    def model_config(self, cls: type[_C]) -> _C:
        """The model config of ``config.yaml`` as ``cls`` (GPTConfig or DigitsConfig)."""
        data = self.config["model"]
        try:
            if not isinstance(data, dict):
                raise ValueError("model: must be a mapping")
            return cls.from_dict(data)  # type: ignore[attr-defined]
        except (TypeError, ValueError) as exc:
            raise EngineError(
                f"{self.folder / 'config.yaml'}: {_first_sentence(exc)} — the checkpoint is corrupted"
            ) from None

    def tokenizer(self) -> CharTokenizer:
        path = self.folder / "vocab.json"
        try:
            return CharTokenizer.from_json(self.read_text("vocab.json"))
        except (ValueError, TypeError) as exc:
            raise EngineError(f"{path}: {_first_sentence(exc)} — the checkpoint is corrupted") from None

    def training_state(self) -> dict[str, Any]:
        """``state.pt``: what ``--resume`` needs besides the weights."""
        state = self.load_tensors("state.pt")
        keys = ("optimizer", "rng", "step", "stale", "best_val", "best_step")
        missing = [k for k in keys if not isinstance(state, dict) or k not in state]
        if missing:
            path = self.folder / "state.pt"
            raise EngineError(f"{path}: lacks {', '.join(missing)} — the checkpoint cannot be resumed")
        return dict(state)

    def metrics(self) -> list[dict[str, Any]]:
        """The rows of ``metrics.jsonl``; a last line cut short by a kill is dropped."""
        path = self.folder / "metrics.jsonl"
        if not path.is_file():
            return []
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EngineError(f"{path}: not UTF-8 text (byte {exc.start}) — the metrics are corrupted") from None
        except OSError as exc:
            raise EngineError(f"{path}: cannot be read ({os_reason(exc)})") from None
        rows = []
        lines = text.splitlines()
        for number, line in enumerate(lines, 1):
            try:
                row = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                if number == len(lines):
                    break  # the last line, cut short by a kill
                raise EngineError(f"{path}:{number}: not a JSON line — the metrics are corrupted") from None
            if not isinstance(row, dict) or not isinstance(row.get("step", 0), int):
                raise EngineError(
                    f"{path}:{number}: not a metrics row (a JSON object with a step) — the metrics are corrupted"
                )
            rows.append(row)
        return rows


def _first_sentence(exc: BaseException, limit: int = 200) -> str:
    """The first sentence of an exception's text, never cut mid-sentence (the type name if too long)."""
    text = " ".join(str(exc).split())
    for end in (". ", "; ", "\t"):
        if end in text:
            text = text[: text.index(end)]
    text = text.rstrip(".")
    if not text or len(text) > limit:
        return type(exc).__name__
    return text


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
