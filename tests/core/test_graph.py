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


# -- the drawn graph: typed links, neighbourhoods, the local graph of a term page -------------------


def test_links_fold_relations_into_typed_links(mini_glossary: Path) -> None:
    from aiglossary.graph import Link, links

    got = links(load_knowledge_base(mini_glossary).entries)
    # alpha -> beta is both alpha's next step and beta's prerequisite: one "before" link; gamma and
    # delta are contrasted (gamma) and "see also" (delta): the stronger kind is kept.
    assert got == [
        Link("alpha-term", "beta-term", "before"),
        Link("alpha-term", "delta-term", "see-also"),
        Link("alpha-term", "gamma-term", "see-also"),
        Link("beta-term", "delta-term", "see-also"),
        Link("beta-term", "gamma-term", "before"),
        Link("delta-term", "gamma-term", "contrast"),
    ]


def _related(mini: Path, rels: dict[str, list[tuple[str, RelationKind]]]) -> dict[str, Entry]:
    base = load_knowledge_base(mini).entries["alpha-term"]
    return {
        slug: base.model_copy(
            update={
                "term": slug.title(),
                "aliases": [],
                "related": [Relation(term=t, relation=k, note="N.") for t, k in rels.get(slug, [])],
            }
        )
        for slug in ("a", "b", "c", "d", "e")
    }


def test_broader_and_narrower_are_one_link_pointing_to_the_broader_term(mini_glossary: Path) -> None:
    from aiglossary.graph import Link, links

    entries = _related(
        mini_glossary,
        {
            "a": [("b", RelationKind.broader)],  # a is part of b
            "c": [("a", RelationKind.narrower)],  # a is part of c, seen from c
            "b": [("a", RelationKind.narrower)],  # the same link as a's broader: not twice
            "d": [("e", RelationKind.prerequisite)],  # e before d
        },
    )
    assert links(entries) == [Link("a", "b", "broader"), Link("a", "c", "broader"), Link("e", "d", "before")]


def test_neighbourhood_counts_steps_either_way(mini_glossary: Path) -> None:
    from aiglossary.graph import adjacency, links, neighbourhood

    entries = _related(
        mini_glossary,
        {
            "a": [("b", RelationKind.next_step)],
            "c": [("b", RelationKind.see_also)],
            "d": [("c", RelationKind.contrast)],
        },
    )
    adj = adjacency(links(entries))
    assert neighbourhood(adj, "a", 1) == {"a": 0, "b": 1}
    assert neighbourhood(adj, "a", 2) == {"a": 0, "b": 1, "c": 2}
    assert neighbourhood(adj, "c", 1) == {"c": 0, "b": 1, "d": 1}
    assert neighbourhood(adj, "e", 2) == {"e": 0}  # a term with no links is its own neighbourhood


def test_local_groups_follow_the_related_terms_section(mini_glossary: Path) -> None:
    from aiglossary.graph import links
    from aiglossary.sitegen.localgraph import local_groups

    entries = _related(
        mini_glossary,
        {
            "a": [("b", RelationKind.prerequisite), ("c", RelationKind.broader), ("d", RelationKind.see_also)],
            "e": [("a", RelationKind.prerequisite)],
        },
    )
    groups = {g.id: g.slugs for g in local_groups("a", links(entries))}
    assert groups == {"learn-first": ["b"], "broader": ["c"], "learn-next": ["e"], "see-also": ["d"]}
    assert {g.id: g.slugs for g in local_groups("c", links(entries))} == {"narrower": ["a"]}


def test_local_graph_svg_escapes_names_and_links_every_neighbour() -> None:
    import xml.etree.ElementTree as ET

    from aiglossary.sitegen.localgraph import LocalGroup, local_graph_svg

    hostile = '<script>alert("x")</script> & co'
    groups = [
        LocalGroup("learn-first", "Learn first", "before", False, ["p"]),
        LocalGroup("see-also", "See also", "see-also", True, ["q", "r"]),
    ]
    html = str(
        local_graph_svg(
            "t",
            'Term "<b>"',
            groups,
            {"p": hostile, "q": "Q term", "r": "R" * 80},
            {"p": '../p/"onload=x', "q": "../q/", "r": "../r/"},
        )
    )
    assert "<script" not in html and "<b>" not in html and '"onload' not in html
    assert "&lt;script&gt;" in html and "&amp; co" in html
    root = ET.fromstring(html)  # well-formed: the figure parses as XML
    svg = root.find("{http://www.w3.org/2000/svg}svg")
    assert svg is not None and svg.get("role") == "group" and svg.get("aria-label")
    caption = root.find("figcaption")
    assert caption is not None and caption.get("id") == svg.get("aria-describedby")
    assert (caption.text or "").startswith('Term "<b>" and its 3 directly related terms.')
    xlink = "{http://www.w3.org/1999/xlink}href"
    nodes = svg.findall("{http://www.w3.org/2000/svg}a")
    assert [(a.get("data-slug"), a.get(xlink), a.get("data-group")) for a in nodes] == [
        ("p", '../p/"onload=x', "learn-first"),
        ("q", "../q/", "see-also"),
        ("r", "../r/", "see-also"),
    ]
    assert all(a.get("aria-label") for a in nodes)
    # One typed branch per neighbour: "before" solid with an arrow, "see also" dashed without one.
    lines = [el for el in svg.iter("{http://www.w3.org/2000/svg}line") if el.get("data-kind")]
    assert [(el.get("data-kind"), el.get("stroke-dasharray"), bool(el.get("marker-end"))) for el in lines] == [
        ("before", None, True),
        ("see-also", "12 4 3 4", False),
        ("see-also", "12 4 3 4", False),
    ]
    # Long names are shortened on the picture; the full name stays in the link's title and label.
    texts = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "R" * 39 + "…" in texts
    legend = root.find("ul")
    assert legend is not None and [li.get("data-kind") for li in legend] == ["before", "see-also"]
    assert local_graph_svg("t", "T", [], {}, {}) == ""


def test_graph_data_is_deterministic_and_indexes_links(mini_glossary: Path) -> None:
    import json

    from aiglossary.sitegen import SiteBuilder

    kb = load_knowledge_base(mini_glossary)
    text = SiteBuilder(kb).graph_json()
    assert text == SiteBuilder(load_knowledge_base(mini_glossary)).graph_json()
    data = json.loads(text)
    slugs = [n["slug"] for n in data["nodes"]]
    assert slugs == sorted(kb.entries)
    kinds = [k["id"] for k in data["kinds"]]
    pairs = {(slugs[s], slugs[t], kinds[k]) for s, t, k in data["links"]}
    assert ("alpha-term", "beta-term", "before") in pairs and ("delta-term", "gamma-term", "contrast") in pairs
    assert data["nodes"][0]["url"] == "glossary/alpha-term/"
