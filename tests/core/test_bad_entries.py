"""Every malformed entry in tests/bad_entries gives its exact error line; good entries still load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiglossary import load_knowledge_base
from aiglossary.cli import main
from click.testing import CliRunner

BAD = Path(__file__).resolve().parents[1] / "bad_entries"
CASES = sorted(p.stem for p in BAD.glob("*.yaml"))


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert all((BAD / f"{c}.err").exists() for c in CASES), "every case needs its .err file"


def _install(case: str, glossary: Path) -> str:
    expected = (BAD / f"{case}.err").read_text("utf-8").strip()
    # The expected line names the file the case is installed as (usually widget-model.yaml).
    name = expected.split(":", 1)[0].removeprefix("glossary/")
    if name == "widget-model.yaml" or name.startswith(("Bad_Name", "wrong-slug")):
        shutil.copy(BAD / f"{case}.yaml", glossary / name)
    else:  # the error is reported in another file (e.g. a cycle found at its first edge)
        shutil.copy(BAD / f"{case}.yaml", glossary / "widget-model.yaml")
    return expected


@pytest.mark.parametrize("case", CASES)
def test_bad_entry_reports_exact_line(case: str, mini_glossary: Path) -> None:
    expected = _install(case, mini_glossary)
    kb = load_knowledge_base(mini_glossary)
    lines = [str(p) for p in kb.errors]
    assert expected in lines
    # The four good entries of the fixture are still loaded (a cycle or a clash may implicate the
    # bad file only, never remove the good ones).
    assert {"alpha-term", "beta-term", "gamma-term", "delta-term"} <= set(kb.entries)


@pytest.mark.parametrize("case", CASES)
def test_cli_check_prints_line_and_exits_1(case: str, mini_glossary: Path) -> None:
    expected = _install(case, mini_glossary)
    result = CliRunner().invoke(main, ["check", "--root", str(mini_glossary)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert expected.split(": ", 1)[1] in result.output
    assert "Traceback" not in result.output
