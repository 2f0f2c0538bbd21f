"""Regenerate the generic pre-training corpora: docstrings of Python's standard library and of scikit-learn.

``stdlib_docstrings.txt.xz`` is a snapshot of

* every module, class and function docstring found by parsing (never importing) the ``.py`` files
  of the standard library that runs this script, in sorted path order, and
* the help topics of ``pydoc_data.topics`` (the text behind ``help('for')`` and friends),

written as UTF-8 text compressed with xz into ``aiglossary_engine/data/stdlib_docstrings.txt.xz``.
The text is Python's documentation, under the PSF licence: see ``data/NOTICE``.

``sklearn_docstrings.txt.xz`` holds the module, class and function docstrings of the installed
scikit-learn (parsed, never imported; tests and vendored code skipped), each cut before its
``Examples`` section and without doctest lines: English prose about machine learning, under
scikit-learn's BSD 3-Clause licence (also in ``data/NOTICE``).

Run from the repository root (the exact bytes depend on the Python and scikit-learn versions, recorded
in the first line of each file)::

    .venv/bin/python engine/scripts/make_corpus.py            # both
    .venv/bin/python engine/scripts/make_corpus.py sklearn    # one of them
"""

from __future__ import annotations

import ast
import lzma
import os
import re
import sys
import sysconfig
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "aiglossary_engine" / "data"
OUT = DATA / "stdlib_docstrings.txt.xz"
SKLEARN_OUT = DATA / "sklearn_docstrings.txt.xz"
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


SKLEARN_SKIP = {"tests", "externals", "_build_utils", "__pycache__"}
SKLEARN_MAX_CHARS = 2_600_000
_SECTION_CUT = re.compile(r"\n(Examples|References)\n-{4,}\n")


def _prose(doc: str) -> str:
    """A scikit-learn docstring without its Examples/References sections and doctest lines."""
    doc = _SECTION_CUT.split(doc, maxsplit=1)[0]
    lines = [ln for ln in doc.splitlines() if not ln.lstrip().startswith((">>>", "... "))]
    return "\n".join(lines).strip()


def build_sklearn() -> str:
    import sklearn

    root = Path(sklearn.__file__).parent
    parts: list[str] = []
    seen: set[str] = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKLEARN_SKIP)
        for name in sorted(files):
            if name.endswith(".py"):
                for doc in _docstrings(Path(folder) / name):
                    text = _prose(doc)
                    if len(text) >= MIN_DOCSTRING and text not in seen:
                        seen.add(text)
                        parts.append(text)
    header = f"# scikit-learn {sklearn.__version__} docstrings (BSD 3-Clause licence)"
    return (header + "\n\n" + "\n\n".join(parts) + "\n")[:SKLEARN_MAX_CHARS]


def _write(path: Path, text: str) -> None:
    data = lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    print(f"wrote {path} ({len(text):,} chars, {len(data):,} bytes compressed)")


def main() -> None:
    which = sys.argv[1:] or ["stdlib", "sklearn"]
    if "stdlib" in which:
        _write(OUT, build())
    if "sklearn" in which:
        _write(SKLEARN_OUT, build_sklearn())


if __name__ == "__main__":
    main()
