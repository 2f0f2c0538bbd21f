"""A safe YAML reader that keeps the position of every node.

PyYAML's ``SafeLoader`` composes the document into nodes (no Python objects are built, so
``!!python/object`` tags cannot run code). We then build plain values ourselves, recording the
line and column of each value under its path, refusing aliases (which is also what stops
"billion laughs" alias bombs), unknown tags, duplicate keys and nesting deeper than ``MAX_DEPTH``
(which would otherwise end in a RecursionError that takes every command down with it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_FILE_BYTES = 256 * 1024
MAX_NODES = 50_000
# Entries nest four levels (comparison.rows[0].this); 500 brackets would exhaust Python's stack.
MAX_DEPTH = 32

Path_ = tuple[str | int, ...]

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


class YamlProblem(Exception):
    """A document that cannot be read; carries a 1-based position."""

    def __init__(self, message: str, line: int = 1, col: int = 1, path: Path_ = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.path = path


@dataclass
class Document:
    """A parsed YAML document: plain data plus the (line, col) of every path in it."""

    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path_) -> tuple[int, int]:
        """Position of ``path``, or of its nearest ancestor that exists."""
        while True:
            if path in self.positions:
                return self.positions[path]
            if not path:
                return (1, 1)
            path = path[:-1]

    def key_position(self, path: Path_) -> tuple[int, int]:
        """Position of the key that introduces ``path`` (for unknown-field errors)."""
        return self.key_positions.get(path) or self.position(path)


def _tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self) -> None:
        self.doc = Document(data=None)
        self.seen: set[int] = set()
        self.count = 0
        self._scalars = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if len(path) >= MAX_DEPTH:
            raise YamlProblem(_too_deep(), *_mark(node), path[:1])
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlProblem(f"document has more than {MAX_NODES} values; entries are far smaller", *_mark(node))
        if id(node) in self.seen:
            raise YamlProblem(
                "YAML aliases (*name) are not allowed in entries; write the value out", *_mark(node), path
            )
        self.seen.add(id(node))
        self.doc.positions[path] = _mark(node)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise YamlProblem(f"YAML tag '{_tag(node.tag)}' is not allowed", *_mark(node), path)
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    raise YamlProblem(
                        "keys must be plain names (no merge keys or complex keys)", *_mark(key_node), path
                    )
                key = str(key_node.value)
                if key in out:
                    raise YamlProblem(f"duplicate key '{key}'", *_mark(key_node), (*path, key))
                self.doc.key_positions[(*path, key)] = _mark(key_node)
                out[key] = self.build(value_node, (*path, key))
            return out
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise YamlProblem(f"YAML tag '{_tag(node.tag)}' is not allowed", *_mark(node), path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.tag == _TIMESTAMP:
            return str(node.value)
        if node.tag not in _PLAIN_TAGS:
            raise YamlProblem(f"YAML tag '{_tag(node.tag)}' is not allowed", *_mark(node), path)
        if node.tag == "tag:yaml.org,2002:str":
            return str(node.value)
        try:
            return self._scalars.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise YamlProblem(f"cannot read value: {exc}", *_mark(node), path) from None


def _too_deep() -> str:
    return f"values nest more than {MAX_DEPTH} levels deep; entries nest four at most"


class _DepthLimitedLoader(yaml.SafeLoader):
    """PyYAML's pure-Python loader, whose composer recurses once per level: capped at ``MAX_DEPTH``."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self._depth >= MAX_DEPTH:
            event = self.peek_event()
            raise YamlProblem(_too_deep(), event.start_mark.line + 1, event.start_mark.column + 1)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse(raw: bytes) -> Document:
    """Parse one YAML document from bytes. Raises :class:`YamlProblem` with a position."""
    if len(raw) > MAX_FILE_BYTES:
        raise YamlProblem(f"file is {len(raw):,} bytes; the limit for one entry is {MAX_FILE_BYTES:,}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", line, col) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    ok, fast = _compose_fast(text)
    if ok:
        return _build(fast)
    try:
        loader = _DepthLimitedLoader(text)
    except yaml.reader.ReaderError as exc:
        head = text[: exc.position]
        line, col = head.count("\n") + 1, exc.position - (head.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise YamlProblem(f"character U+{code:04X} is not allowed in YAML", line, col) from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax error: {exc.problem or exc.context}"
        if exc.context and exc.problem and exc.context_mark:
            message += f" ({exc.context} started at line {exc.context_mark.line + 1})"
        raise YamlProblem(message, line, col) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    return _build(node)


def _build(node: yaml.Node | None) -> Document:
    builder = _Builder()
    if node is None:
        builder.doc.data = None
        return builder.doc
    builder.doc.data = builder.build(node, ())
    return builder.doc


_CLoader = getattr(yaml, "CSafeLoader", None)


def _compose_fast(text: str) -> tuple[bool, yaml.Node | None]:
    """Compose with libyaml when PyYAML has it (about 10x faster: it matters at 10,000 entries).

    Returns ``(False, None)`` when it is unavailable or finds any problem; the pure-Python path then
    runs and reports the problem with its own, exact message and position.
    """
    if _CLoader is None or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return False, None
    loader = _CLoader(text)
    try:
        return True, loader.get_single_node()
    except (Exception, RecursionError):
        # libyaml refuses 1,000 levels ("exceeded maximum nesting depth"). Its event stream finds where
        # the nesting passes MAX_DEPTH in microseconds; the pure-Python scanner would take ~0.5 s.
        problem = _too_deep_event(text) or _flow_too_deep(text)
        if problem is not None:
            raise problem from None
        return False, None
    finally:
        loader.dispose()


_BRACKET = re.compile(r"[\[\]{}]")


def _flow_too_deep(text: str) -> YamlProblem | None:
    """The first '[' or '{' nested deeper than ``MAX_DEPTH`` brackets, when libyaml gave up on them.

    libyaml reads ahead for simple keys and fails before its first event; PyYAML's scanner, which
    checks every open level for each token, takes about 0.5 s to reach the same point. Brackets are
    counted without regard to quotes: this only runs on text that libyaml found 1,000 levels deep.
    """
    depth = 0
    for m in _BRACKET.finditer(text):
        depth += 1 if m.group() in "[{" else -1
        if depth >= MAX_DEPTH:
            line = text.count("\n", 0, m.start()) + 1
            col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            return YamlProblem(_too_deep(), line, col)
    return None


def _too_deep_event(text: str) -> YamlProblem | None:
    """The problem at the first collection nested deeper than ``MAX_DEPTH``, read from libyaml's events."""
    if _CLoader is None:
        return None
    loader = _CLoader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return YamlProblem(_too_deep(), *((mark.line + 1, mark.column + 1) if mark else (1, 1)))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return None
