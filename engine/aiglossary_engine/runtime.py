"""Run exported models with onnxruntime: text generation and digit classification. Needs no torch.

The language-model graph is ``(input_ids, past_kv) -> (logits, present_kv)``. Generation feeds the
prompt once with an empty cache, then one character at a time with the returned cache; when the text
would outgrow the context, it recomputes from the last ``block_size`` characters, exactly as uncached
generation does, so cached and uncached greedy output are identical.

Sampling is written to give the same characters in Python and in the browser widget
(``glossary-demos.js``) for the same seed: a mulberry32 generator (32-bit integer arithmetic only),
one uniform draw per character, and the top-k and softmax in float64 in a fixed order
(:func:`sample_next`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aiglossary_engine import MAX_CHARS, MAX_SEED, PRODUCER
from aiglossary_engine.errors import EngineError
from aiglossary_engine.tokenizer import CharTokenizer

LM_CONFIG = ("n_layer", "n_head", "n_embd", "block_size", "vocab_size")


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


def session_options(threads: int = 1, int8_weights: bool = False) -> Any:
    """onnxruntime options that give the same int8 results on every x86-64 CPU and in the browser.

    On AVX2 CPUs without VNNI, onnxruntime's default u8s8 int8 kernel adds pairs of products in
    16 bits, which saturate; VNNI CPUs and onnxruntime-web's WebAssembly do not. The saturation moves
    logits enough to change a greedy continuation, so the terminal would disagree with the browser on
    some machines. ``session.x64quantprecision`` selects the exact kernel there.

    ``int8_weights``: a model whose weights ``engine export --int8`` stored as 8-bit integers
    (``DequantizeLinear`` before each ``MatMul``) runs with basic graph optimisations only, here and in
    the widget. Extended ones fuse each pair into an integer MatMul that also rounds the activations,
    and that kernel's results differ between x86-64 and WebAssembly by up to 0.2 in a logit: enough to
    change a sampled character. With basic optimisations both run the same float arithmetic.
    """
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads  # tiny graphs: one thread has the lowest latency (0: all cores)
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.x64quantprecision", "1")
    if int8_weights:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    return options


def load_model(path: Path, threads: int = 1) -> OnnxModel:
    import onnxruntime as ort

    path = Path(path)
    meta = read_metadata(path)
    options = session_options(threads, int8_weights=meta.get("precision") == "int8")
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    try:
        task = meta["task"]
        config = json.loads(meta["config"])
        tokenizer = CharTokenizer.from_json(meta["vocab"]) if task == "lm" else None
        if not isinstance(config, dict):
            raise ValueError("config is not an object")
        needed = LM_CONFIG if task == "lm" else ()
        missing = [k for k in needed if not (isinstance(config.get(k), int) and config[k] > 0)]
        if missing:
            raise ValueError(f"config lacks {', '.join(missing)}")
    except KeyError as exc:
        raise EngineError(f"{path}: engine metadata is incomplete (no {exc}) — export the model again") from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise EngineError(f"{path}: engine metadata is corrupted ({exc}) — export the model again") from None
    return OnnxModel(path, session, meta, task, config, tokenizer)


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


_M32 = 0xFFFFFFFF


class Mulberry32:
    """The mulberry32 generator: 32 bits of state, integer operations only, so the browser's
    JavaScript (``Math.imul``, ``>>>``) produces the same numbers. The state is the seed modulo 2**32."""

    def __init__(self, seed: int) -> None:
        self.state = seed & _M32

    def next_u32(self) -> int:
        self.state = (self.state + 0x6D2B79F5) & _M32
        a = self.state
        t = ((a ^ (a >> 15)) * (1 | a)) & _M32
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & _M32)) & _M32) ^ t
        return (t ^ (t >> 14)) & _M32

    def uniform(self) -> float:
        """A float in [0, 1): the next 32 bits divided by 2**32 (exact in float64)."""
        return self.next_u32() / 4294967296.0


def sample_next(logits: np.ndarray, temperature: float, top_k: int, rng: Mulberry32) -> int:
    """One sampled token, exactly as the widget samples it.

    The ``top_k`` highest logits (ties: the lower index first) are kept in that order, turned into
    weights ``exp((l - l_max) / temperature)`` in float64 and summed left to right; one uniform draw
    ``u`` picks the first token whose running sum exceeds ``u * total``.
    """
    values = [float(v) for v in np.asarray(logits, dtype=np.float32)]  # float32 -> float64 exactly
    k = len(values) if top_k <= 0 else min(top_k, len(values))
    order = sorted(range(len(values)), key=lambda i: (-values[i], i))[:k]
    top = values[order[0]]
    weights = [math.exp((values[i] - top) / temperature) for i in order]
    total = 0.0
    for w in weights:
        total += w
    target = rng.uniform() * total
    running = 0.0
    for i, w in zip(order, weights, strict=True):
        running += w
        if running > target:
            return i
    return order[-1]


def check_decoding(temperature: float, seed: int | None, max_chars: int, top_k: int = 0) -> None:
    if not (isinstance(temperature, int | float) and math.isfinite(temperature) and temperature >= 0):
        raise EngineError(f"Invalid value for '--temperature': must be a finite number >= 0, got {temperature}.")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise EngineError(f"Invalid value for '--seed': must be 0 to {MAX_SEED}, got {seed}.")
    if not 1 <= max_chars <= MAX_CHARS:
        raise EngineError(f"Invalid value for '--max-chars': must be 1 to {MAX_CHARS:,}, got {max_chars}.")
    if not (isinstance(top_k, int) and top_k >= 0):
        raise EngineError(f"Invalid value for '--top-k': must be 0 (all) or more, got {top_k}.")


def generate(
    model: OnnxModel,
    prompt: str,
    max_chars: int = 200,
    temperature: float = 1.0,
    greedy: bool = False,
    seed: int | None = None,
    use_cache: bool = True,
    top_k: int = 0,
) -> str:
    """Continue ``prompt`` by ``max_chars`` characters; returns the continuation only.

    Greedy (``greedy`` or temperature 0) takes the arg-max (the first index on ties); otherwise each
    character is drawn by :func:`sample_next` (``top_k`` 0: all characters) with a mulberry32 generator
    seeded by ``seed`` (a random seed when None).
    """
    check_decoding(temperature, seed, max_chars, top_k)
    runner = LMRunner(model)
    tok = model.tokenizer
    assert tok is not None
    block = model.block_size
    ids = tok.encode(prompt) or tok.encode("\n")
    if seed is None:
        import secrets

        seed = secrets.randbits(32)
    rng = Mulberry32(seed)
    out: list[int] = []
    window = ids[-block:]  # what the model sees: the last `block` tokens
    logits, cache = runner.run(window, runner.empty)
    for _ in range(max_chars):
        greedy_step = greedy or temperature <= 0
        nxt = int(np.argmax(logits)) if greedy_step else sample_next(logits, temperature, top_k, rng)
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
