"""Demos: the experiments behind the live widgets on term pages, built into ``docs/demos/<id>/``.

Each demo trains real models with the engine (``train``), measures them, exports the models the
browser runs (``export``) and writes ``manifest.json`` (recipes, seeds, corpus hashes, curves,
metrics, the sha256 of every file, the engine version and the exact command) next to them, atomically.

* ``pretraining`` - pre-train the tiny GPT on the generic corpus, fine-tune it on the glossary's own
  text with early stopping, and train the same model from scratch on that text with the same budget.
* ``quantisation`` - the fine-tuned model of ``pretraining`` in fp32 and int8: size, loss, agreement,
  and one weight matrix before and after rounding.
* ``digits`` - self-supervised denoising pre-training on unlabelled digits, then K labels per class,
  against training from scratch.
"""

from __future__ import annotations

from aiglossary_engine.demos.common import (
    BUDGETS,
    DEMO_IDS,
    MANIFEST,
    MAX_DEMO_BYTES,
    BuildContext,
    build_demo,
    verify_demo,
)

__all__ = ["BUDGETS", "DEMO_IDS", "MANIFEST", "MAX_DEMO_BYTES", "BuildContext", "build_demo", "verify_demo"]
