"""Relation graph: before-pairs, cycles, learning path and what to learn next."""

from __future__ import annotations

from pathlib import Path

from aiglossary import learn_next, learning_path, load_knowledge_base
from aiglossary.graph import backlinks, find_cycle
from aiglossary.model import Entry, Relation, RelationKind


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


def _chain(n: int, mini: Path, close: bool) -> dict[str, Entry]:
    """``n`` copies of a fixture entry, each a prerequisite of the next (and the last of the first)."""
    base = load_knowledge_base(mini).entries["alpha-term"]
    out: dict[str, Entry] = {}
    for i in range(n):
        rel = [Relation(term=f"t{i - 1:05d}", relation=RelationKind.prerequisite, note="Chain.")] if i else []
        if close and i == 0:
            rel = [Relation(term=f"t{n - 1:05d}", relation=RelationKind.prerequisite, note="Loop.")]
        out[f"t{i:05d}"] = base.model_copy(update={"term": f"T{i}", "aliases": [], "related": rel})
    return out


def test_long_prerequisite_chains_do_not_overflow_the_stack(mini_glossary: Path) -> None:
    entries = _chain(3000, mini_glossary, close=False)
    assert find_cycle(entries) is None
    path = learning_path(entries)
    assert path[:3] == ["t00000", "t00001", "t00002"]
    cycle = find_cycle(_chain(3000, mini_glossary, close=True))
    assert cycle is not None and len(cycle) == 3001 and cycle[0] == cycle[-1]
