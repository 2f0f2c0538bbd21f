"""aiglossary_engine: pre-train and fine-tune tiny models, export them to ONNX and run them.

The command line is ``engine`` (see ``aiglossary_engine.cli``); the library pieces are:

* ``model`` - the tiny GPT language model, ``digits`` - the small image model for ``load_digits``;
* ``recipes`` - YAML recipes validated with ``file:line`` errors;
* ``train`` - pre-training / fine-tuning loop (single process or DDP under torchrun);
* ``checkpoint`` - atomic checkpoint folders; ``export`` - ONNX export with parity and int8 checks;
* ``runtime`` - onnxruntime generation and classification (needs no torch).
"""

__version__ = "0.1.0"
PRODUCER = "aiglossary-engine"
DEFAULT_OPSET = 20
"""ONNX opset of exports. Opset 20 has a standard ``Gelu`` (tanh approximation) that onnxruntime runs as
one kernel; at 18 the exporter spells it out with ``Pow``/``Tanh``/``Mul`` (1x128 forward 9-15% slower).
onnxruntime-web 1.30 runs it (the browser tests load the demo models)."""

# Upper bounds on values that otherwise run or allocate without limit (issue 12): a typo such as
# ``steps: 1000000000000`` is an error that names the limit, not a run that never ends.
MAX_STEPS = 10_000_000
"""Training steps (``train.steps``, ``--steps``): days of training for the largest recipe."""
MAX_EVAL_BATCHES = 10_000
MAX_BATCH_SIZE = 1_048_576
MAX_SEED = 2**63 - 1
"""Seeds are 0 to 2**63 - 1: what PyTorch and NumPy both accept."""
MAX_CHARS = 100_000
"""Characters one ``generate`` or ``demo`` call may write (``--max-chars``)."""

__all__ = [
    "DEFAULT_OPSET",
    "MAX_BATCH_SIZE",
    "MAX_CHARS",
    "MAX_EVAL_BATCHES",
    "MAX_SEED",
    "MAX_STEPS",
    "PRODUCER",
    "__version__",
]
