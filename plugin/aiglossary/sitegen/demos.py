"""Demo sections of term pages, from the committed artifacts in ``docs/demos/<id>/``. No MkDocs, no torch.

``engine build-demos`` writes each demo folder with a ``manifest.json`` that lists the sha256 of every
file. The site build checks those sums (a mismatch fails the build and names the file) and renders,
above the live widget's slot, the measured claim as a sentence, a learning-curve chart as inline SVG
and a small results table: every number comes from the manifest, none is typed in.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from ..fsutil import file_sha256
from .layout import relative_url
from .templates import TemplateRenderer

DEMOS_DIR = "demos"
MANIFEST = "manifest.json"
SLOT = '<div class="glossary-demo" data-demo="{id}"></div>'
# onnxruntime-web files the widgets need: the wasm-only ES module, its loader and the binary.
ORT_FILES = ("ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")


class DemoError(Exception):
    """A demo's artifacts are missing, unreadable or do not match their manifest."""


@dataclass
class Demo:
    id: str
    folder: Path
    manifest: dict[str, Any]


MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32  # the real manifests nest 6 deep
# A listed file is a plain name in the demo folder: no separators, no "..", no hidden or absolute names.
PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
SHA256 = re.compile(r"[0-9a-f]{64}")

# What the pages and ``engine demo`` read from each known demo's manifest: dotted path -> kind, where
# "*" stands for every key of a mapping. "stats" is {mean, std, ...}; "curve" a non-empty list of rows.
_NUM, _STR, _STATS = "number", "string", "stats"
SCHEMAS: dict[str, dict[str, str]] = {
    "pretraining": {
        "engine_version": _STR,
        "budget": _STR,
        "seeds": "list",
        "metrics.pretrained_only": _NUM,
        "metrics.finetuned": _STATS,
        "metrics.scratch": _STATS,
        "metrics.finetuned_best_step": _STATS,
        "metrics.scratch_best_step": _STATS,
        "curves.finetuned.*": "curve2",
        "curves.scratch.*": "curve2",
        "models.scratch.heldout_loss_int8": _NUM,
        "models.pretrained.heldout_loss_int8": _NUM,
        "models.finetuned.heldout_loss_int8": _NUM,
        "models.*.word_validity": _NUM,
        "models.*.distinct_4gram_ratio": _NUM,
        "budget_detail.finetune_steps": _NUM,
        "budget_detail.early_stopping": _NUM,
        "config.n_layer": _NUM,
        "config.n_embd": _NUM,
        "generation.temperature": _NUM,
        "generation.top_k": _NUM,
        "generation.seed": _NUM,
        "generation.max_chars": _NUM,
        "samples": "samples",
        "text_checks.prompts": "list",
        "corpora.pretraining.chars": _NUM,
        "corpora.glossary.train_chars": _NUM,
        "corpora.glossary.heldout_chars": _NUM,
    },
    "quantisation": {
        "engine_version": _STR,
        "budget": _STR,
        "seeds": "list",
        "models.fp32.bytes": _NUM,
        "models.int8.bytes": _NUM,
        "models.fp32.heldout_loss": _NUM,
        "models.int8.heldout_loss": _NUM,
        "metrics.size_ratio": _NUM,
        "metrics.loss_cost": _NUM,
        "metrics.argmax_agreement": _NUM,
        "histogram.before": "counts",
        "histogram.after": "counts",
        "histogram.scale": _NUM,
        "histogram.steps_shown": _NUM,
        "histogram.bins_per_step": _NUM,
        "histogram.weights": _NUM,
        "histogram.share_shown": _NUM,
        "histogram.distinct_after": _NUM,
        "histogram.max_abs_error": _NUM,
        "histogram.layer": _STR,
        "generation.temperature": _NUM,
        "generation.top_k": _NUM,
        "generation.seed": _NUM,
        "generation.max_chars": _NUM,
        "samples": "samples",
        "config.n_layer": _NUM,
        "config.n_embd": _NUM,
    },
    "digits": {
        "engine_version": _STR,
        "budget": _STR,
        "seeds": "list",
        "ks": "list",
        "metrics.per_k.*.pretrained": _STATS,
        "metrics.per_k.*.scratch": _STATS,
        "metrics.per_k.*.gain": _NUM,
        "curves.pretrained": "curve4",
        "curves.scratch": "curve4",
        "models.pretrained.k": _NUM,
        "models.scratch.k": _NUM,
        "corpora.digits.test_images": _NUM,
        "corpora.digits.unlabelled_train_images": _NUM,
    },
}
MODELS = {
    "pretraining": ("scratch", "pretrained", "finetuned"),
    "quantisation": ("fp32", "int8"),
    "digits": ("scratch", "pretrained"),
}
DEMO_IDS = tuple(SCHEMAS)  # the demos `engine build-demos` makes and the templates show


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a manifest may hold")


