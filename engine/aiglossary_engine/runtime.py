"""Run exported models with onnxruntime: text generation and digit classification. Needs no torch.

The language-model graph is ``(input_ids, past_kv) -> (logits, present_kv)``. Generation feeds the
prompt once with an empty cache, then one character at a time with the returned cache; when the text
would outgrow the context, it recomputes from the last ``block_size`` characters, exactly as uncached
generation does, so cached and uncached greedy output are identical.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aiglossary_engine import PRODUCER
from aiglossary_engine.errors import EngineError
from aiglossary_engine.tokenizer import CharTokenizer


@dataclass
class OnnxModel:
    path: Path
    session: Any  # onnxruntime.InferenceSession
    meta: dict[str, str]
    task: str
    config: dict[str, Any]
    tokenizer: CharTokenizer | None

    @property
    def block_size(self) -> int:
        return int(self.config["block_size"])


def read_metadata(path: Path) -> dict[str, str]:
    """Metadata of an engine ONNX file; a clear error for anything else."""
    import onnxruntime as ort

    if not path.is_file():
        raise EngineError(f"{path}: no such ONNX file — run engine export first")
    try:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise EngineError(f"{path}: not a loadable ONNX model ({first})") from None
    meta = dict(session.get_modelmeta().custom_metadata_map)
    if meta.get("producer") != PRODUCER:
        raise EngineError(f"{path}: not an ONNX file made by engine export (no '{PRODUCER}' metadata)")
    return meta


def session_options(threads: int = 1) -> Any:
    """onnxruntime options that give the same int8 results on every x86-64 CPU and in the browser.

    On AVX2 CPUs without VNNI, onnxruntime's default u8s8 int8 kernel adds pairs of products in
    16 bits, which saturate; VNNI CPUs and onnxruntime-web's WebAssembly do not. The saturation moves
    logits enough to change a greedy continuation, so the terminal would disagree with the browser on
    some machines. ``session.x64quantprecision`` selects the exact kernel there.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads  # tiny graphs: one thread has the lowest latency (0: all cores)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.x64quantprecision", "1")
    return options


def load_model(path: Path, threads: int = 1) -> OnnxModel:
    import onnxruntime as ort

    path = Path(path)
    meta = read_metadata(path)
    options = session_options(threads)
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    try:
        config = json.loads(meta["config"])
        tokenizer = CharTokenizer.from_json(meta["vocab"]) if meta["task"] == "lm" else None
    except (KeyError, ValueError) as exc:
        raise EngineError(f"{path}: engine metadata is incomplete or corrupted ({exc})") from None
    return OnnxModel(path, session, meta, meta["task"], config, tokenizer)


def _require(model: OnnxModel, task: str, command: str) -> None:
    if model.task != task:
        hint = "engine generate" if model.task == "lm" else "engine classify"
        raise EngineError(f"{model.path}: a '{model.task}' model cannot be used by {command}; use {hint}")


class LMRunner:
    """Forward passes of an exported language model, with or without the key/value cache."""

    def __init__(self, model: OnnxModel):
        _require(model, "lm", "engine generate")
        cfg = model.config
        self.model = model
        self.empty = np.zeros(
            (cfg["n_layer"], 2, 1, cfg["n_head"], 0, cfg["n_embd"] // cfg["n_head"]), dtype=np.float32
        )

    def run(self, ids: list[int], past: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """ids: new tokens; past: (L, 2, 1, H, P, D). Returns last-position logits (V,) and the cache."""
        logits, present = self.model.session.run(None, {"input_ids": np.array([ids], dtype=np.int64), "past_kv": past})
        return logits[0, -1], present

    def logits(self, ids: list[int]) -> np.ndarray:
        """(T, V) logits of every position; inputs longer than the context keep their last tokens."""
        ids = ids[-self.model.block_size :]
        logits, _ = self.model.session.run(None, {"input_ids": np.array([ids], dtype=np.int64), "past_kv": self.empty})
        return np.asarray(logits[0])


def generate(
    model: OnnxModel,
    prompt: str,
    max_chars: int = 200,
    temperature: float = 1.0,
    greedy: bool = False,
    seed: int | None = None,
    use_cache: bool = True,
) -> str:
    """Continue ``prompt`` by ``max_chars`` characters; returns the continuation only."""
    runner = LMRunner(model)
    tok = model.tokenizer
    assert tok is not None
    block = model.block_size
    ids = tok.encode(prompt) or tok.encode("\n")
    rng = np.random.default_rng(seed)
    out: list[int] = []
    window = ids[-block:]  # what the model sees: the last `block` tokens
    logits, cache = runner.run(window, runner.empty)
    for _ in range(max_chars):
        if greedy or temperature <= 0:
            nxt = int(np.argmax(logits))
        else:
            z = logits.astype(np.float64) / temperature
            p = np.exp(z - z.max())
            nxt = int(rng.choice(len(p), p=p / p.sum()))
        out.append(nxt)
        window = [*window, nxt][-block:]
        if use_cache and cache.shape[4] < block:
            logits, cache = runner.run([nxt], cache)
        else:  # no cache, or the context is full: recompute over the last `block` tokens
            logits, cache = runner.run(window, runner.empty)
    return tok.decode(out)


def classify(model: OnnxModel, pixels: np.ndarray) -> np.ndarray:
    """pixels: (N, 64) in [0, 1]. Returns class probabilities (N, 10)."""
    _require(model, "digits", "engine classify")
    (logits,) = model.session.run(None, {"pixels": pixels.astype(np.float32).reshape(-1, 64)})
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z)
    return np.asarray(p / p.sum(axis=1, keepdims=True))
