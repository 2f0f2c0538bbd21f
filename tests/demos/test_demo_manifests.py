"""Hostile and broken demo manifests: one clean error (site build and `engine demo` share the loader).

Issue 12, security 3: a manifest may name only plain files inside its demo folder, and every model it
uses must be listed in ``files`` with its sha256. Hangs 6: deep nesting. Tracebacks: broken shapes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _browser import build_site
from aiglossary.sitegen.demos import DemoError, DemoRenderer, load_demo, load_demos

from .conftest import DEMOS


def _copy(tmp_path: Path, demo: str = "digits") -> Path:
    folder = tmp_path / "demos" / demo
    shutil.copytree(DEMOS / demo, folder)
    return folder


def _edit(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text("utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), "utf-8")


def _hashed(folder: Path, name: str) -> dict[str, Any]:
    from aiglossary.fsutil import file_sha256

    return {"sha256": file_sha256(folder / name), "bytes": (folder / name).stat().st_size}


def _outside_file(folder: Path) -> dict[str, Any]:
    secret = folder.parent.parent / "secret.onnx"
    secret.write_bytes(b"outside")
    return {"sha256": _hashed(secret.parent, secret.name)["sha256"], "bytes": 7}


def _unlisted_model(m: dict[str, Any]) -> None:
    del m["files"]["scratch-k5.onnx"]


def _traversal(m: dict[str, Any], folder: Path) -> None:
    m["files"]["../../secret.onnx"] = _outside_file(folder)
    m["models"]["scratch"]["file"] = "../../secret.onnx"


def _absolute(m: dict[str, Any], folder: Path) -> None:
    m["files"][str(folder.parent.parent / "secret.onnx")] = _outside_file(folder)


CASES: list[tuple[str, Callable[[dict[str, Any], Path], None], str]] = [
    ("traversal", _traversal, 'files: "../../secret.onnx" is not a plain file name in the demo folder'),
    ("absolute", _absolute, "is not a plain file name in the demo folder"),
    ("unlisted model", lambda m, f: _unlisted_model(m), 'models.scratch.file: "scratch-k5.onnx" is not listed'),
    ("files as a string", lambda m, f: m.update(files="scratch-k5.onnx"), "files: must be an object"),
    ("metrics missing", lambda m, f: m.pop("metrics"), "\n  metrics: missing"),
    ("metrics wrong type", lambda m, f: m.update(metrics=[1, 2]), "metrics: must be an object"),
    ("empty curve", lambda m, f: m["curves"].update(scratch=[]), "curves.scratch: must be a non-empty list"),
    ("bad sha", lambda m, f: m["files"]["scratch-k5.onnx"].update(sha256=5), "must be an object with a 'sha256'"),
    ("no models", lambda m, f: m.pop("models"), "models: must be an object"),
]


@pytest.mark.parametrize(("name", "change", "message"), CASES, ids=[c[0] for c in CASES])
def test_broken_manifest_is_one_clean_error(
    tmp_path: Path, name: str, change: Callable[[dict[str, Any], Path], None], message: str
) -> None:
    folder = _copy(tmp_path)
    _edit(folder, lambda m: change(m, folder))
    with pytest.raises(DemoError) as err:
        load_demo(folder)
    assert message in str(err.value)
    assert "run `engine build-demos digits`" in str(err.value)


def test_infinite_values_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "manifest.json"
    text = path.read_text("utf-8")
    path.write_text(text.replace('"gain": ', '"gain": Infinity, "x": ', 1), "utf-8")
    with pytest.raises(DemoError, match="Infinity is not a number a manifest may hold"):
        load_demo(folder)
    _edit(folder, lambda m: m["metrics"]["per_k"]["1"].update(gain=1e999))  # json.dumps writes Infinity
    with pytest.raises(DemoError, match="Infinity"):
        load_demo(folder)


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deep_nesting_is_one_clean_error(tmp_path: Path, depth: int) -> None:
    folder = _copy(tmp_path)
    (folder / "manifest.json").write_text('{"files": ' + "[" * depth + "]" * depth + "}", "utf-8")
    with pytest.raises(DemoError, match="nested"):
        load_demo(folder)


def test_unreadable_and_non_plain_files(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    model = folder / "scratch-k5.onnx"
    model.unlink()
    model.mkdir()  # a folder where a model should be: cannot be read as a file
    with pytest.raises(DemoError, match=r"scratch-k5\.onnx: listed in manifest\.json but not a plain file"):
        load_demo(folder)
    model.rmdir()
    model.symlink_to(DEMOS / "digits" / "scratch-k5.onnx")  # same bytes, but a link may point anywhere
    with pytest.raises(DemoError, match="not a plain file"):
        load_demo(folder)
    (folder / "manifest.json").unlink()
    (folder / "manifest.json").mkdir()
    with pytest.raises(DemoError, match="cannot read the demo manifest"):
        load_demo(folder)


def test_committed_manifests_pass_and_name_only_their_files() -> None:
    demos = load_demos(DEMOS.parent)
    assert set(demos) == {"pretraining", "quantisation", "digits"}
    for demo in demos.values():
        used = {m["file"] for m in demo.manifest["models"].values()}
        assert used <= set(demo.manifest["files"])
        assert set(demo.manifest["files"]) == {p.name for p in demo.folder.iterdir()} - {"manifest.json"}


def test_a_demo_without_a_template_is_refused(tmp_path: Path) -> None:
    _copy(tmp_path, "digits").rename(tmp_path / "demos" / "evil")
    with pytest.raises(DemoError, match=r"no template demo_evil\.html"):
        DemoRenderer(load_demos(tmp_path))


@pytest.mark.engine
@pytest.mark.parametrize(("name", "change", "message"), CASES[:4], ids=[c[0] for c in CASES[:4]])
def test_engine_demo_refuses_the_same_manifests(
    tmp_path: Path, name: str, change: Callable[[dict[str, Any], Path], None], message: str
) -> None:
    pytest.importorskip("onnxruntime")
    from aiglossary_engine.cli import cli
    from click.testing import CliRunner

    folder = _copy(tmp_path)
    _edit(folder, lambda m: change(m, folder))
    image = tmp_path / "blank.txt"
    image.write_text(" ".join(["8"] * 64), "utf-8")
    result = CliRunner().invoke(cli, ["demo", "digits", str(image), "--demos", str(folder.parent)])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output


def _site(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "docs" / "demos").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n", "utf-8")
    repo = Path(__file__).resolve().parents[2]
    shutil.copytree(repo / "glossary", root / "glossary")
    (root / "node_modules").symlink_to(repo / "node_modules")
    (root / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\n  font: false\nplugins:\n  - glossary\n", "utf-8"
    )
    return root


def test_site_build_refuses_a_folder_without_template_and_warns_on_a_ghost_demo(tmp_path: Path) -> None:
    root = _site(tmp_path)
    shutil.copytree(DEMOS / "digits", root / "docs" / "demos" / "evil")
    proc = build_site(root / "mkdocs.yml", root / "site", "http://127.0.0.1/")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "no template demo_evil.html" in out and "Traceback" not in out
    shutil.rmtree(root / "docs" / "demos" / "evil")
    entry = root / "glossary" / "quantisation.yaml"
    entry.write_text(entry.read_text("utf-8").replace("demo: quantisation", "demo: ghost"), "utf-8")
    assert "demo: ghost" in entry.read_text("utf-8")
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "-d", str(root / "strict")],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out  # the warning fails --strict
    assert "demo 'ghost' has no built artifacts" in out and "Traceback" not in out
    assert "WARNING -  glossary: glossary/fine-tuning/" not in out  # a demo the engine builds, not built here