def _depth_ok(value: Any) -> bool:
    """True if ``value`` nests at most MAX_DEPTH containers (iteratively: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                return False
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _kind_problem(value: Any, kind: str) -> str | None:
    """Why ``value`` is not of ``kind``, or None."""
    if kind == _NUM:
        return None if _is_number(value) else "must be a finite number"
    if kind == _STR:
        return None if isinstance(value, str) else "must be a string"
    if kind == "list":
        return None if isinstance(value, list) and value else "must be a non-empty list"
    if kind == "counts":
        ok = isinstance(value, list) and value and all(isinstance(x, int) and x >= 0 for x in value)
        return None if ok else "must be a non-empty list of counts"
    if kind == "samples":
        ok = (
            isinstance(value, list)
            and value
            and all(
                isinstance(row, dict) and all(isinstance(v, str) for v in row.values()) and "prompt" in row
                for row in value
            )
        )
        return None if ok else "must be a non-empty list of {prompt, <model>: continuation} objects of strings"
    if kind == _STATS:
        ok = isinstance(value, dict) and _is_number(value.get("mean")) and _is_number(value.get("std"))
        return None if ok else "must be an object with finite 'mean' and 'std'"
    width = int(kind[-1])  # curve2: [step, loss] rows; curve4: [k, mean, low, high] rows
    if not isinstance(value, list) or not value:
        return "must be a non-empty list of points"
    for row in value:
        if not isinstance(row, list) or len(row) != width or not all(_is_number(x) for x in row):
            return f"every point must be a list of {width} finite numbers, got {json.dumps(row)[:60]}"
    return None


def _schema_problems(demo_id: str, manifest: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for dotted, kind in SCHEMAS.get(demo_id, {}).items():
        found: list[tuple[str, Any]] = [("", manifest)]
        for part in dotted.split("."):
            nxt: list[tuple[str, Any]] = []
            for where, node in found:
                if not isinstance(node, dict):
                    problems.append(f"{where or '(manifest)'}: must be an object")
                elif part == "*":
                    if not node:
                        problems.append(f"{where}: must not be empty")
                    nxt += [(f"{where}.{key}", node[key]) for key in node]
                elif part not in node:
                    problems.append(f"{(where + '.' + part).lstrip('.')}: missing")
                else:
                    nxt.append((f"{where}.{part}".lstrip("."), node[part]))
            found = nxt
        for where, value in found:
            problem = _kind_problem(value, kind)
            if problem:
                problems.append(f"{where}: {problem}")
    return sorted(set(problems), key=problems.index)


def _file_problems(folder: Path, manifest: dict[str, Any], demo_id: str) -> list[str]:
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return ["files: must be an object of file name -> {sha256, bytes}"]
    problems = []
    for name, entry in files.items():
        if not PLAIN_NAME.fullmatch(name) or name in (MANIFEST,):
            problems.append(
                f"files: {json.dumps(name)} is not a plain file name in the demo folder "
                "(letters, digits, '.', '_' and '-'; no paths)"
            )
        elif not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            problems.append(f"files.{name}: must be an object with a 'sha256'")
        elif not SHA256.fullmatch(entry["sha256"]):
            problems.append(f"files.{name}.sha256: must be 64 lowercase hex digits")
    models = manifest.get("models")
    if not isinstance(models, dict):
        return [*problems, "models: must be an object of model kind -> {file, label, ...}"]
    for kind in MODELS.get(demo_id, ()):
        if kind not in models:
            problems.append(f"models.{kind}: missing")
    for kind, model in models.items():
        if not isinstance(model, dict) or not isinstance(model.get("file"), str):
            problems.append(f"models.{kind}: must be an object with a 'file'")
        elif not isinstance(model.get("label"), str):
            problems.append(f"models.{kind}.label: must be a string")
        elif model["file"] not in files:
            problems.append(f"models.{kind}.file: {json.dumps(model['file'])} is not listed (and hashed) in 'files'")
    return problems


def load_demo(folder: Path) -> Demo:
    """Read ``folder/manifest.json``, check its shape and every listed file against its sha256.

    A manifest may name only plain files inside ``folder``; every model it uses must be listed in
    ``files`` with its sha256. All problems are reported together, each with its place in the manifest.
    """
    path = folder / MANIFEST
    rebuild = f"run `engine build-demos {folder.name}` and commit docs/demos/{folder.name}/"
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise DemoError(f"{path}: over {MAX_MANIFEST_BYTES // 1024 // 1024} MB, not a demo manifest; {rebuild}")
        manifest = json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    except RecursionError:
        raise DemoError(f"{path}: nested too deeply to be a demo manifest; {rebuild}") from None
    except OSError as exc:
        raise DemoError(f"{path}: cannot read the demo manifest ({exc.strerror or exc}); {rebuild}") from None
    except ValueError as exc:
        raise DemoError(f"{path}: cannot read the demo manifest ({exc}); {rebuild}") from None
    if not isinstance(manifest, dict):
        raise DemoError(f"{path}: not a demo manifest (a JSON object with 'files' and 'models'); {rebuild}")
    if not _depth_ok(manifest):
        raise DemoError(f"{path}: nested more than {MAX_DEPTH} levels deep, not a demo manifest; {rebuild}")
    problems = _file_problems(folder, manifest, folder.name) + _schema_problems(folder.name, manifest)
    if problems:
        raise DemoError(f"{path}: not a valid demo manifest; {rebuild}:\n  " + "\n  ".join(problems))
    for name, entry in sorted(manifest["files"].items()):
        file = folder / name
        if file.is_symlink() or not file.is_file():
            what = (
                "missing" if not (file.is_symlink() or file.exists()) else "not a plain file (a link, folder or device)"
            )
            raise DemoError(f"{file}: listed in {MANIFEST} but {what}; {rebuild}")
        try:
            digest = file_sha256(file)
        except OSError as exc:
            raise DemoError(f"{file}: cannot be read ({exc.strerror or exc}); {rebuild}") from None
        if digest != entry["sha256"]:
            raise DemoError(f"{file}: sha256 does not match {MANIFEST} (the file changed or is corrupted); {rebuild}")
    return Demo(folder.name, folder, manifest)


ASK_ID = "ask"
"""``docs/demos/ask/``: the Ask box's encoder and index (``engine build-ask``), not a term-page widget."""


