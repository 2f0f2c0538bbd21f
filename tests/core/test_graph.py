"""Relation graph: before-pairs, cycles, learning path and what to learn next."""

from __future__ import annotations

from pathlib import Path

from aiglossary import learn_next, learning_path, load_knowledge_base
from aiglossary.graph import backlinks, find_cycle


def test_learning_path_orders_prerequisites_first(mini_glossary: Path) -> None:
    kb = load_knowledge_base(mini_glossary)
    path = learning_path(kb.entries)
    assert sorted(path) == sorted(kb.entries)
    assert path.index("alpha-term") < path.index("beta-term") < path.index("gamma-term")
    assert find_cycle(kb.entries) is None


def test_learn_next(mini_glossary: Path) -> None:
    kb = load_knowledge_base(mini_glossary)
    nxt = learn_next(kb.entries, "beta-term")
    assert nxt.prerequisites == ["alpha-term"]
    assert nxt.next_steps == ["gamma-term"]


def test_backlinks(mini_glossary: Path) -> None:
    kb = load_knowledge_base(mini_glossary)
    back = backlinks(kb.entries)
    assert set(back["delta-term"]) == {"alpha-term", "beta-term", "gamma-term"}


def test_yaml_positions_are_one_based() -> None:
    from aiglossary.yamlsafe import parse

    doc = parse(b"a: 1\nb:\n  - x\n  - {c: 2}\n")
    assert doc.data == {"a": 1, "b": ["x", {"c": 2}]}
    assert doc.position(("b", 1, "c")) == (4, 9)
    assert doc.key_position(("b",)) == (2, 1)
