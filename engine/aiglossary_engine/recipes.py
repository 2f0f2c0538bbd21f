"""Recipes: YAML files in ``engine/recipes/`` that say what to train, on what, for how long.

They are validated by pydantic; every problem is reported at once, each with the ``file:line:col`` of
the offending YAML node, like the glossary's own checks::

    engine/recipes/tiny-lm.yaml:7:12 model.n_head: must divide model.n_embd (128), got 5
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from aiglossary_engine import MAX_BATCH_SIZE, MAX_EVAL_BATCHES, MAX_SEED, MAX_STEPS
from aiglossary_engine.errors import EngineError

RECIPES_DIR = Path(__file__).resolve().parents[1] / "recipes"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LMModelSpec(_Strict):
    """Shape of the GPT (see ``model.GPTConfig``); the vocabulary size comes from the tokenizer."""

    n_layer: int = Field(4, ge=1, le=64)
    n_head: int = Field(4, ge=1, le=64)
    n_embd: int = Field(128, ge=1, le=4096)
    block_size: int = Field(128, ge=2, le=4096)
    dropout: float = Field(0.0, ge=0.0, lt=1.0)
    bias: bool = True

    @model_validator(mode="after")
    def _heads_divide_width(self) -> LMModelSpec:
        if self.n_embd % self.n_head:
            raise ValueError(f"n_head: must divide n_embd ({self.n_embd}), got {self.n_head}")
        return self


class DigitsModelSpec(_Strict):
    """Shape of the digits MLP (see ``digits.DigitsConfig``)."""

    width: int = Field(128, ge=1, le=4096)
    n_embd: int = Field(64, ge=1, le=4096)
    dropout: float = Field(0.0, ge=0.0, lt=1.0)


class TextData(_Strict):
    corpus: Literal["stdlib", "docstrings", "glossary", "text"] = "stdlib"
    """stdlib: the shipped docstring corpus; docstrings: it and scikit-learn's docstrings; glossary: this glossary's entries; text: a UTF-8 file."""
    path: str | None = None
    """For ``text``: the file; for ``glossary``: the glossary folder (default ``glossary``).
    Relative paths are resolved against the current directory."""
    val_fraction: float = Field(0.1, gt=0.0, lt=1.0)
    """Share held out for validation (the last part of the text; whole entries for the glossary)."""

    @model_validator(mode="after")
    def _path_for_text(self) -> TextData:
        if self.corpus == "text" and not self.path:
            raise ValueError("path: corpus 'text' needs a path: the UTF-8 file to train on")
        return self


class DigitsData(_Strict):
    objective: Literal["classify", "denoise"] = "classify"
    """classify: supervised labels; denoise: self-supervised, reconstruct clean images from noisy ones."""
    labels_per_class: int | None = Field(None, ge=1)
    """Use only this many labelled training images per class (None: all of them)."""
    noise: float = Field(0.3, ge=0.0, le=1.0)
    """For denoise: share of pixels zeroed in the input."""
    test_fraction: float = Field(0.25, gt=0.0, lt=1.0)
    """Share of load_digits held out (the same split for every recipe and seed)."""


class TrainSpec(_Strict):
    steps: int = Field(2000, ge=1, le=MAX_STEPS)
    batch_size: int = Field(32, ge=1, le=MAX_BATCH_SIZE)
    """Global batch: split across processes under torchrun."""
    lr: float = Field(3e-3, gt=0.0)
    min_lr: float = Field(3e-4, ge=0.0)
    warmup_steps: int = Field(100, ge=0)
    weight_decay: float = Field(0.1, ge=0.0)
    grad_clip: float = Field(1.0, ge=0.0)
    """Clip the global gradient norm to this value (0 disables)."""
    eval_interval: int = Field(200, ge=1)
    eval_batches: int = Field(8, ge=1, le=MAX_EVAL_BATCHES)
    ckpt_interval: int = Field(500, ge=1)
    log_interval: int = Field(10, ge=1)
    seed: int = Field(1337, ge=0, le=MAX_SEED)
    early_stopping: int = Field(0, ge=0)
    """Stop after this many evaluations without a better validation loss and keep the best weights
    (0: off)."""

    @model_validator(mode="after")
    def _lr_order(self) -> TrainSpec:
        if self.min_lr > self.lr:
            raise ValueError(f"min_lr: must not exceed lr ({self.lr}), got {self.min_lr}")
        return self


class LMRecipe(_Strict):
    task: Literal["lm"]
    description: str = ""
    model: LMModelSpec | None = None
    data: TextData = TextData()
    train: TrainSpec = TrainSpec()


class DigitsRecipe(_Strict):
    task: Literal["digits"]
    description: str = ""
    model: DigitsModelSpec | None = None
    data: DigitsData = DigitsData()
    train: TrainSpec = TrainSpec()


Recipe = LMRecipe | DigitsRecipe
_ADAPTER: TypeAdapter[Recipe] = TypeAdapter(Annotated[Recipe, Field(discriminator="task")])


def resolve_recipe_path(name: str) -> Path:
    """A path, or the name of a shipped recipe (``tiny-lm`` -> ``engine/recipes/tiny-lm.yaml``)."""
    path = Path(name)
    if path.is_file():
        return path
    shipped = RECIPES_DIR / (name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    if shipped.is_file():
        return shipped
    names = sorted(p.stem for p in RECIPES_DIR.glob("*.yaml"))
    close = difflib.get_close_matches(name.replace("_", "-").lower(), names, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    raise EngineError(f"{name}: no such recipe file or shipped recipe{hint}; shipped: {', '.join(names) or 'none'}")


def shipped_recipes() -> list[Path]:
    return sorted(RECIPES_DIR.glob("*.yaml"))


def _mark_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> yaml.Mark | None:
    """The YAML position of ``loc`` (a pydantic error location), or of its closest existing parent."""
    if node is None:
        return None
    mark = node.start_mark
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node, mark = child, child.start_mark
    return mark


def load_recipe(path: Path) -> Recipe:
    """Read and validate a recipe; raise one ``EngineError`` listing every problem with its position."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EngineError(f"{path}: cannot read recipe ({exc.strerror})") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except RecursionError:  # thousands of nested [ or {: PyYAML recurses once per level
        raise EngineError(f"{path}: nested too deeply to be a recipe (a recipe is at most 3 levels deep)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise EngineError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise EngineError(f"{path}:1:1: a recipe is a mapping with at least 'task: lm' or 'task: digits'")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            if loc and loc[0] in ("lm", "digits"):  # the discriminator's tag is not part of the file
                loc = loc[1:]
            msg = err["msg"].removeprefix("Value error, ")
            head, _, rest = msg.partition(": ")
            if err["type"] == "value_error" and rest and head.isidentifier():
                loc, msg = (*loc, head), rest  # a cross-field check names the field it blames
            mark = _mark_of(root, loc)
            where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
            field = ".".join(str(p) for p in loc) or "(recipe)"
            if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
                mark = _mark_of(root, ("task",))
                where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
                field, msg = "task", "must be 'lm' or 'digits'"
            problems.append(f"{where} {field}: {msg}")
        raise EngineError("invalid recipe:\n  " + "\n  ".join(problems)) from None


def recipe_to_dict(recipe: Recipe) -> dict[str, Any]:
    return recipe.model_dump(mode="json")
