"""Can a reader judge the generated text? Word validity and distinct word 4-grams.

* **Word validity**: the share of generated words (runs of ASCII letters, lower-cased) that occur in the
  training vocabulary: every word of the pre-training text and of the glossary text the models were
  fine-tuned on. A model that spells real words scores near 1; one that strings letters together,
  well below.
* **Distinct 4-grams**: in one continuation, distinct word 4-grams divided by all word 4-grams. A
  continuation that loops ("the the the the") scores low; ordinary prose scores near 1.

Only words that end inside the continuation count (a word the prompt started is finished by the model,
so it counts), and a word cut off by the end of the text does not. No torch here: the tests and the
site recompute these figures from the committed models and prompts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

WORD = re.compile(r"[A-Za-z]+")
PROMPTS_FILE = "prompts.txt"


def demo_prompts() -> list[str]:
    """The committed fixed prompts (``demos/prompts.txt``), in order."""
    text = resources.files("aiglossary_engine.demos").joinpath(PROMPTS_FILE).read_text(encoding="utf-8")
    return [line.rstrip("\n") for line in text.splitlines() if line.strip() and not line.startswith("#")]


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Every word (lower-cased run of ASCII letters) of ``texts``."""
    return {w.lower() for text in texts for w in WORD.findall(text)}


def continuation_words(prompt: str, continuation: str) -> list[str]:
    """The words of ``prompt + continuation`` that end inside the continuation, lower-cased, without a
    last word that the end of the text cuts off."""
    text = prompt + continuation
    found = []
    for m in WORD.finditer(text):
        if m.end() <= len(prompt):
            continue
        if m.end() == len(text):
            break  # stopped inside this word (or right after it: it may have gone on)
        found.append(m.group().lower())
    return found


def distinct_4gram_ratio(words: list[str]) -> float | None:
    """Distinct word 4-grams / all word 4-grams; None for fewer than 4 words."""
    grams = [tuple(words[i : i + 4]) for i in range(len(words) - 3)]
    return len(set(grams)) / len(grams) if grams else None


def judge(pairs: list[tuple[str, str]], vocab: set[str]) -> dict[str, Any]:
    """Word validity and mean distinct-4-gram ratio of (prompt, continuation) pairs."""
    valid = total = 0
    ratios = []
    for prompt, continuation in pairs:
        words = continuation_words(prompt, continuation)
        valid += sum(w in vocab for w in words)
        total += len(words)
        ratio = distinct_4gram_ratio(words)
        if ratio is not None:
            ratios.append(ratio)
    return {
        "word_validity": round(valid / total, 4) if total else 0.0,
        "words": total,
        "distinct_4gram_ratio": round(sum(ratios) / len(ratios), 4) if ratios else 0.0,
    }
