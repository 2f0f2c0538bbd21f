"""Load every entry of a glossary folder, collecting all problems instead of stopping at the first."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .model import (
    Category,
    Comparison,
    ComparisonRow,
    Entry,
    Example,
    Misconception,
    Relation,
    Source,
    Usage,
)
from .problems import Problem, did_you_mean, format_path
from .yamlsafe import Document, YamlProblem, parse

CATEGORIES_FILE = "_categories.yaml"
SCHEMA_LINE = "# yaml-language-server: $schema="
ENTRY_SUFFIXES = (".yaml", ".yml")

# Which model validates the mapping found at a path (list indices removed).
_MODELS: dict[tuple[str, ...], type[BaseModel]] = {
    (): Entry,
    ("examples",): Example,
    ("comparison",): Comparison,
    ("comparison", "rows"): ComparisonRow,
    ("where_used",): Usage,
    ("sources",): Source,
    ("misconceptions",): Misconception,
    ("related",): Relation,
}


@dataclass
class EntryFile:
    """Where an entry came from, with the position of each of its values."""

    path: Path
    display: str
    document: Document

    def at(self, *loc: str | int) -> tuple[int, int]:
        return self.document.position(tuple(loc))


@dataclass
class KnowledgeBase:
    """All valid entries of a glossary folder, its categories and every problem found."""

    root: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    files: dict[str, EntryFile] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)  # display path -> first error

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def add(self, file: str, pos: tuple[int, int], loc: str, message: str, severity: str = "error") -> None:
        self.problems.append(
            Problem(file, pos[0], pos[1], loc, message, "warning" if severity == "warning" else "error")
        )

    def sorted_entries(self) -> list[tuple[str, Entry]]:
        return sorted(self.entries.items(), key=lambda kv: kv[1].term.casefold())


def slugify(text: str) -> str:
    """``"Café au lait"`` -> ``"cafe-au-lait"``: accents folded (NFKD), anything else a hyphen."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent)) if root.parent != Path("") else str(path)
    except ValueError:
        return str(path)


def _model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    return _MODELS.get(tuple(p for p in loc if isinstance(p, str)))


def _field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _message(err: Any, doc: Document) -> tuple[tuple[int, int], str]:
    """Turn one pydantic error into a position and a readable message."""
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        hint = did_you_mean(str(loc[-1]), _field_names(model)) if model else ""
        return doc.key_position(loc), f"unknown field '{loc[-1]}'{hint}"
    if kind == "missing":
        return doc.position(loc[:-1]), f"missing required field '{loc[-1]}'"
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        return doc.position(loc), f"'{value}' is not one of {expected}"
    if kind == "string_pattern_mismatch":
        if loc and loc[-1] == "url":
            return doc.position(loc), f"'{value}' is not an http(s) URL"
        return doc.position(loc), f"'{value}' is not a slug (lowercase words joined by hyphens, e.g. 'fine-tuning')"
    if kind in ("string_too_short",):
        return doc.position(loc), "must not be empty"
    if kind == "too_short":
        return doc.position(loc), f"needs at least {err.get('ctx', {}).get('min_length', 1)} item(s)"
    if kind == "string_too_long":
        return doc.position(loc), f"is too long (at most {err.get('ctx', {}).get('max_length')} characters)"
    if kind == "value_error":
        return doc.position(loc), str(err["msg"]).removeprefix("Value error, ")
    if kind.endswith("_type"):
        want = {
            "string_type": "text",
            "list_type": "a list",
            "model_type": "a mapping",
            "dict_type": "a mapping",
        }
        return doc.position(loc), f"expected {want.get(kind, kind.removesuffix('_type'))}, got {_type_name(value)}"
    return doc.position(loc), str(err["msg"])


def _read(path: Path, kb: KnowledgeBase, display: str) -> Document | None:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        kb.add(display, (1, 1), "", f"cannot read file: {exc.strerror}")
        return None
    try:
        return parse(raw)
    except YamlProblem as exc:
        kb.add(display, (exc.line, exc.col), format_path(exc.path), exc.message)
        return None


def load_categories(root: Path, kb: KnowledgeBase) -> None:
    path = root / CATEGORIES_FILE
    display = _display(path, root)
    if not path.exists():
        kb.add(display, (1, 1), "", "categories file is missing; declare the categories entries may use")
        return
    doc = _read(path, kb, display)
    if doc is None:
        return
    if not isinstance(doc.data, dict):
        kb.add(display, (1, 1), "", f"expected a mapping of category ids, got {_type_name(doc.data)}")
        return
    for key, value in doc.data.items():
        try:
            kb.categories[key] = Category.model_validate(value)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (key, *err["loc"])
                pos, msg = _message({**err, "loc": loc}, doc)
                kb.add(display, pos, format_path(loc), msg)


def entry_paths(root: Path) -> list[Path]:
    return sorted(
        p for p in root.iterdir() if p.suffix in ENTRY_SUFFIXES and not p.name.startswith(("_", ".")) and p.is_file()
    )


def load_entry(path: Path, kb: KnowledgeBase) -> None:
    """Load one file into ``kb``; on any problem the entry is left out and the problem recorded."""
    display = _display(path, kb.root)
    slug = path.stem
    before = len(kb.errors)
    doc = _read(path, kb, display)
    if doc is None:
        kb.rejected[display] = str(kb.errors[-1])
        return
    if not isinstance(doc.data, dict):
        got = _type_name(doc.data)
        kb.add(
            display,
            doc.position(()),
            "",
            f"an entry must be a mapping of fields (term: ..., definition: ...), got {got}",
        )
    elif not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
        kb.add(display, (1, 1), "", f"file name '{path.name}' is not a slug; rename it to '{slugify(slug)}.yaml'")
    elif slug in kb.entries:
        other = kb.files[slug].display
        kb.add(display, (1, 1), "", f"duplicate slug '{slug}': {other} defines it too")
    else:
        try:
            entry = Entry.model_validate(doc.data)
        except ValidationError as exc:
            for err in exc.errors():
                pos, msg = _message(err, doc)
                kb.add(display, pos, format_path(err["loc"]), msg)
        else:
            kb.entries[slug] = entry
            kb.files[slug] = EntryFile(path, display, doc)
            if not path.read_text("utf-8").lstrip("\ufeff").startswith(SCHEMA_LINE):
                kb.add(
                    display,
                    (1, 1),
                    "",
                    f"first line should be '{SCHEMA_LINE}schema.json' so editors validate",
                    "warning",
                )
    if len(kb.errors) > before:
        kb.rejected[display] = str(kb.errors[before])


def load_knowledge_base(root: Path | str, *, check: bool = True) -> KnowledgeBase:
    """Load all entries under ``root`` and run the cross-entry checks.

    Never raises for bad content: every problem lands in ``kb.problems`` and bad entries are left out.
    """
    root = Path(root)
    kb = KnowledgeBase(root=root)
    if not root.is_dir():
        kb.add(str(root), (1, 1), "", "glossary folder not found")
        return kb
    load_categories(root, kb)
    for path in entry_paths(root):
        load_entry(path, kb)
    if check:
        from .checks import check_all

        check_all(kb)
    kb.problems.sort(key=lambda p: (p.file, p.line, p.col, p.message))
    return kb
