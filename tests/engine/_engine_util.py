"""Helpers shared by the engine tests (imported as a top-level module: tests/engine is on sys.path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from aiglossary_engine.cli import cli
from click.testing import CliRunner, Result


def run_cli(*args: str | Path) -> Result:
    """Run ``engine ARGS`` in-process; exceptions other than clean exits are re-raised."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result


def run_engine(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m aiglossary_engine ARGS`` in a fresh process (for tracebacks, kills, torchrun)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "OMP_NUM_THREADS": "1"}  # no oversubscription
    return subprocess.run(
        [sys.executable, "-m", "aiglossary_engine", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
