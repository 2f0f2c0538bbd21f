"""`engine build-demos` on another machine: the tracked manifests hold nothing machine-specific, and a demo
whose numbers are all the same is not rewritten (issue 12, fresh-clone friction)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("torch")

from aiglossary_engine.cli import cli
from aiglossary_engine.demos.common import write_demo
from click.testing import CliRunner

from .conftest import DEMOS

pytestmark = pytest.mark.engine

MACHINE_SPECIFIC = ("build_seconds", "parity_max_abs", "elapsed", "seconds", "hostname", "cpu")


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@pytest.mark.parametrize("demo_id", ["pretraining", "quantisation", "digits"])
def test_tracked_manifests_hold_nothing_machine_specific(demo_id: str) -> None:
    manifest = json.loads((DEMOS / demo_id / "manifest.json").read_text("utf-8"))
    found = {k for k in _keys(manifest) if any(word in k for word in MACHINE_SPECIFIC)}
    assert not found, f"machine-specific values in docs/demos/{demo_id}/manifest.json: {found}"
    # The command that rebuilds it: the committed budget, and the thread count when it was not 1 (it
    # changes the last bits of the weights), nothing else (no scratch paths, no progress flags).
    threads = manifest["torch_threads"]
    expected = f"engine build-demos {demo_id} --budget full" + (f" --threads {threads}" if threads != 1 else "")
    assert manifest["command"] == expected


def test_same_numbers_leave_the_demo_folder_untouched(tmp_path: Path) -> None:
    manifest = {"id": "digits", "metrics": {"accuracy": 0.9}}
    target, first = write_demo(tmp_path, "digits", {"m.onnx": b"weights A"}, manifest)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in target.iterdir()}
    # rebuilt elsewhere: the same numbers, weights that differ in their last bits
    _, second = write_demo(tmp_path, "digits", {"m.onnx": b"weights B"}, manifest)
    assert second["unchanged"] is True and second["files"] == first["files"]
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in target.iterdir()} == before
    _, third = write_demo(tmp_path, "digits", {"m.onnx": b"weights B"}, manifest, rewrite=True)
    assert "unchanged" not in third and (target / "m.onnx").read_bytes() == b"weights B"
    _, fourth = write_demo(tmp_path, "digits", {"m.onnx": b"weights C"}, {**manifest, "metrics": {"accuracy": 0.8}})
    assert "unchanged" not in fourth and (target / "m.onnx").read_bytes() == b"weights C"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digits"]


def test_the_recorded_command_is_the_same_however_it_was_typed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import aiglossary_engine.demos as demos

    seen: list[str] = []

    def fake_build(
        demo_id: str, out: Path, budget: str, ctx: Any, rewrite: bool = False
    ) -> tuple[Path, dict[str, Any]]:
        seen.append(ctx.command)
        return out / demo_id, {"files": {}, "build_seconds": 1.0, "unchanged": True, "metrics": {}, "seeds": [0]}

    monkeypatch.setattr(demos, "build_demo", fake_build)
    monkeypatch.setattr("aiglossary_engine.commands.build_demos._summary", lambda *a: "")
    for args in (["digits", "-q"], ["digits", "--work", str(tmp_path / "w")], ["digits", "--budget", "full"]):
        argv = ["build-demos", *args, "--out", str(tmp_path / "out")]
        monkeypatch.setattr(sys, "argv", ["engine", *argv])  # as typed in a shell
        result = CliRunner().invoke(cli, argv)
        assert result.exit_code == 0, result.output
    assert seen == ["engine build-demos digits --budget full"] * 3
