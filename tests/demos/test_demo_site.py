"""Site side of the demos: checked artifacts, claim and chart from the manifest, a failing build on a
changed file (naming it). No torch needed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from _browser import build_site
from aiglossary.sitegen.demos import DemoError, digits_claim, load_demos, pretraining_claim

from .conftest import DEMOS


def _project(tmp_path: Path, demo: str) -> Path:
    root = tmp_path / "project"
    (root / "docs" / "demos").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n", "utf-8")
    shutil.copytree(DEMOS / demo, root / "docs" / "demos" / demo)
    repo = Path(__file__).resolve().parents[2]
    shutil.copytree(repo / "glossary", root / "glossary")
    (root / "node_modules").symlink_to(repo / "node_modules")  # onnxruntime-web, installed by `npm ci`
    (root / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\n  font: false\nplugins:\n  - glossary\n", "utf-8"
    )
    return root


def test_manifest_mismatch_fails_the_build_naming_the_file(tmp_path: Path) -> None:
    root = _project(tmp_path, "digits")
    model = next((root / "docs" / "demos" / "digits").glob("*.onnx"))
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    proc = build_site(root / "mkdocs.yml", root / "site", "http://127.0.0.1/")
    assert proc.returncode != 0
    assert f"docs/demos/digits/{model.name}: sha256 does not match manifest.json" in proc.stdout + proc.stderr


def test_intact_demo_builds_and_renders(tmp_path: Path) -> None:
    root = _project(tmp_path, "digits")
    proc = build_site(root / "mkdocs.yml", root / "site", "http://127.0.0.1/")
    assert proc.returncode == 0, proc.stderr
    html = (root / "site" / "glossary" / "self-supervised-learning" / "index.html").read_text("utf-8")
    manifest = json.loads((DEMOS / "digits" / "manifest.json").read_text("utf-8"))
    assert '<div class="glossary-demo" data-demo="digits"></div>' in html
    assert html.index("glossary-demo-claim") < html.index('data-demo="digits"></div>')
    assert '<svg class="glossary-chart"' in html and "<polyline" in html
    claim = re.search(r'<p class="glossary-demo-claim">(.*?)</p>', html, re.S)
    assert claim is not None
    assert digits_claim(manifest["metrics"], len(manifest["seeds"])).split(",")[0] in claim.group(1)
    assert len(re.findall(r"<tr><td>\d+</td>", html)) == len(manifest["ks"])
    ort = root / "site" / "assets" / "glossary" / "ort"
    assert sorted(p.name for p in ort.iterdir()) == sorted(
        ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"]
    )
    assert (root / "site" / "demos" / "digits" / "manifest.json").is_file()


def test_load_demos_names_a_missing_file(tmp_path: Path) -> None:
    shutil.copytree(DEMOS / "digits", tmp_path / "demos" / "digits")
    victim = next((tmp_path / "demos" / "digits").glob("*.onnx"))
    victim.unlink()
    with pytest.raises(DemoError, match=rf"{victim.name}: listed in manifest.json but missing"):
        load_demos(tmp_path)


@pytest.mark.parametrize(
    ("ft", "sc", "every", "expect"),
    [
        (2.0, 2.4, True, "lowered the loss by 0.40 nats per character, in every seed"),
        (2.0, 2.1, False, "on average, though not in every seed"),
        (2.5, 2.4, False, "did not help"),
    ],
)
def test_pretraining_claim_follows_the_numbers(ft: float, sc: float, every: bool, expect: str) -> None:
    m = {
        "finetuned": {"mean": ft, "std": 0.01},
        "scratch": {"mean": sc, "std": 0.02},
        "pretrained_only": 2.9,
        "finetuned_below_scratch_every_seed": every,
    }
    text = pretraining_claim(m, 3)
    assert expect in text and f"{ft:.3f} ± 0.010" in text and "3 seeds" in text


def test_line_chart_is_plain_svg_with_clipped_lines() -> None:
    from aiglossary.sitegen.demos import Series, line_chart

    svg = str(
        line_chart(
            [Series("a <b>", "glossary-chart-a", [[(0, 5.0), (10, 2.0), (20, 1.5)]])],
            title="t & u",
            x_label="step",
            y_label="loss",
            y_range=(1.0, 3.0),
        )
    )
    assert svg.startswith('<svg class="glossary-chart"') and svg.endswith("</svg>")
    assert "<script" not in svg and "a &lt;b&gt;" in svg and "t &amp; u" in svg
    assert 'clip-path="url(#glossary-chart-clip-' in svg  # the 5.0 above the range is clipped, not drawn off-chart
    assert svg.count("<polyline") == 1
