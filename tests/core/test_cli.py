"""The `glossary` CLI: new, check, list, show, export, schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from aiglossary import load_knowledge_base
from aiglossary.cli import main
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_help_lists_every_command() -> None:
    code, out = run("--help")
    assert code == 0
    for cmd in ("new", "check", "list", "show", "export", "schema"):
        assert cmd in out


def test_check_clean_fixture(mini_glossary: Path) -> None:
    code, out = run("check", "--strict", "--root", str(mini_glossary))
    assert code == 0, out
    assert "OK: 4 entries, 0 error(s), 0 warning(s)" in out


def test_check_json(mini_glossary: Path) -> None:
    (mini_glossary / "delta-term.yaml").write_text("term: [broken\n")
    code, out = run("check", "--root", str(mini_glossary), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["entries"] == 3 and report["errors"] >= 1
    first = next(p for p in report["problems"] if p["file"].endswith("delta-term.yaml"))
    assert first["line"] == 2 and first["severity"] == "error" and "YAML syntax error" in first["message"]
    # Relations to the entry that failed to load are reported where they are made, saying why it is
    # missing (not "unknown term ... did you mean").
    messages = [p["message"] for p in report["problems"]]
    assert "'delta-term' was left out because of its errors (see glossary/delta-term.yaml); fix them first" in messages
    assert not any("unknown term 'delta-term'" in m for m in messages)


def test_warnings_fail_only_with_strict(mini_glossary: Path) -> None:
    text = (mini_glossary / "delta-term.yaml").read_text()
    (mini_glossary / "delta-term.yaml").write_text(
        text.replace("phrases:\n- We used delta term in test 0.\n", "phrases:\n")
    )
    assert run("check", "--root", str(mini_glossary))[0] == 0
    code, out = run("check", "--strict", "--root", str(mini_glossary))
    assert code == 1
    assert "phrases: warning: has 2; a complete entry has at least 3" in out


def test_new_writes_scaffold_that_parses_and_refuses_overwrite(mini_glossary: Path) -> None:
    code, out = run("new", "Gradient clipping", "--root", str(mini_glossary))
    assert code == 0, out
    path = mini_glossary / "gradient-clipping.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=schema.json")
    data = yaml.safe_load(text)
    assert data["term"] == "Gradient clipping"
    # Every section of the model is in the scaffold.
    from aiglossary.model import Entry

    assert {f.alias or n for n, f in Entry.model_fields.items()} - {"demo"} <= set(data)
    kb = load_knowledge_base(mini_glossary)
    messages = [str(p) for p in kb.problems if p.file.endswith("gradient-clipping.yaml")]
    assert any("scaffold text (TODO)" in m for m in messages)
    assert any("unknown term 'todo-related-slug'" in m for m in messages)
    code, out = run("new", "Gradient clipping", "--root", str(mini_glossary))
    assert code == 1 and "already exists" in out
    assert path.read_text() == text


def test_list_filters(mini_glossary: Path) -> None:
    code, out = run("list", "--root", str(mini_glossary), "--difficulty", "advanced")
    assert code == 0
    assert out.split()[0] == "delta-term" and "alpha-term" not in out
    code, out = run("list", "--root", str(mini_glossary), "--category", "nope")
    assert code == 2 and "unknown category" in out


def test_show_renders_sections_and_suggests(mini_glossary: Path) -> None:
    code, out = run("show", "beta-term", "--root", str(mini_glossary))
    assert code == 0
    for heading in ("Definition", "Plain explanation", "Examples", "At a glance", "Misconceptions", "Related"):
        assert heading in out
    assert "first: alpha-term" in out
    code, out = run("show", "betaterm", "--root", str(mini_glossary))
    assert code == 2 and "did you mean 'beta-term'" in out


def test_export_json_has_graph(mini_glossary: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "kb.json"
    code, _ = run("export", "--root", str(mini_glossary), "-o", str(out_file))
    assert code == 0
    data = json.loads(out_file.read_text())
    assert [t["slug"] for t in data["terms"]] == ["alpha-term", "beta-term", "delta-term", "gamma-term"]
    assert {
        "source": "beta-term",
        "target": "alpha-term",
        "relation": "prerequisite",
        "note": "A fixture relation.",
    } in data["edges"]
    assert data["learning_path"].index("alpha-term") < data["learning_path"].index("beta-term")


def test_missing_root_is_a_clear_usage_error(tmp_path: Path) -> None:
    code, out = run("check", "--root", str(tmp_path / "nope"))
    assert code == 2 and "not found" in out


def test_schema_json_is_fresh() -> None:
    code, out = run("schema", "--root", str(ROOT / "glossary"))
    assert code == 0, out


@pytest.mark.parametrize("script", ["glossary"])
def test_console_script_installed(script: str) -> None:
    exe = Path(sys.executable).parent / script
    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "Usage" in proc.stdout
