"""The term graph in headless chromium: filters, focus, keyboard, the local graph, 1,000 terms.

What each view must show comes from the knowledge base through the project's own graph functions
(``aiglossary.graph.links``/``neighbourhood``), so the tests follow the content as it grows.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from _browser import goto_instant, page_url
from aiglossary.graph import adjacency, links, neighbourhood
from aiglossary.loader import KnowledgeBase
from aiglossary.model import Category, Entry
from aiglossary.sitegen import SiteBuilder
from aiglossary.sitegen.localgraph import DASHES, local_groups

ROOT = Path(__file__).resolve().parents[2]
Server = Any

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover
    expect = None

FOCUS = "transformer"
VISIBLE = """() => [...document.querySelectorAll('.glossary-graph-node')]
  .filter(a => a.getBoundingClientRect().width > 0).map(a => a.dataset.slug).sort()"""


def _open_graph(page: Any, site: Server, query: str = "") -> None:
    page.goto(site.url + "glossary/graph/" + query)
    page.wait_for_selector("#glossary-graph[data-ready]")


def _visible(page: Any) -> set[str]:
    return set(page.evaluate(VISIBLE))


def test_graph_filters_hide_and_show_nodes(page: Any, site: Server, kb: KnowledgeBase) -> None:
    _open_graph(page, site)
    assert _visible(page) == set(kb.entries)
    category = "deep-learning"
    page.select_option("#glossary-graph-category", category)
    want = {s for s, e in kb.entries.items() if category in e.categories}
    assert 0 < len(want) < len(kb.entries)
    assert _visible(page) == want
    page.select_option("#glossary-graph-difficulty", "beginner")
    want = {s for s in want if kb.entries[s].difficulty.value == "beginner"}
    assert _visible(page) == want
    expect(page.locator("#glossary-graph-status")).to_contain_text(f"{len(want)} of {len(kb.entries)} terms")
    # Links are drawn only between terms that are shown.
    drawn = page.get_attribute(".glossary-graph-edges", "data-drawn")
    assert drawn == str(sum(1 for link in links(kb.entries) if {link.source, link.target} <= want))
    # Every link kind is drawn with its own dash pattern.
    dashes = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.glossary-graph-edges path.glossary-link')]
             .map(p => [p.dataset.kind, p.getAttribute('stroke-dasharray') || '']))"""
    )
    assert dashes == DASHES
    page.click("#glossary-graph-reset")
    assert _visible(page) == set(kb.entries)
    assert page.input_value("#glossary-graph-category") == ""


