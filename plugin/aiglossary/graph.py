"""The typed relation graph: backlinks, prerequisite order and what to learn next."""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from .model import Entry, RelationKind


@dataclass(frozen=True)
class Edge:
    source: str  # the entry that lists the relation
    target: str  # the related entry
    relation: RelationKind
    note: str


def edges(entries: dict[str, Entry]) -> list[Edge]:
    """Every relation whose target exists, in file order."""
    return [
        Edge(slug, rel.term, rel.relation, rel.note)
        for slug, entry in sorted(entries.items())
        for rel in entry.related
        if rel.term in entries and rel.term != slug
    ]


def before_pairs(entries: dict[str, Entry]) -> set[tuple[str, str]]:
    """Pairs (a, b) meaning 'learn a before b', from prerequisite and next-step relations."""
    pairs: set[tuple[str, str]] = set()
    for e in edges(entries):
        if e.relation is RelationKind.prerequisite:
            pairs.add((e.target, e.source))
        elif e.relation is RelationKind.next_step:
            pairs.add((e.source, e.target))
    return pairs


def find_cycle(entries: dict[str, Entry]) -> list[str] | None:
    """A cycle among 'learn before' pairs, as [a, b, ..., a], or None.

    An iterative depth-first search: prerequisite chains can be thousands of terms long.
    """
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in sorted(before_pairs(entries)):
        succ[a].append(b)
    done: set[str] = set()
    for start in sorted(entries):
        if start in done:
            continue
        path: list[str] = [start]
        on_path = {start}
        stack = [iter(succ[start])]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                node = path.pop()
                on_path.discard(node)
                done.add(node)
            elif nxt in on_path:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in done:
                path.append(nxt)
                on_path.add(nxt)
                stack.append(iter(succ[nxt]))
    return None


def learning_path(entries: dict[str, Entry]) -> list[str]:
    """All slugs ordered so that every prerequisite comes first.

    Among terms whose prerequisites are met, easier terms come first, then alphabetical order.
    Terms caught in a cycle (reported by the checks) are appended at the end.
    """
    pairs = before_pairs(entries)
    indeg = dict.fromkeys(entries, 0)
    succ: dict[str, list[str]] = defaultdict(list)
    for a, b in pairs:
        succ[a].append(b)
        indeg[b] += 1

    def key(slug: str) -> tuple[int, str, str]:
        return (entries[slug].difficulty.rank, entries[slug].term.casefold(), slug)

    ready = [key(s) for s, d in indeg.items() if d == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        slug = heapq.heappop(ready)[2]
        order.append(slug)
        for nxt in succ[slug]:
            indeg[nxt] -= 1
            if indeg[nxt] == 0:
                heapq.heappush(ready, key(nxt))
    seen = set(order)
    order.extend(sorted((s for s in entries if s not in seen), key=key))
    return order


@dataclass(frozen=True)
class LearnNext:
    prerequisites: list[str]
    next_steps: list[str]


class LearnIndex:
    """What to learn before and after every term, in learning-path order, computed once."""

    def __init__(self, entries: dict[str, Entry]) -> None:
        self.path = learning_path(entries)
        rank = {s: i for i, s in enumerate(self.path)}
        before: dict[str, set[str]] = defaultdict(set)
        after: dict[str, set[str]] = defaultdict(set)
        for a, b in before_pairs(entries):
            after[a].add(b)
            before[b].add(a)
        self.before = {s: sorted(v, key=rank.__getitem__) for s, v in before.items()}
        self.after = {s: sorted(v, key=rank.__getitem__) for s, v in after.items()}

    def prerequisites(self, slug: str) -> list[str]:
        return self.before.get(slug, [])

    def next_steps(self, slug: str) -> list[str]:
        return self.after.get(slug, [])


def learn_next(entries: dict[str, Entry], slug: str) -> LearnNext:
    """What to learn before and after ``slug`` (for many terms, build one :class:`LearnIndex`)."""
    index = LearnIndex(entries)
    return LearnNext(index.prerequisites(slug), index.next_steps(slug))


def backlinks(entries: dict[str, Entry]) -> dict[str, list[str]]:
    """For each slug, the entries whose relations point at it."""
    out: dict[str, list[str]] = {s: [] for s in entries}
    for e in edges(entries):
        if e.source not in out[e.target]:
            out[e.target].append(e.source)
    return out


# -- the drawn graph: typed links, neighbourhoods ---------------------------------------------------

# What the graph pages draw: every relation folded into one of four kinds of link, each read one way.
# "before" (from a prerequisite or next-step relation) points from the term to learn first to the
# term that builds on it; "broader" points from a term to the broader term it is part of (a narrower
# relation is the same link seen from the other end); "contrast" and "see-also" have no direction.
LINK_KINDS: dict[str, str] = {
    "before": "Learn first → next",
    "broader": "Part of a broader term",
    "contrast": "Often contrasted with",
    "see-also": "See also",
}
_LINK_RANK = {kind: i for i, kind in enumerate(LINK_KINDS)}


@dataclass(frozen=True, order=True)
class Link:
    source: str
    target: str
    kind: str  # a key of LINK_KINDS

    @property
    def directed(self) -> bool:
        return self.kind in ("before", "broader")


def links(entries: dict[str, Entry]) -> list[Link]:
    """The relations as the graph draws them: one link per pair of terms, sorted.

    Where two terms are related more than once (A lists B as a prerequisite and B lists A as
    "see also"), the first kind of :data:`LINK_KINDS` wins: lines drawn on top of each other
    would only hide one another.
    """
    best: dict[tuple[str, str], Link] = {}
    for e in edges(entries):
        a, b = e.source, e.target
        rel = e.relation
        if rel is RelationKind.prerequisite:
            link = Link(b, a, "before")
        elif rel is RelationKind.next_step:
            link = Link(a, b, "before")
        elif rel is RelationKind.broader:
            link = Link(a, b, "broader")
        elif rel is RelationKind.narrower:
            link = Link(b, a, "broader")
        else:
            kind = "contrast" if rel is RelationKind.contrast else "see-also"
            link = Link(min(a, b), max(a, b), kind)
        pair = (min(a, b), max(a, b))
        old = best.get(pair)
        if old is None or _LINK_RANK[link.kind] < _LINK_RANK[old.kind]:
            best[pair] = link
    return sorted(best.values())


def adjacency(link_list: list[Link]) -> dict[str, set[str]]:
    """Each term's neighbours, whichever way the links point."""
    adj: dict[str, set[str]] = defaultdict(set)
    for link in link_list:
        adj[link.source].add(link.target)
        adj[link.target].add(link.source)
    return adj


def neighbourhood(adj: dict[str, set[str]], slug: str, steps: int) -> dict[str, int]:
    """``slug`` and every term at most ``steps`` links away, each with its distance (0 for ``slug``)."""
    dist = {slug: 0}
    frontier = [slug]
    for step in range(1, steps + 1):
        nxt = []
        for node in frontier:
            for other in sorted(adj.get(node, ())):
                if other not in dist:
                    dist[other] = step
                    nxt.append(other)
        frontier = nxt
    return dist
