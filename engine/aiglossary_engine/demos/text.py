"""Plain-text summaries of a built demo's numbers (for the CLI)."""

from __future__ import annotations

from typing import Any


def _pm(s: dict[str, Any], digits: int = 3, scale: float = 1.0) -> str:
    return f"{s['mean'] * scale:.{digits}f} ± {s['std'] * scale:.{digits}f}"


def summary(demo_id: str, manifest: dict[str, Any]) -> str:
    m = manifest["metrics"]
    if demo_id == "pretraining":
        n = len(manifest["seeds"])
        models = manifest["models"]
        words = ", ".join(
            f"{k} {models[k]['word_validity']:.1%} ({models[k]['distinct_4gram_ratio']:.2f})"
            for k in ("scratch", "pretrained", "finetuned")
            if "word_validity" in models[k]
        )
        return (
            f"held-out glossary loss (nats/char, mean ± sd over {n} seeds): "
            f"fine-tuned {_pm(m['finetuned'])}, scratch {_pm(m['scratch'])}, "
            f"pre-trained only {m['pretrained_only']:.3f}\n"
            f"real words (distinct 4-grams) on the fixed prompts: {words}"
        )
    if demo_id == "quantisation":
        from aiglossary.sitegen.demos import quantisation_claim

        return quantisation_claim(m)
    lines = [f"test accuracy (mean ± sd over {len(manifest['seeds'])} seeds):"]
    for k, row in m["per_k"].items():
        lines.append(
            f"  K={k:>2}: pre-trained {_pm(row['pretrained'], 1, 100)} %, scratch {_pm(row['scratch'], 1, 100)} %"
        )
    return "\n".join(lines)