def test_focus_shows_the_term_and_its_neighbours(page: Any, site: Server, kb: KnowledgeBase) -> None:
    adj = adjacency(links(kb.entries))
    _open_graph(page, site)
    term = kb.entries[FOCUS].term
    page.fill("#glossary-graph-term", term[:6])
    option = page.locator("#glossary-graph-suggestions [role=option]", has_text=term).first
    expect(option).to_be_visible()
    option.click()
    one = neighbourhood(adj, FOCUS, 1)
    assert _visible(page) == set(one)
    assert re.search(rf"[?&]focus={FOCUS}\b", page.url)
    # The text alternative lists the same neighbours, as links to their pages.
    listed = page.locator("#glossary-graph-panel li[data-distance='1'] > a")
    assert {re.sub(r".*/glossary/([^/]+)/$", r"\1", h) for h in listed.evaluate_all("as => as.map(a => a.href)")} == (
        set(one) - {FOCUS}
    )
    page.check("input[name=glossary-graph-steps][value='2']")
    two = neighbourhood(adj, FOCUS, 2)
    assert len(two) > len(one)
    assert _visible(page) == set(two)
    # Focus and filters combine: the term stays, its neighbours are filtered.
    page.select_option("#glossary-graph-difficulty", "advanced")
    want = {s for s in two if kb.entries[s].difficulty.value == "advanced"} | {FOCUS}
    assert _visible(page) == want
    # Labels: the focused term always has one; every label shown is 12 px or larger.
    expect(page.locator(f'.glossary-graph-node[data-slug="{FOCUS}"]')).to_have_class(re.compile(r"\bhas-label\b"))
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.glossary-graph-node.has-label text')]
             .filter(t => t.getBoundingClientRect().width > 0).map(t => parseFloat(getComputedStyle(t).fontSize))"""
    )
    assert sizes and min(sizes) >= 12


def test_graph_keyboard_only(page: Any, site: Server, kb: KnowledgeBase) -> None:
    adj = adjacency(links(kb.entries))
    _open_graph(page, site)
    page.focus("#glossary-graph-term")  # where Tab would arrive from the page's intro
    page.keyboard.type(kb.entries[FOCUS].term[:5])
    page.keyboard.press("ArrowDown")
    active = page.get_attribute("#glossary-graph-term", "aria-activedescendant")
    assert active and page.get_attribute(f"#{active}", "aria-selected") == "true"
    chosen = page.get_attribute(f"#{active}", "data-slug")
    page.keyboard.press("Enter")
    assert _visible(page) == set(neighbourhood(adj, chosen, 1))
    # Tab to the steps radios; an arrow key picks "2 steps".
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "glossary-graph-steps"
    page.keyboard.press("ArrowRight")
    assert page.is_checked("input[name=glossary-graph-steps][value='2']")
    assert _visible(page) == set(neighbourhood(adj, chosen, 2))
    # Tab on to the category and difficulty lists, the zoom buttons and "Show all" (Enter).
    for expected in ("glossary-graph-category", "glossary-graph-difficulty", "glossary-graph-zoom-in"):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == expected
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "glossary-graph-reset"
    page.keyboard.press("Enter")
    assert _visible(page) == set(kb.entries)
    # One Tab stop into the graph; arrows move between terms; Space focuses; Enter opens.
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.dataset.slug")
    assert first in kb.entries
    moved = set()
    for key in ("ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"):
        page.keyboard.press(key)
        moved.add(page.evaluate("document.activeElement.dataset.slug"))
    assert moved - {first}, "arrow keys did not move between terms"
    assert page.locator(".glossary-graph-node[tabindex='0']").count() == 1
    here = page.evaluate("document.activeElement.dataset.slug")
    page.keyboard.press("Space")
    assert _visible(page) == set(neighbourhood(adj, here, 2))
    assert page.evaluate("document.activeElement.dataset.slug") == here
    page.keyboard.press("Enter")
    page.wait_for_url(page_url(f"glossary/{here}/"))
    expect(page.locator("article h1")).to_contain_text(kb.entries[here].term)


def test_graph_layout_is_deterministic(page: Any, site: Server) -> None:
    _open_graph(page, site)
    same = page.evaluate(
        """async () => {
          const data = await (await fetch(document.getElementById('glossary-graph').dataset.src)).json();
          const src = data.links.map(l => l[0]), dst = data.links.map(l => l[1]);
          const a = GlossaryGraph.layout(data.nodes.length, src, dst);
          const b = GlossaryGraph.layout(data.nodes.length, src, dst);
          return a.x.every((v, i) => v === b.x[i] && a.y[i] === b.y[i]) && a.x.some(v => v !== a.x[0]);
        }"""
    )
    assert same
    # And the page drew exactly that layout: reloading gives the same node positions.
    before = page.evaluate(
        "() => [...document.querySelectorAll('.glossary-graph-node')].map(a => a.getAttribute('transform'))"
    )
    _open_graph(page, site)
    after = page.evaluate(
        "() => [...document.querySelectorAll('.glossary-graph-node')].map(a => a.getAttribute('transform'))"
    )
    assert before == after


def test_local_graph_on_a_term_page(page: Any, site: Server, kb: KnowledgeBase) -> None:
    link_list = links(kb.entries)
    groups = {g.id: (g.kind, set(g.slugs)) for g in local_groups(FOCUS, link_list)}
    page.goto(site.url + f"glossary/{FOCUS}/")
    figure = page.locator("figure.glossary-local-graph")
    expect(figure).to_be_visible()
    # Inside "Related terms".
    assert figure.evaluate("f => f.closest('.glossary-related') !== null")
    nodes = figure.locator("a.glossary-lg-node")
    got: dict[str, set[str]] = {}
    for slug, group in nodes.evaluate_all("as => as.map(a => [a.dataset.slug, a.dataset.group])"):
        got.setdefault(group, set()).add(slug)
    assert got == {gid: slugs for gid, (_, slugs) in groups.items()}
    assert set().union(*got.values()) == set(adjacency(link_list)[FOCUS])
    # One typed branch per neighbour, told apart by dash pattern (not colour alone).
    edges = figure.locator("line.glossary-link[data-kind]").evaluate_all(
        "ls => ls.map(l => [l.dataset.group, l.dataset.kind, l.getAttribute('stroke-dasharray') || ''])"
    )
    assert sorted(g for g, _, _ in edges) == sorted(g for g, slugs in got.items() for _ in slugs)
    for gid, kind, dash in edges:
        assert kind == groups[gid][0] and dash == DASHES[kind]
    assert len({DASHES[k] for _, k, _ in edges}) == len({k for _, k, _ in edges})
    legend = figure.locator(".glossary-link-legend li").evaluate_all("ls => ls.map(l => l.dataset.kind)")
    assert set(legend) == {k for _, k, _ in edges}
    # Each neighbour is a link to its page.
    target = sorted(got["learn-first"] if "learn-first" in got else next(iter(got.values())))[0]
    figure.locator(f'a.glossary-lg-node[data-slug="{target}"]').click()
    page.wait_for_url(page_url(f"glossary/{target}/"))
    expect(page.locator("article h1")).to_contain_text(kb.entries[target].term)


def _site_scale() -> Any:
    spec = importlib.util.spec_from_file_location("site_scale", ROOT / "bench" / "site_scale.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["site_scale"] = module
    spec.loader.exec_module(module)
    return module


def synthetic_graph_json(n: int) -> str:
    """The graph data of ``n`` valid entries made by the site benchmark's generator.

    The entries are validated by the model and go through the site generator; they are not written
    as YAML and built as a whole MkDocs site (``bench/graph_layout_bench.py`` does that, at 1,000
    terms): the test stays cheap.
    """
    scale = _site_scale()
    terms = scale.make_terms(n)
    scale.fill_entries(terms)
    entries = {t.slug: Entry.model_validate(t.entry) for t in terms}
    categories = {
        cid: Category(title=title, description=f"Terms about {title}.") for cid, title in scale.CATEGORIES.items()
    }
    return SiteBuilder(KnowledgeBase(root=Path("synthetic"), entries=entries, categories=categories)).graph_json()


def test_synthetic_1000_term_graph_renders(page: Any, site: Server) -> None:
    n = 1000
    body = synthetic_graph_json(n)
    page.route("**/glossary-graph.json", lambda route: route.fulfill(body=body, content_type="application/json"))
    _open_graph(page, site)
    assert page.locator(".glossary-graph-node").count() == n
    assert len(_visible(page)) == n
    # Labels stay few enough to read: each placed label overlaps no other.
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('.glossary-graph-node.has-label text')].map(t => {
             const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""
    )
    assert 0 < len(boxes) < n
    overlaps = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
    ]
    assert not overlaps
    marks = page.evaluate("performance.getEntriesByType('mark').map(m => m.name)")
    assert {"glossary-graph:layout-start", "glossary-graph:layout-end", "glossary-graph:rendered"} <= set(marks)
    # Focus works at this size too.
    slug = sorted(json.loads(body)["nodes"], key=lambda d: d["slug"])[0]["slug"]
    page.goto(site.url + f"glossary/graph/?focus={slug}&steps=2")
    page.wait_for_selector("#glossary-graph[data-ready]")
    data = json.loads(body)
    adj: dict[str, set[str]] = {}
    for s, t, _ in data["links"]:
        a, b = data["nodes"][s]["slug"], data["nodes"][t]["slug"]
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    assert _visible(page) == set(neighbourhood(adj, slug, 2))


def test_graph_page_with_instant_navigation(page: Any, site: Server, kb: KnowledgeBase) -> None:
    """The graph's script is in the graph page alone: Material runs it again on each visit."""
    goto_instant(page, site.url)
    page.evaluate("window.__notReloaded = true")
    page.locator(".md-nav a[href$='glossary/graph/']").first.click()
    page.wait_for_selector("#glossary-graph[data-ready]")
    assert page.locator(".glossary-graph-node").count() == len(kb.entries)
    page.fill("#glossary-graph-term", kb.entries[FOCUS].term)
    page.keyboard.press("Enter")
    page.locator("#glossary-graph-panel li a").first.click()
    page.wait_for_url(re.compile(r"/glossary/[a-z0-9-]+/(#[\w-]+)?$"))
    expect(page.locator("figure.glossary-local-graph")).to_be_visible()
    page.go_back()
    page.wait_for_selector("#glossary-graph[data-ready]")
    assert page.locator(".glossary-graph-node").count() == len(kb.entries)
    assert page.evaluate("window.__notReloaded === true"), "the navigation reloaded the page"
