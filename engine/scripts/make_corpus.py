"""Regenerate the generic pre-training corpus: docstrings of Python's standard library.

The corpus is a snapshot of

* every module, class and function docstring found by parsing (never importing) the ``.py`` files
  of the standard library that runs this script, in sorted path order, and
* the help topics of ``pydoc_data.topics`` (the text behind ``help('for')`` and friends),

written as UTF-8 text compressed with xz into ``aiglossary_engine/data/stdlib_docstrings.txt.xz``.
The text is Python's documentation, under the PSF licence: see ``data/NOTICE``.

Run from the repository root (the exact bytes depend on the Python version, which is recorded in the
first line of the file)::

    .venv/bin/python engine/scripts/make_corpus.py
"""

from __future__ import annotations

import ast
import lzma
import os
import sys
import sysconfig
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "aiglossary_engine" / "data" / "stdlib_docstrings.txt.xz"
SKIP_DIRS = {"test", "tests", "idle_test", "site-packages", "dist-packages", "__pycache__", "lib2to3"}
MAX_CHARS = 2_200_000  # about 2 MB of text (all of it today)
MIN_DOCSTRING = 40  # skip one-liners such as "Return self."


def _docstrings(path: Path) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node, clean=True)
            if doc and len(doc) >= MIN_DOCSTRING:
                found.append(doc.strip())
    return found


def build() -> str:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    parts: list[str] = []
    seen: set[str] = set()
    for root, dirs, files in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if name.endswith(".py"):
                for doc in _docstrings(Path(root) / name):
                    if doc not in seen:
                        seen.add(doc)
                        parts.append(doc)
    from pydoc_data.topics import topics

    parts.extend(topics[key].strip() for key in sorted(topics))
    header = f"# Python {sys.version.split()[0]} standard-library docstrings and pydoc topics (PSF licence)"
    text = header + "\n\n" + "\n\n".join(parts) + "\n"
    return text[:MAX_CHARS]


def main() -> None:
    text = build()
    data = lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME)
    tmp = OUT.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, OUT)
    print(f"wrote {OUT} ({len(text):,} chars, {len(data):,} bytes compressed)")


if __name__ == "__main__":
    main()
