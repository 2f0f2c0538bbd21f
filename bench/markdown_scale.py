"""Entry text at growing sizes: does checking or rendering one field grow faster than the field?

For each shape of text that once hung or slowed a build (issue 12: backticks, '[' runs, '[a](' runs,
deep YAML nesting) and a few ordinary ones, the field is checked as the loader checks it (the
``Markdown`` validators of :mod:`aiglossary.model`) and, when accepted, rendered as the site renders
it (:class:`aiglossary.sitegen.render.MarkdownRenderer`, cache off). Sizes double; the ratio column is
the time at this size over the time at the previous one: about 2 means linear, 4 quadratic. Text over
the limits is refused by the check (its time is still measured), so nothing reaches Markdown that can
stall it.

Run from the repository root (under a minute)::

    .venv/bin/python bench/markdown_scale.py [--sizes 500,1000,2000,4000,8000,16000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable

from aiglossary.model import check_markdown
from aiglossary.sitegen.render import MarkdownRenderer
from aiglossary.text import MAX_BRACKETS, check_text
from aiglossary.yamlsafe import YamlProblem, parse


def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _nested_list(n: int) -> str:
    """List items each indented one level deeper, up to n characters."""
    lines, size, i = [], 0, 0
    while size < n:
        line = f"{' ' * (2 * i)}- x\n"
        lines.append(line)
        size += len(line)
        i += 1
    return "".join(lines)[:n].rstrip()


# name -> text of n characters
SHAPES: dict[str, Callable[[int], str]] = {
    "prose": lambda n: _repeat("A model learns weights from data. ", n - 1).rstrip() + ".",
    "backtick run": lambda n: "`" * n,
    "code spans": lambda n: _repeat("`a` b ", n),
    "'[' run": lambda n: "[" * n,
    "'[a](' run": lambda n: _repeat("[a](", n),
    "'![' run": lambda n: _repeat("![", n),
    f"{MAX_BRACKETS} '[' then prose": lambda n: "[" * MAX_BRACKETS + _repeat("words ", n - MAX_BRACKETS),
    "'*a' run": lambda n: _repeat("*a", n),
    "'< ' run": lambda n: _repeat("< ", n),
    "nested list": lambda n: _nested_list(n),
}


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _check(text: str) -> str | None:
    """The loader's check of one Markdown field: None when accepted, else its message."""
    try:
        check_markdown(check_text(text))
    except ValueError as exc:
        return str(exc)
    return None


def _render(text: str) -> None:
    MarkdownRenderer()._render(text, inline=False)


def _yaml(n: int) -> Callable[[], object]:
    raw = ("term: " + "[" * (n // 2) + "]" * (n // 2) + "\n").encode()

    def run() -> object:
        try:
            return parse(raw)
        except YamlProblem as exc:
            return exc

    return run


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def _ratio(now: float, before: float | None) -> str:
    return f"{now / before:.1f}" if before else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="500,1000,2000,4000,8000,16000", help="field sizes in characters")
    parser.add_argument("--repeat", type=int, default=5, help="best of this many runs")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load:.1f} at the start; best of {args.repeat}"
    )
    print(f"command: {' '.join([sys.executable.rsplit('/', 3)[-3] + '/bin/python', *sys.argv])}")
    print()
    print("| Text | Characters | Check | ×prev | Render | ×prev | Outcome |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, make in SHAPES.items():
        prev_check: float | None = None
        prev_render: float | None = None
        for n in sizes:
            text = make(n)
            problem = _check(text)
            checked = _best(lambda text=text: _check(text), args.repeat)  # type: ignore[misc]
            if problem is None:
                rendered = _best(lambda text=text: _render(text), args.repeat)  # type: ignore[misc]
                render_cells = (_ms(rendered), _ratio(rendered, prev_render))
                prev_render, outcome = rendered, "rendered"
            else:
                render_cells = ("—", "—")
                prev_render, outcome = None, "refused: " + problem.split(";")[0]
            row = (name, f"{len(text):,}", _ms(checked), _ratio(checked, prev_check), *render_cells, outcome)
            print("| " + " | ".join(row) + " |")
            prev_check = checked
    prev: float | None = None
    for n in sizes:
        run = _yaml(n)
        took = _best(run, args.repeat)
        result = run()
        outcome = "refused: " + result.message if isinstance(result, YamlProblem) else "loaded"
        print(f"| YAML '[' nesting | {n:,} | {_ms(took)} | {_ratio(took, prev)} | — | — | {outcome} |")
        prev = took


if __name__ == "__main__":
    main()
