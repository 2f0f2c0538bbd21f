"""Random YAML and random mutations of good entries: the loader reports cleanly, never crashes."""

from __future__ import annotations

import random
import shutil
import tempfile
from pathlib import Path

import yaml
from aiglossary import load_knowledge_base
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
GOOD = (MINI / "alpha-term.yaml").read_bytes()

yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


def _load_one(raw: bytes, name: str = "alpha-term.yaml") -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "glossary"
        shutil.copytree(MINI, root)
        (root / name).write_bytes(raw)
        kb = load_knowledge_base(root)
        # Either the entry loads, or at least one problem names the file.
        assert "alpha-term" in kb.entries or any(p.file.endswith(name) for p in kb.errors)
        for p in kb.problems:
            assert p.line >= 1 and p.col >= 1 and p.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes(raw: bytes) -> None:
    _load_one(raw)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_values)
def test_random_yaml_documents(value: object) -> None:
    _load_one(yaml.safe_dump(value).encode())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=6))
def test_mutated_good_entries(rnd: random.Random, n: int) -> None:
    data = bytearray(GOOD)
    for _ in range(n):
        op = rnd.choice(["flip", "delete", "insert", "dup-line", "drop-line"])
        i = rnd.randrange(len(data))
        if op == "flip":
            data[i] = rnd.randrange(256)
        elif op == "delete":
            del data[i : i + rnd.randint(1, 20)]
        elif op == "insert":
            data[i:i] = rnd.choice(
                [b": ", b"- ", b"\t", b"&a ", b"*a", b"!!python/object ", b"<b>", b"\n  ", b"'", b"{"]
            )
        else:
            lines = bytes(data).split(b"\n")
            j = rnd.randrange(len(lines))
            lines.insert(j, lines[j]) if op == "dup-line" else lines.pop(j)
            data = bytearray(b"\n".join(lines))
        if not data:
            data = bytearray(b"x")
    _load_one(bytes(data))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_fields(data: st.DataObject) -> None:
    entry = yaml.safe_load(GOOD)
    key = data.draw(st.sampled_from(sorted(entry)))
    action = data.draw(st.sampled_from(["drop", "replace"]))
    if action == "drop":
        del entry[key]
    else:
        entry[key] = data.draw(yaml_values)
    _load_one(yaml.safe_dump(entry).encode())
