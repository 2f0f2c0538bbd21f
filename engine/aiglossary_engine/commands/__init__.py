"""One module per ``engine`` subcommand; ``aiglossary_engine.cli.COMMANDS`` registers them.

Command modules import only click at import time, so ``engine --help`` is instant; torch,
onnx and onnxruntime are imported inside the command that needs them.
"""
