"""The cheap commands that README.md and docs/ show, run exactly as written.

One table row per command: the file that shows it, the command line as it appears there (each row is
checked to still be in that file), the commands it needs first, and what it must do. Each row runs
with ``bash`` in a fresh copy of the project's glossary, from the copy's root, with the virtual
environment's ``bin`` on PATH (what ``make`` installs; the docs call ``glossary`` both ways).
Engine commands can be added to the same table.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Command:
    doc: str  # where it is shown, relative to the repository root
    line: str  # the command as written there (without its trailing comment)
    exit: int = 0
    expect: str = ""  # a fragment of what it prints
    before: tuple[str, ...] = ()  # commands run first (each must succeed)

    @property
    def id(self) -> str:
        return f"{self.doc}: {self.line}"


NEW_GC = '.venv/bin/glossary new "Label smoothing"'
NEW_MOE = 'glossary new "Mixture of depths"'

COMMANDS = [
    # README.md, "Adding a term"
    Command("README.md", NEW_GC, expect="Wrote glossary/label-smoothing.yaml"),
    # A fresh scaffold is unfinished: --strict lists its TODOs and fails, as the how-to says.
    Command(
        "README.md", ".venv/bin/glossary check --strict", exit=1, expect="still holds scaffold text", before=(NEW_GC,)
    ),
    Command("README.md", ".venv/bin/glossary show label-smoothing", expect="Label smoothing", before=(NEW_GC,)),
    Command("README.md", "glossary list", expect="pre-training"),
    Command("README.md", "glossary export --format json", expect='"learning_path"'),
    Command("README.md", "glossary schema", expect="is up to date"),
    # docs/how-to-add-a-term.md
    Command("docs/how-to-add-a-term.md", NEW_MOE, expect="then run: glossary check mixture-of-depths"),
    Command("docs/how-to-add-a-term.md", "glossary check", exit=1, expect="TODO", before=(NEW_MOE,)),
    Command("docs/how-to-add-a-term.md", "glossary check --strict", expect="OK: "),
    Command(
        "docs/how-to-add-a-term.md",
        "glossary check mixture-of-depths",
        exit=1,
        expect="glossary/mixture-of-depths.yaml",
        before=(NEW_MOE,),
    ),
    # The scaffold's own advice (templates/scaffold.yaml.j2, shown in every new file).
    Command(
        "plugin/aiglossary/templates/scaffold.yaml.j2",
        "glossary check {{ slug }}",
        exit=1,
        expect="glossary/label-smoothing.yaml",
        before=(NEW_GC,),
    ),
]


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "glossary", project / "glossary")
    (project / ".venv").mkdir()
    (project / ".venv" / "bin").symlink_to(BIN)
    return project


def _run(line: str, project: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", NO_MKDOCS_2_WARNING="1")
    env.pop("GLOSSARY_ROOT", None)
    return subprocess.run(
        ["bash", "-c", line], cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("cmd", COMMANDS, ids=[c.id for c in COMMANDS])
def test_command_runs_as_written(cmd: Command, tmp_path: Path) -> None:
    assert cmd.line in (ROOT / cmd.doc).read_text("utf-8"), f"{cmd.doc} no longer shows `{cmd.line}`"
    project = _project(tmp_path)
    for first in cmd.before:
        done = _run(first, project)
        assert done.returncode == 0, f"{first}:\n{done.stdout}{done.stderr}"
    line = cmd.line.replace("{{ slug }}", "label-smoothing")  # the scaffold's template variable
    proc = _run(line, project)
    out = proc.stdout + proc.stderr
    assert proc.returncode == cmd.exit, f"`{line}` exited {proc.returncode}:\n{out}"
    assert "Traceback" not in out
    assert cmd.expect in out, f"`{line}` printed:\n{out}"


def test_example_terms_are_not_in_the_glossary() -> None:
    """A reader runs `glossary new` on the example term: it must not exist yet, or the first step fails."""
    for cmd in COMMANDS:
        if " new " in f" {cmd.line} ":
            term = cmd.line.split(" new ", 1)[1].strip().strip('"')
            slug = "-".join(term.lower().split())
            assert not (ROOT / "glossary" / f"{slug}.yaml").exists(), (
                f"{cmd.doc}: the example `{cmd.line}` names a term the glossary now has; pick another"
            )


def test_make_build_check_leaves_no_site_folder(tmp_path: Path) -> None:
    """`make test` ends with a strict build into a temporary folder; it used to stay (22 MB a run)."""
    fake = tmp_path / "bin"
    fake.mkdir()
    record = tmp_path / "site-dirs"
    # A stand-in mkdocs: records the --site-dir it was given, fills it, and fails on the second call.
    (fake / "mkdocs").write_text(
        "#!/bin/sh\n"
        'while [ $# -gt 0 ]; do [ "$1" = --site-dir ] && dir=$2; shift; done\n'
        f'echo "$dir" >> {record}\n'
        'echo page > "$dir/index.html"\n'
        f"[ $(wc -l < {record}) -lt 2 ]\n"
    )
    (fake / "mkdocs").chmod(0o755)
    for expected in (0, 2):  # a passing build, then a failing one: both clean up
        proc = subprocess.run(
            ["make", "--no-print-directory", "-C", str(ROOT), "build-check", f"BIN={fake}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == expected, proc.stdout + proc.stderr
    dirs = record.read_text().split()
    assert len(dirs) == 2
    assert not [d for d in dirs if Path(d).exists()], dirs
