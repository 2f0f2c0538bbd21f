"""Real training on tiny configs: pre-training, fine-tuning, early stopping, digits, checkpoints."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from _engine_util import run_cli
from aiglossary_engine.checkpoint import load_checkpoint, write_checkpoint
from aiglossary_engine.model import GPT, GPTConfig
from aiglossary_engine.tokenizer import CharTokenizer, normalize

pytestmark = pytest.mark.engine


def test_model_config_errors_name_the_field() -> None:
    with pytest.raises(ValueError, match=r"model.n_head: must divide model.n_embd \(16\), got 3; try n_head: 2"):
        GPTConfig(n_embd=16, n_head=3)
    with pytest.raises(ValueError, match=r"model\.n_layer: must be a positive integer, got 0"):
        GPTConfig(n_layer=0)


def test_default_model_is_about_a_million_parameters() -> None:
    assert 0.7e6 < GPT(GPTConfig()).num_params() < 1.2e6


def test_cached_forward_matches_full_forward_and_long_inputs_are_cropped() -> None:
    torch.manual_seed(0)
    model = GPT(GPTConfig(n_layer=2, n_head=2, n_embd=16, block_size=16)).eval()
    ids = torch.randint(97, (2, 12))
    full, _ = model(ids)
    _, kv = model.forward_cached(ids[:, :7], model.empty_cache(2))
    tail, kv = model.forward_cached(ids[:, 7:], kv)
    assert kv.shape == (2, 2, 2, 2, 12, 8)
    torch.testing.assert_close(tail, full[:, 7:], atol=1e-5, rtol=0)
    long = torch.randint(97, (1, 40))
    torch.testing.assert_close(model(long)[0], model(long[:, -16:])[0])


def test_cached_attention_floor_changes_nothing_even_for_extreme_scores() -> None:
    """The cached path floors scores 80 nats below each row's maximum (onnxruntime's Softmax is slow on
    -inf and subnormals): it must still equal exact causal attention, even when scores span thousands."""
    from aiglossary_engine.model import _attention_with_offset

    torch.manual_seed(0)
    for scale in (1.0, 30.0, 300.0):
        q, k, v = (torch.randn(2, 3, 9, 8) * scale for _ in range(3))
        exact = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        assert torch.allclose(_attention_with_offset(q, k, v), exact, atol=1e-5, rtol=1e-5)
        # Queries that are the last 4 of 9 positions (a continuation with 5 cached tokens).
        mask = torch.ones(9, 9).tril().bool()[-4:]
        exact = torch.nn.functional.scaled_dot_product_attention(q[:, :, -4:], k, v, attn_mask=mask)
        assert torch.allclose(_attention_with_offset(q[:, :, -4:], k, v), exact, atol=1e-5, rtol=1e-5)


def test_tokenizer_round_trip_and_unknowns() -> None:
    tok = CharTokenizer.default()
    assert tok.vocab_size == 97
    assert tok.decode(tok.encode("def f(x):\n    return x")) == "def f(x):\n    return x"
    assert normalize("“quoted” — it’s café") == '"quoted" - it\'s cafe'
    assert tok.encode("日") == [0]
    assert CharTokenizer.from_json(tok.to_json()) == tok


def test_pretrain_learns_and_writes_a_complete_checkpoint(trained: Path) -> None:
    names = {p.name for p in trained.iterdir()}
    assert {
        "config.yaml",
        "checkpoint.json",
        "model.pt",
        "state.pt",
        "vocab.json",
        "heldout.txt",
        "metrics.jsonl",
    } <= names
    rows = [json.loads(line) for line in (trained / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == list(range(5, 61, 5))
    assert {"step", "train_loss", "val_loss", "tokens_per_s"} <= set(rows[0])
    assert rows[-1]["train_loss"] < rows[0]["train_loss"] - 0.5  # it learns
    evals = [r["val_loss"] for r in rows if r["val_loss"] is not None]
    assert len(evals) == 6 and evals[-1] < evals[0]
    ckpt = load_checkpoint(trained)
    assert ckpt.info["step"] == 60 and ckpt.info["finished"] is True
    assert ckpt.config["model"]["n_embd"] == 16 and ckpt.config["recipe"]["train"]["steps"] == 60
    state = ckpt.load_tensors("state.pt")  # weights_only loading works for the whole state
    assert state["step"] == 60 and "optimizer" in state


def test_out_folder_is_not_overwritten(trained: Path, make_recipe: Callable[..., Path]) -> None:
    result = run_cli("pretrain", make_recipe(), "--out", trained, "--quiet")
    assert result.exit_code == 1
    assert "already holds a checkpoint (step 60); pass --resume" in result.output
    result = run_cli("pretrain", make_recipe(), "--out", trained, "--quiet", "--resume")
    assert result.exit_code == 1 and "already finished at step 60" in result.output


def test_same_seed_same_weights_and_steps_override(tmp_path: Path, make_recipe: Callable[..., Path]) -> None:
    recipe = make_recipe()
    for name in ("a", "b"):
        assert run_cli("pretrain", recipe, "--out", tmp_path / name, "--steps", "12", "--quiet").exit_code == 0
    a, b = (load_checkpoint(tmp_path / n).load_tensors("model.pt") for n in "ab")
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert load_checkpoint(tmp_path / "a").info["step"] == 12
    assert (
        run_cli("pretrain", recipe, "--out", tmp_path / "c", "--steps", "12", "--seed", "8", "--quiet").exit_code == 0
    )
    c = load_checkpoint(tmp_path / "c").load_tensors("model.pt")
    assert not torch.equal(a["wte.weight"], c["wte.weight"])


def test_finetune_from_checkpoint_beats_scratch(
    trained: Path, tmp_path: Path, make_recipe: Callable[..., Path]
) -> None:
    recipe = make_recipe(train={"steps": 20, "lr": 3e-3, "eval_interval": 5})
    ft = run_cli("finetune", recipe, "--from", trained, "--out", tmp_path / "ft", "--quiet")
    sc = run_cli("finetune", recipe, "--from", trained, "--out", tmp_path / "sc", "--scratch", "--quiet")
    assert ft.exit_code == 0 and sc.exit_code == 0, ft.output + sc.output
    ft_ckpt, sc_ckpt = load_checkpoint(tmp_path / "ft"), load_checkpoint(tmp_path / "sc")
    assert ft_ckpt.config["init_from"] == str(trained) and sc_ckpt.config["scratch"] is True
    assert ft_ckpt.config["model"] == sc_ckpt.config["model"] == load_checkpoint(trained).config["model"]
    assert ft_ckpt.info["val_loss"] < sc_ckpt.info["val_loss"]


def test_early_stopping_keeps_the_best_weights(trained: Path, tmp_path: Path, make_recipe: Callable[..., Path]) -> None:
    # a huge learning rate makes validation loss worse after the first evaluations
    recipe = make_recipe(
        train={
            "steps": 200,
            "lr": 0.5,
            "min_lr": 0.5,
            "warmup_steps": 0,
            "eval_interval": 2,
            "early_stopping": 2,
            "grad_clip": 0.0,
        }
    )
    assert run_cli("finetune", recipe, "--from", trained, "--out", tmp_path / "es", "--quiet").exit_code == 0
    ckpt = load_checkpoint(tmp_path / "es")
    assert ckpt.info["step"] < 200  # stopped early
    best_step = ckpt.info["best_step"]
    assert ckpt.info["step"] == best_step + 2 * 2
    rows = ckpt.metrics()
    best = min(r["val_loss"] for r in rows if r["val_loss"] is not None)
    assert ckpt.info["best_val_loss"] == pytest.approx(best, abs=1e-6)


def test_atomic_write_recovers_an_interrupted_swap(tmp_path: Path) -> None:
    folder = tmp_path / "ckpt"
    write_checkpoint(folder, {"checkpoint.json": b'{"step": 1}'})
    write_checkpoint(folder, {"checkpoint.json": b'{"step": 2}'})
    assert json.loads((folder / "checkpoint.json").read_text())["step"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt"]
    folder.rename(tmp_path / ".ckpt.previous")  # killed between the two renames
    from aiglossary_engine.checkpoint import is_checkpoint

    assert is_checkpoint(folder)
    assert json.loads((folder / "checkpoint.json").read_text())["step"] == 2


def test_digits_supervised_and_self_supervised(tmp_path: Path) -> None:
    import yaml

    base = {
        "task": "digits",
        "model": {"width": 32, "n_embd": 16},
        "train": {
            "steps": 100,
            "batch_size": 32,
            "lr": 0.01,
            "eval_interval": 20,
            "ckpt_interval": 60,
            "warmup_steps": 5,
        },
    }
    (tmp_path / "sup.yaml").write_text(yaml.safe_dump(base))
    (tmp_path / "ssl.yaml").write_text(yaml.safe_dump({**base, "data": {"objective": "denoise"}}))
    (tmp_path / "few.yaml").write_text(
        yaml.safe_dump({"task": "digits", "data": {"labels_per_class": 2}, "train": {**base["train"], "steps": 20}})
    )
    assert run_cli("pretrain", tmp_path / "sup.yaml", "--out", tmp_path / "sup", "--quiet").exit_code == 0
    sup = load_checkpoint(tmp_path / "sup").metrics()[-1]
    assert sup["val_accuracy"] > 0.8 and "images_per_s" in sup
    assert run_cli("pretrain", tmp_path / "ssl.yaml", "--out", tmp_path / "ssl", "--quiet").exit_code == 0
    assert "val_accuracy" not in load_checkpoint(tmp_path / "ssl").metrics()[-1]
    result = run_cli(
        "finetune", tmp_path / "few.yaml", "--from", tmp_path / "ssl", "--out", tmp_path / "few", "--quiet"
    )
    assert result.exit_code == 0, result.output
    assert load_checkpoint(tmp_path / "few").metrics()[-1]["val_accuracy"] > 0.2
    wrong = run_cli(
        "finetune", tmp_path / "few.yaml", "--from", tmp_path / "missing", "--quiet", "--out", tmp_path / "x"
    )
    assert wrong.exit_code == 1 and "no such checkpoint folder" in wrong.output


def test_corpora_ship_with_the_package_and_the_glossary_is_read_through_the_core() -> None:
    from importlib import resources

    from aiglossary_engine.data import glossary_texts, stdlib_text

    text = stdlib_text()
    assert 1_500_000 < len(text) < 2_500_000 and text.startswith("# Python 3.")
    notice = resources.files("aiglossary_engine").joinpath("data", "NOTICE").read_text(encoding="utf-8")
    assert "PYTHON SOFTWARE FOUNDATION LICENSE" in notice
    mini = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
    train, val = glossary_texts(mini, 0.25)
    assert "Gamma term" in val and "Gamma term" not in train.split("\n")[0]  # whole entries held out
    assert train and val


def test_finetune_on_the_glossary_corpus(trained: Path, tmp_path: Path, make_recipe: Callable[..., Path]) -> None:
    mini = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
    recipe = make_recipe(
        data={"corpus": "glossary", "path": str(mini), "val_fraction": 0.25}, train={"steps": 10, "eval_interval": 5}
    )
    result = run_cli("finetune", recipe, "--from", trained, "--out", tmp_path / "g", "--quiet")
    assert result.exit_code == 0, result.output
    assert "Gamma term" in (tmp_path / "g" / "heldout.txt").read_text()
