"""ONNX export: format, metadata, parity, int8 acceptance, cached generation, classification."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from _engine_util import run_cli
from aiglossary_engine import export as export_module
from aiglossary_engine.checkpoint import load_checkpoint
from aiglossary_engine.errors import EngineError
from aiglossary_engine.export import build_model, export_checkpoint
from aiglossary_engine.runtime import LMRunner, generate, load_model

pytestmark = pytest.mark.engine


def test_onnx_format_and_metadata(exported: dict[str, Any], trained: Path) -> None:
    import onnx

    for key in ("fp32", "int8"):
        proto = onnx.load(str(exported[key]))
        onnx.checker.check_model(proto, full_check=True)
        assert proto.ir_version <= 10
        assert {op.domain: op.version for op in proto.opset_import}[""] in range(18, 22)
        dims = {
            v.name: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
            for v in [*proto.graph.input, *proto.graph.output]
        }
        assert dims["input_ids"] == ["batch", "seq"]
        assert dims["past_kv"] == [2, 2, "batch", 2, "past", 8]
        assert dims["logits"] == ["batch", "seq", 97]
        assert dims["present_kv"] == [2, 2, "batch", 2, "present_seq", 8]
        meta = {p.key: p.value for p in proto.metadata_props}
        assert meta["producer"] == "aiglossary-engine" and meta["task"] == "lm"
        assert meta["precision"] == key
        assert json.loads(meta["config"])["block_size"] == 16
        assert len(json.loads(meta["vocab"])["chars"]) == 97
        from aiglossary_engine.checkpoint import file_sha256

        assert meta["source_sha256"] == file_sha256(trained / "model.pt")
        assert float(meta["parity_max_abs"]) <= 1e-4
        assert meta["parity_shapes"] == "1x1,3x16,1x16,2x6+7 cached"  # 3x17 is capped by the context


def test_export_is_reproducible_and_names_no_local_paths(exported: dict[str, Any], trained: Path) -> None:
    """Node annotations (stack traces with absolute paths) are dropped: the same checkpoint gives the
    same bytes from any checkout, which is what the demo manifests' sha256 rely on."""
    import onnx

    for key in ("fp32", "int8"):
        raw = exported[key].read_bytes()
        source_dir = str(Path(export_module.__file__).resolve().parent).encode()
        assert b"stack_trace" not in raw and source_dir not in raw
        proto = onnx.load(str(exported[key]))
        assert not any(node.metadata_props for node in proto.graph.node)
    again = trained.parent / "again.onnx"
    assert run_cli("export", trained, "--out", again, "--quiet").exit_code == 0
    assert again.read_bytes() == exported["fp32"].read_bytes()


def test_parity_against_pytorch_on_several_shapes(exported: dict[str, Any], trained: Path) -> None:
    model, _ = build_model(load_checkpoint(trained))
    runner = LMRunner(load_model(exported["fp32"]))
    gen = torch.Generator().manual_seed(1)
    for length in (1, 5, 16, 40):  # 40 > context: cropped to the last 16 tokens
        ids = torch.randint(97, (1, length), generator=gen)
        ref = model(ids)[0][0].detach().numpy()
        got = runner.logits(ids[0].tolist())
        assert got.shape == ref.shape == (min(length, 16), 97)
        np.testing.assert_allclose(got, ref, atol=1e-4, rtol=0)


def test_int8_is_accepted_with_figures(exported: dict[str, Any]) -> None:
    out = exported["int8_output"]
    assert "int8" in out and "accepted" in out and "arg-max agreement" in out
    assert exported["int8"].stat().st_size < exported["fp32"].stat().st_size


def test_int8_rejected_when_loss_grows(trained: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_module, "INT8_MAX_LOSS_DELTA", -1.0)
    with pytest.raises(EngineError, match=r"int8 rejected: held-out loss .* export without --int8"):
        export_checkpoint(trained, tmp_path / "m.onnx", int8=True)
    assert not (tmp_path / "m.onnx").exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # temporary files are gone


