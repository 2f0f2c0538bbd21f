"""The cheap engine commands of README.md and docs/ run as written, from a fresh clone after `make test`.

Each row is a document and a command copied from it character for character: the test first checks the
command is still in the document, then runs it with ``bash`` in a sandbox that looks like the
repository root (``.venv`` and ``docs`` linked in), so whatever it writes (``runs/``) stays out of the
checkout. Commands that train for minutes are covered by the tests of what they do, not here.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
TORCHRUN_CHECK = (
    ".venv/bin/torchrun --standalone --nproc_per_node=2 -m aiglossary_engine pretrain digits --steps 20 "
    "--out runs/ddp-check"
)  # also the one DDP run of the digits model, whose unused heads once stopped DDP at the first step

# (document, command as written there, text its output must contain)
COMMANDS = [
    ("README.md", '.venv/bin/engine demo pretraining --prompt "A neural network"', "Fine-tuned"),
    ("README.md", TORCHRUN_CHECK, "runs/ddp-check: step 20"),
    ("README.md", '.venv/bin/engine ask "splitting text into small pieces before the model reads it"', "1. "),
    ("docs/engine.md", TORCHRUN_CHECK, "runs/ddp-check: step 20"),
]


def _sandbox(tmp_path: Path) -> Path:
    for name in (".venv", "docs", "engine", "glossary"):
        (tmp_path / name).symlink_to(ROOT / name)
    return tmp_path


@pytest.mark.parametrize(
    "doc", ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]
)
def test_every_torchrun_command_in_the_docs_names_the_venv(doc: str) -> None:
    """`torchrun` is not on PATH after `make test`: every command that starts with it says where it is."""
    text = (ROOT / doc).read_text("utf-8")
    bare = [line for line in text.splitlines() if re.match(r"\s*torchrun ", line)]
    assert not bare, f"{doc}: write .venv/bin/torchrun: {bare}"
    assert (ROOT / ".venv" / "bin" / "torchrun").is_file(), "make test installs torchrun into .venv/bin"


@pytest.mark.parametrize(
    ("doc", "command", "expected"),
    [c for i, c in enumerate(COMMANDS) if c[1] not in [d[1] for d in COMMANDS[:i]]],  # each command once
    ids=lambda v: str(v)[:40],
)
def test_docs_command_runs_as_written(tmp_path: Path, doc: str, command: str, expected: str) -> None:
    for other_doc, other, _ in COMMANDS:
        if other == command:
            assert command in (ROOT / other_doc).read_text("utf-8"), f"{other_doc} no longer has: {command}"
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        ["bash", "-c", command],
        cwd=_sandbox(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, f"{command}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    assert expected in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
