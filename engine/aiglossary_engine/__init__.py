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

__all__ = ["DEFAULT_OPSET", "PRODUCER", "__version__"]