def test_export_option_errors(trained: Path, tmp_path: Path) -> None:
    result = run_cli("export", trained, "--out", tmp_path / "m.onnx", "--opset", "17")
    assert result.exit_code == 1 and "Invalid value for '--opset': must be 18 to 21, got 17" in result.output
    result = run_cli("export", trained, "--out", tmp_path / "m.bin")
    assert result.exit_code == 1 and "must end in .onnx" in result.output


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_greedy_generation_matches_pytorch_and_long_prompts_are_cropped(
    exported: dict[str, Any], trained: Path, precision: str
) -> None:
    lm = load_model(exported[precision])
    assert lm.tokenizer is not None
    prompt = "Return the value of the attribute named by the string"  # longer than the context (16)
    text = generate(lm, prompt, max_chars=40, greedy=True)
    assert text == generate(lm, prompt[-16:], max_chars=40, greedy=True)
    if precision == "fp32":
        model, tok = build_model(load_checkpoint(trained))
        assert isinstance(model, torch.nn.Module) and tok is not None
        ids = torch.tensor([tok.encode(prompt)])
        ref = model.generate(ids, 40, greedy=True)[0, ids.size(1) :].tolist()  # type: ignore[operator]
        assert text == tok.decode(ref)


def test_cached_and_uncached_greedy_text_are_identical(exported: dict[str, Any]) -> None:
    lm = load_model(exported["fp32"])
    for prompt in ("", "The ", "import os\n", "x" * 30):
        cached = generate(lm, prompt, max_chars=60, greedy=True, use_cache=True)
        assert cached == generate(lm, prompt, max_chars=60, greedy=True, use_cache=False)
        assert len(cached) == 60


def test_sampling_is_seeded(exported: dict[str, Any]) -> None:
    lm = load_model(exported["int8"])
    a = generate(lm, "The ", max_chars=30, temperature=1.0, seed=3)
    assert a == generate(lm, "The ", max_chars=30, temperature=1.0, seed=3)
    assert a != generate(lm, "The ", max_chars=30, temperature=1.0, seed=4)


def test_generate_cli(exported: dict[str, Any]) -> None:
    result = run_cli("generate", exported["int8"], "--prompt", "The ", "--max-chars", "25", "--greedy")
    assert result.exit_code == 0
    assert result.output.startswith("The ") and len(result.output.rstrip("\n")) >= 4
    uncached = run_cli("generate", exported["int8"], "--prompt", "The ", "--max-chars", "25", "--greedy")
    assert uncached.output == result.output


def test_digits_export_and_classify(tmp_path: Path) -> None:
    import struct
    import zlib

    import yaml
    from sklearn.datasets import load_digits

    (tmp_path / "d.yaml").write_text(
        yaml.safe_dump(
            {
                "task": "digits",
                "model": {"width": 32, "n_embd": 16},
                "train": {"steps": 150, "batch_size": 64, "lr": 0.01, "eval_interval": 50, "ckpt_interval": 150},
            }
        )
    )
    assert run_cli("pretrain", tmp_path / "d.yaml", "--out", tmp_path / "d", "--quiet").exit_code == 0
    result = run_cli("export", tmp_path / "d", "--out", tmp_path / "d.onnx", "--int8")
    assert result.exit_code == 0, result.output
    assert "1x64, 3x64, 17x64" in result.output and "accepted" in result.output
    digits = load_digits()
    images = []
    for i in range(10):  # one image per digit, in three formats
        img = digits.images[i]
        txt = tmp_path / f"{i}.txt"
        txt.write_text(" ".join(str(int(v)) for v in img.reshape(-1)))
        grey = (255 - np.kron(img, np.ones((3, 3))) * 255 / 16).astype(np.uint8)  # 24x24, dark ink
        raw = b"".join(b"\x00" + row.tobytes() for row in grey)

        def chunk(kind: bytes, body: bytes) -> bytes:
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

        png = tmp_path / f"{i}.png"
        png.write_bytes(
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", 24, 24, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b"")
        )
        images += [txt, png]
    result = run_cli("classify", tmp_path / "d.onnx", *images)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 20
    predicted = [int(line.split(": ")[1].split()[0]) for line in lines]
    assert sum(p == i // 2 for i, p in enumerate(predicted)) >= 16
    assert predicted[0::2] == predicted[1::2]  # the PNG reads like the raw digit
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    result = run_cli("classify", tmp_path / "d.onnx", bad)
    assert result.exit_code == 1 and "cannot read image" in result.output


def test_export_leaves_logging_and_warnings_as_it_found_them(trained: Path, tmp_path: Path) -> None:
    """Export runs inside other programs (a MkDocs build, a test run): it must not mute their warnings."""
    import logging
    import warnings

    root_level = logging.getLogger().level
    filters = list(warnings.filters)
    result = run_cli("export", trained, "--out", tmp_path / "side.onnx", "--int8", "--quiet")
    assert result.exit_code == 0, result.output
    assert logging.getLogger().level == root_level
    assert logging.getLogger("mkdocs").getEffectiveLevel() <= logging.WARNING
    assert logging.getLogger("torch.onnx").level == logging.NOTSET
    assert list(warnings.filters) == filters