def load_demos(docs_dir: Path) -> dict[str, Demo]:
    """Every built demo under ``docs_dir/demos``, checked (the Ask folder is read by :func:`load_ask`)."""
    root = docs_dir / DEMOS_DIR
    if not root.is_dir():
        return {}
    return {
        d.name: load_demo(d)
        for d in sorted(root.iterdir())
        if d.is_dir() and d.name != ASK_ID and (d / MANIFEST).is_file()
    }


def load_ask(docs_dir: Path) -> Demo | None:
    """``docs_dir/demos/ask`` checked like a demo (every file against its sha256), or None if not built."""
    folder = docs_dir / DEMOS_DIR / ASK_ID
    if not (folder / MANIFEST).is_file():
        return None
    demo = load_demo(folder)
    index = demo.manifest.get("index")
    if not isinstance(index, dict) or not all(index.get(k) in demo.manifest["files"] for k in ("file", "vectors")):
        raise DemoError(f"{folder / MANIFEST}: index.file and index.vectors must name files listed in 'files'")
    return demo


# ---- numbers in words ------------------------------------------------------------------------------


def _f(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _pm(s: dict[str, Any], digits: int = 2) -> str:
    return f"{s['mean']:.{digits}f} ± {s['std']:.{digits}f}"


def _pm_pct(s: dict[str, Any]) -> str:
    return f"{100 * s['mean']:.1f} ± {100 * s['std']:.1f}%"


def pretraining_claim(m: dict[str, Any], seeds: int) -> str:
    ft, sc = m["finetuned"], m["scratch"]
    gap = sc["mean"] - ft["mean"]
    every = "in every seed" if m.get("finetuned_below_scratch_every_seed") else "on average, though not in every seed"
    if gap > 0:
        verdict = f"Pre-training first lowered the loss by {_f(gap)} nats per character, {every}."
    else:
        verdict = "Here pre-training did not help: the model trained from scratch did as well or better."
    return (
        f"Fine-tuned after pre-training on generic text, the tiny model reached {_pm(ft, 3)} nats per character "
        f"on glossary entries it never saw, against {_pm(sc, 3)} for the same model trained from scratch on the "
        f"glossary with the same budget (mean ± standard deviation over {seeds} seeds). {verdict} "
        f"Before any fine-tuning, the pre-trained model alone scored {_f(m['pretrained_only'])}."
    )


def quantisation_claim(m: dict[str, Any]) -> str:
    """The page's one-line result: size, cost in loss and agreement, all from the manifest."""
    cost = m["loss_cost"]
    shown = f"{cost:.3f}" if abs(cost) >= 0.001 else f"{cost:.4f}"  # the manifest keeps four decimals
    costs = f"costs {shown} nats per character" if cost > 0 else f"changes the loss by {cost:+.4f} nats per character"
    return (
        f"int8 is {m['size_ratio']:.1f}× smaller, {costs} on held-out glossary text, "
        f"and agrees on {100 * m['argmax_agreement']:.1f}% of next characters."
    )


def digits_claim(m: dict[str, Any], seeds: int) -> str:
    rows = m["per_k"]
    ks = sorted(rows, key=int)
    lo, hi = ks[0], ks[-1]
    best = max(ks, key=lambda k: rows[k]["gain"])

    def label(k: str) -> str:
        return f"{k} label{'s' if k != '1' else ''} per class"

    def pair(k: str) -> str:
        return f"{_pct(rows[k]['pretrained']['mean'])} against {_pct(rows[k]['scratch']['mean'])} from scratch"

    if rows[best]["gain"] < 0.02:
        return (
            f"Here self-supervised pre-training on unlabelled digits made little difference: with {label(lo)} the "
            f"fine-tuned model reached {pair(lo)}, and with {label(hi)} {pair(hi)} (mean test accuracy over "
            f"{seeds} seeds; the spread between seeds is larger than the gap)."
        )
    first = (
        f"With {label(best)}, self-supervised pre-training on unlabelled digits raised mean test accuracy to "
        f"{pair(best)} (over {seeds} seeds)"
    )
    if best != lo:
        first += f"; with {label(lo)}: {pair(lo)}"
    gain_hi = rows[hi]["gain"]
    if abs(gain_hi) < 0.02:
        last = (
            f"With {label(hi)} both are within two points ({pair(hi)}): the gain matters only when labels are scarce."
        )
    elif gain_hi > 0:
        last = f"With {label(hi)} the gap is {100 * gain_hi:.1f} points ({pair(hi)})."
    else:
        last = f"With {label(hi)} training from scratch is ahead by {-100 * gain_hi:.1f} points ({pair(hi)})."
    return f"{first}. {last}"


# ---- SVG charts --------------------------------------------------------------------------------------


@dataclass
class Series:
    name: str
    css: str  # colour class: glossary-chart-a or glossary-chart-b (colours in COLOURS)
    lines: list[list[tuple[float, float]]]
    band: list[tuple[float, float, float]] | None = None  # (x, low, high)


COLOURS = {"glossary-chart-a": "#1c7ed6", "glossary-chart-b": "#e8590c"}  # readable on light and dark


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    span = hi - lo or 1.0
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def line_chart(
    series: list[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    y_range: tuple[float, float],
    x_log: bool = False,
    x_ticks: list[float] | None = None,
    y_format: str = "{:.1f}",
    width: int = 640,
    height: int = 300,
    legend: str = "left",
) -> Markup:
    """An accessible inline SVG line chart (no library, no script); values outside y_range are clipped.

    ``legend`` is the top corner ("left" or "right") the key goes in: the one the lines leave empty.
    """
    left, right, top, bottom = 56, 16, 16, 44
    xs = [x for s in series for line in s.lines for x, _ in line]
    tx = (lambda v: math.log10(v)) if x_log else (lambda v: v)
    x0, x1 = tx(min(xs)), tx(max(xs))
    y0, y1 = y_range
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (tx(x) - x0) / ((x1 - x0) or 1.0) * pw

    def py(y: float) -> float:
        return top + (1 - (y - y0) / ((y1 - y0) or 1.0)) * ph

    def pts(points: list[tuple[float, float]]) -> str:
        return " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)

    clip = "glossary-chart-clip-" + hashlib.sha256(title.encode()).hexdigest()[:8]  # stable across builds
    out = [
        f'<svg class="glossary-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_esc(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12" fill="currentColor" style="max-width:100%;height:auto">',
        f"<title>{_esc(title)}</title>",
        f'<defs><clipPath id="{clip}"><rect x="{left}" y="{top}" width="{pw}" height="{ph}"/></clipPath></defs>',
    ]
    for y in _ticks(y0, y1):
        out.append(
            f'<line class="glossary-chart-grid" x1="{left}" x2="{left + pw}" y1="{py(y):.1f}" y2="{py(y):.1f}" '
            'stroke="currentColor" stroke-opacity="0.15"/>'
        )
        out.append(
            f'<text class="glossary-chart-tick" x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y_format.format(y)}</text>'
        )
    for x in x_ticks if x_ticks is not None else _ticks(min(xs), max(xs)):
        out.append(
            f'<text class="glossary-chart-tick" x="{px(x):.1f}" y="{top + ph + 16}" text-anchor="middle">{x:g}</text>'
        )
    out.append(
        f'<rect class="glossary-chart-frame" x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="currentColor" stroke-opacity="0.4"/>'
    )
    out.append(f'<g clip-path="url(#{clip})">')
    for s in series:
        colour = COLOURS.get(s.css, "currentColor")
        if s.band:
            upper = [(x, hi) for x, _, hi in s.band]
            lower = [(x, lo) for x, lo, _ in reversed(s.band)]
            out.append(
                f'<polygon class="glossary-chart-band {s.css}" points="{pts(upper + lower)}" fill="{colour}" fill-opacity="0.15"/>'
            )
        for line in s.lines:
            out.append(
                f'<polyline class="glossary-chart-line {s.css}" points="{pts(line)}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            if len(line) <= 8:
                out.extend(
                    f'<circle class="glossary-chart-dot {s.css}" cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>'
                    for x, y in line
                )
    out.append("</g>")
    out.append(
        f'<text class="glossary-chart-label" x="{left + pw / 2:.0f}" y="{height - 6}" text-anchor="middle">{_esc(x_label)}</text>'
    )
    out.append(
        f'<text class="glossary-chart-label" transform="translate(14 {top + ph / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle">{_esc(y_label)}</text>'
    )
    for i, s in enumerate(series):
        ly = top + 14 + 18 * i
        # the colour sample sits on the outer side, the text runs inwards from it
        lx = left + 12 if legend == "left" else left + pw - 12 - 22
        tx_, anchor = (lx + 28, "start") if legend == "left" else (lx - 6, "end")
        out.append(
            f'<line class="glossary-chart-line {s.css}" x1="{lx}" x2="{lx + 22}" y1="{ly - 4}" y2="{ly - 4}" stroke="{COLOURS.get(s.css)}" stroke-width="3"/>'
        )
        out.append(
            f'<text class="glossary-chart-legend" x="{tx_}" y="{ly}" text-anchor="{anchor}">{_esc(s.name)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def _esc(text: str) -> str:
    return str(Markup.escape(text))


def pretraining_chart(manifest: dict[str, Any]) -> Markup:
    curves = manifest["curves"]
    ft = [[(float(x), float(y)) for x, y in c] for c in curves["finetuned"].values()]
    sc = [[(float(x), float(y)) for x, y in c] for c in curves["scratch"].values()]
    later = [y for line in ft + sc for x, y in line if x > 0]
    pre = float(manifest["metrics"]["pretrained_only"])
    lo = math.floor(min(later) * 10) / 10 - 0.1
    hi = math.ceil(max([*later, pre]) * 10) / 10 + 0.1
    return line_chart(
        [
            Series("Fine-tuned after pre-training", "glossary-chart-a", ft),
            Series("From scratch", "glossary-chart-b", sc),
        ],
        title="Validation loss on held-out glossary entries while training, one line per seed",
        x_label="training step on the glossary text",
        y_label="loss (nats per character)",
        y_range=(lo, hi),
        legend="right",  # from scratch starts high on the left; by the right both curves have come down
    )


def digits_chart(manifest: dict[str, Any]) -> Markup:
    series = []
    for kind, name, css in (
        ("pretrained", "Self-supervised pre-training", "glossary-chart-a"),
        ("scratch", "From scratch", "glossary-chart-b"),
    ):
        rows = manifest["curves"][kind]
        series.append(
            Series(
                name,
                css,
                [[(float(k), float(mean)) for k, mean, _, _ in rows]],
                band=[(float(k), float(lo), float(hi)) for k, _, lo, hi in rows],
            )
        )
    return line_chart(
        series,
        title="Test accuracy against labelled images per class: mean line, band from worst to best seed",
        x_label="labelled images per class (K, log scale)",
        y_label="test accuracy",
        y_range=(0.0, 1.0),
        x_log=True,
        x_ticks=[float(k) for k in manifest["ks"]],
        y_format="{:.0%}",
    )


def histogram_chart(h: dict[str, Any], width: int = 640, panel: int = 110) -> Markup:
    """One weight matrix's values before and after rounding to the int8 grid, as two bar panels (SVG)."""
    before, after = h["before"], h["after"]
    n = len(before)
    left, right, top, gap, bottom = 56, 16, 22, 34, 40
    pw = width - left - right
    height = top + 2 * panel + gap + bottom
    bw = pw / n
    step, per = float(h["scale"]), int(h["bins_per_step"])
    reach = int(h["steps_shown"])
    title = (
        f"Histogram of {h['weights']:,} weights of {h['layer']}, before and after rounding to int8 "
        f"(one step = {step:.5f})"
    )
    desc = (
        f"Before rounding the values spread smoothly; after rounding every weight sits on one of "
        f"{h['distinct_after']} grid points, so only every {per}th bar is filled, and each filled bar "
        f"collects the weights of the {per} bars around it. Shown: the {2 * reach + 1} steps around zero, "
        f"which hold {100 * h['share_shown']:.0f}% of the weights."
    )
    out = [
        f'<svg class="glossary-chart glossary-histogram" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_esc(title)}" xmlns="http://www.w3.org/2000/svg" font-size="12" fill="currentColor" '
        'style="max-width:100%;height:auto">',
        f"<title>{_esc(title)}</title><desc>{_esc(desc)}</desc>",
    ]
    for i, (name, counts, css) in enumerate(
        (("before rounding (fp32)", before, "glossary-chart-a"), ("after rounding (int8)", after, "glossary-chart-b"))
    ):
        y0 = top + i * (panel + gap)
        peak = max(counts) or 1
        colour = COLOURS[css]
        out.append(
            f'<text class="glossary-chart-legend" x="{left}" y="{y0 - 6}">{_esc(name)}: tallest bar '
            f"{peak:,} weights</text>"
        )
        out.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y0 + panel}" y2="{y0 + panel}" stroke="currentColor" '
            'stroke-opacity="0.4"/>'
        )
        bars = []  # one path per panel: a rectangle per non-empty bin
        for j, c in enumerate(counts):
            if c:
                hgt = max(0.5, panel * c / peak)
                bars.append(f"M{left + j * bw:.1f} {y0 + panel:.1f}v{-hgt:.1f}h{max(bw * 0.9, 0.5):.1f}v{hgt:.1f}z")
        out.append(f'<path class="glossary-histogram-bars {css}" d="{"".join(bars)}" fill="{colour}"/>')
    axis_y = top + 2 * panel + gap
    for k in _ticks(-reach, reach, 8):
        x = left + (k * per + reach * per + 0.5) * bw
        out.append(f'<text class="glossary-chart-tick" x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">{k:g}</text>')
    out.append(
        f'<text class="glossary-chart-label" x="{left + pw / 2:.0f}" y="{height - 6}" text-anchor="middle">'
        f"weight value, in int8 steps of {step:.5f}</text>"
    )
    out.append("</svg>")
    return Markup("".join(out))


# ---- rendering ---------------------------------------------------------------------------------------


class DemoRenderer:
    """Renders ``demo_<id>.html`` for each demo and places it before the widget's slot."""

    def __init__(self, demos: dict[str, Demo], templates: TemplateRenderer | None = None) -> None:
        self.demos = demos
        self.templates = templates or TemplateRenderer()
        self._cache: dict[str, str] = {}
        for demo in demos.values():  # a demo folder the pages cannot show fails now, naming its folder
            try:
                self.templates.env.get_template(f"demo_{demo.id}.html")
            except jinja2.TemplateNotFound:
                known = ", ".join(DEMO_IDS)
                raise DemoError(
                    f"{demo.folder}: no template demo_{demo.id}.html for this demo (built demos: {known}); "
                    f"remove the folder or add the template to the templates folder"
                ) from None

    def section(self, demo_id: str, page_url: str = "") -> str:
        key = f"{demo_id}\0{page_url}"
        if key not in self._cache:
            demo = self.demos[demo_id]
            try:
                self._cache[key] = self._render(demo, page_url)
            except (jinja2.TemplateError, LookupError, TypeError, ValueError, ArithmeticError) as exc:
                detail = f"{type(exc).__name__}: {exc}"[:200]
                raise DemoError(f"{demo.folder / MANIFEST}: cannot render the demo ({detail})") from None
        return self._cache[key]

    def _render(self, demo: Demo, page_url: str) -> str:
        m = demo.manifest
        seeds = len(m["seeds"])
        if demo.id == "pretraining":
            context = {"claim": pretraining_claim(m["metrics"], seeds), "chart": pretraining_chart(m)}
        elif demo.id == "quantisation":
            context = {"claim": quantisation_claim(m["metrics"]), "chart": histogram_chart(m["histogram"])}
        elif demo.id == "digits":
            context = {"claim": digits_claim(m["metrics"], seeds), "chart": digits_chart(m)}
        else:
            context = {"claim": "", "chart": Markup("")}
        return self.templates.render(
            f"demo_{demo.id}.html",
            demo=demo,
            m=m,
            seeds=seeds,
            manifest_url=relative_url(f"{DEMOS_DIR}/{demo.id}/{MANIFEST}", page_url),
            pretraining_url=relative_url("glossary/pre-training/", page_url),
            pm=_pm,
            pm_pct=_pm_pct,
            **context,
        )

    def inject(self, html: str, page_url: str = "") -> str:
        """Put each known demo's section just before its slot (the slot itself stays as it is)."""
        for demo_id in self.demos:
            slot = SLOT.format(id=demo_id)
            if slot in html:
                html = html.replace(slot, self.section(demo_id, page_url) + slot, 1)
        return html
