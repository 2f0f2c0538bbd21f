"""Recipes: every shipped recipe loads; bad ones are reported with file:line:col, all at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _engine_util import run_engine
from aiglossary_engine.errors import EngineError
from aiglossary_engine.recipes import DigitsRecipe, LMRecipe, load_recipe, resolve_recipe_path, shipped_recipes

pytestmark = pytest.mark.engine


def test_recipes_are_shipped() -> None:
    names = {p.stem for p in shipped_recipes()}
    assert {"tiny-lm", "glossary-finetune", "digits", "digits-denoise", "digits-few-labels"} <= names


@pytest.mark.parametrize("path", shipped_recipes(), ids=lambda p: p.stem)
def test_every_shipped_recipe_loads(path: Path) -> None:
    recipe = load_recipe(path)
    assert isinstance(recipe, LMRecipe | DigitsRecipe)
    assert recipe.description


def test_tiny_lm_is_the_issue_model() -> None:
    recipe = load_recipe(resolve_recipe_path("tiny-lm"))
    assert isinstance(recipe, LMRecipe) and recipe.model is not None
    assert (recipe.model.n_layer, recipe.model.n_embd, recipe.model.n_head, recipe.model.block_size) == (4, 128, 4, 128)


def test_all_problems_reported_with_positions(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "task: lm\n"
        "model:\n"
        "  n_layer: 2\n"
        "  n_head: 3\n"
        "  n_embd: 16\n"
        "  colour: blue\n"
        "train:\n"
        "  steps: -5\n"
        "  lr: 0.001\n"
        "  min_lr: 0.01\n",
        encoding="utf-8",
    )
    with pytest.raises(EngineError) as info:
        load_recipe(path)
    text = info.value.message
    assert f"{path}:6:11 model.colour: Extra inputs are not permitted" in text
    assert f"{path}:8:10 train.steps: Input should be greater than or equal to 1" in text


def test_cross_field_checks_point_at_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("task: lm\nmodel:\n  n_head: 3\n  n_embd: 16\ntrain:\n  lr: 0.001\n  min_lr: 0.01\n")
    with pytest.raises(EngineError) as info:
        load_recipe(path)
    assert f"{path}:3:11 model.n_head: must divide n_embd (16), got 3" in info.value.message
    assert f"{path}:7:11 train.min_lr: must not exceed lr (0.001), got 0.01" in info.value.message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("task: vision\n", ":1:7 task: must be 'lm' or 'digits'"),
        ("- just\n- a list\n", ":1:1: a recipe is a mapping"),
        ("task: lm\nmodel: [\n", "not valid YAML"),
        ("task: lm\ndata:\n  corpus: text\n", "data.path: corpus 'text' needs a path"),
        ("task: digits\ndata:\n  objective: guess\n", "data.objective: Input should be 'classify' or 'denoise'"),
    ],
)
def test_bad_recipes(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EngineError, match=None) as info:
        load_recipe(path)
    assert expected in info.value.message


def test_unknown_recipe_name_lists_shipped() -> None:
    with pytest.raises(EngineError) as info:
        resolve_recipe_path("tiny-llm")
    assert "tiny-lm" in info.value.message


def test_bad_recipe_on_the_command_line_has_no_traceback(make_recipe: Callable[..., Path]) -> None:
    path = make_recipe(model={"n_head": 5})
    proc = run_engine("pretrain", path, "--out", path.parent / "out", "--quiet")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "model.n_head: must divide n_embd (16), got 5" in proc.stderr
