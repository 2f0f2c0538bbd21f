"""Everything interactive works with the keyboard alone, with focus that can be seen.

Each test starts at the top of a page and presses Tab until it reaches a widget (so the widget is in the
page's tab order), checks that keyboard focus visibly changes the widget (``focus_indicator``: at least
as many pixels change as a 1 px line around it would), then operates it with Enter, Space, arrows or
typing, and checks the effect: the A-Z index filters, the term graph, both live demos (the digits demo
through "Draw a sample digit", since drawing needs a pointer) and "Suggest an improvement". Term
previews on keyboard focus are in test_previews.py.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from _browser import focus_indicator, page_url, tab_to
from aiglossary.loader import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"
REPO = "https://github.com/example/ai-glossary"

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips first
    expect = None


def _reach(page: Any, selector: str) -> None:
    """Tab from the top of the page to ``selector``; its keyboard focus must be visible."""
    page.mouse.move(0, 0)
    tab_to(page, selector)
    changed, perimeter = focus_indicator(page)
    assert changed >= perimeter, f"focus on {selector} changes {changed} px, under its perimeter ({perimeter} px)"


def _focused(page: Any, selector: str) -> bool:
    return bool(page.evaluate("s => document.activeElement.matches(s)", selector))


def test_index_filters_by_keyboard(page: Any, site: Any, kb: KnowledgeBase) -> None:
    page.goto(site.url + "glossary/")
    rows = page.locator(".glossary-index-item:visible")
    expect(rows).to_have_count(len(kb.entries))
    categories = page.locator("#glossary-filter-category option").evaluate_all("os => os.map(o => o.value)")
    per_category = Counter(c for e in kb.entries.values() for c in e.categories)

    _reach(page, "#glossary-filter-category")
    page.keyboard.press("ArrowDown")  # a closed select takes the next option
    first = categories[1]
    assert page.input_value("#glossary-filter-category") == first
    expect(rows).to_have_count(per_category[first])
    expect(page.locator("#glossary-filter-count")).to_have_text(re.compile(rf"^{per_category[first]} terms?$"))

    page.keyboard.press("Tab")
    assert _focused(page, "#glossary-filter-difficulty")
    changed, perimeter = focus_indicator(page)
    assert changed >= perimeter, (changed, perimeter)
    page.keyboard.press("ArrowDown")
    level = page.input_value("#glossary-filter-difficulty")
    want = sum(1 for e in kb.entries.values() if first in e.categories and e.difficulty.value == level)
    expect(rows).to_have_count(want)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowUp")
    expect(rows).to_have_count(len(kb.entries))

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert _focused(page, "#glossary-filter-text")
    changed, perimeter = focus_indicator(page)
    assert changed >= perimeter, (changed, perimeter)
    page.keyboard.type("attention")
    expect(rows).not_to_have_count(len(kb.entries))
    assert rows.count() > 0
    for text in rows.all_text_contents():
        assert "attention" in text.lower(), text

    # The rows' links follow with Enter.
    _reach(page, ".glossary-index-item:not([hidden]) a")
    href = page.evaluate("document.activeElement.href")
    page.keyboard.press("Enter")
    page.wait_for_url(page_url(href))
    expect(page.locator("article h1")).to_be_visible()


def test_graph_by_keyboard(page: Any, site: Any, kb: KnowledgeBase) -> None:
    for key in ("Enter", "Space"):
        page.goto(site.url + "glossary/graph/")
        page.wait_for_selector(".glossary-graph-node")
        if key == "Enter":
            _reach(page, ".glossary-graph-node")
        else:
            tab_to(page, ".glossary-graph-node")
        slug = page.evaluate("document.activeElement.dataset.slug")
        # The focused node is inside the part of the graph that shows (the graph pans to it).
        inside = page.evaluate(
            """() => { const n = document.activeElement.querySelector('circle').getBoundingClientRect();
                       const g = document.querySelector('#glossary-graph').getBoundingClientRect();
                       return n.left >= g.left && n.right <= g.right && n.top >= g.top && n.bottom <= g.bottom; }"""
        )
        assert inside, f"the focused node {slug} lies outside the visible graph"
        page.keyboard.press(key)
        if key == "Enter":  # Enter opens the term
            page.wait_for_url(page_url(f"glossary/{slug}/"))
            expect(page.locator("article h1")).to_contain_text(kb.entries[slug].term)
        else:  # Space focuses the graph on it (tests/browser/test_browser_graph.py checks the neighbourhood)
            page.wait_for_url(re.compile(rf"[?&]focus={re.escape(slug)}(&|$)"))


def _demo_ready(page: Any) -> None:
    page.wait_for_selector('.glossary-demo[data-state="ready"], .glossary-demo[data-state="error"]')
    assert page.get_attribute(".glossary-demo", "data-state") == "ready", page.inner_text(".glossary-demo-status")


def _demo_done(page: Any) -> None:
    page.wait_for_selector('.glossary-demo[data-state="done"], .glossary-demo[data-state="error"]')
    assert page.get_attribute(".glossary-demo", "data-state") == "done", page.inner_text(".glossary-demo-status")


def test_pretraining_demo_by_keyboard(page: Any, site: Any) -> None:
    page.goto(site.url + "glossary/pre-training/")
    _demo_ready(page)
    _reach(page, ".glossary-demo-prompt")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("The model")
    page.keyboard.press("Enter")  # submits the prompt
    _demo_done(page)
    outputs = page.locator(".glossary-demo-continuation").all_text_contents()
    assert len(outputs) == 3 and all(outputs), outputs
    assert page.locator(".glossary-demo-given").all_text_contents() == ["The model"] * 3

    page.keyboard.press("Tab")
    assert _focused(page, ".glossary-demo-run")
    changed, perimeter = focus_indicator(page)
    assert changed >= perimeter, (changed, perimeter)
    page.keyboard.press("Tab")
    assert _focused(page, ".glossary-demo-temperature")
    changed, perimeter = focus_indicator(page)
    assert changed >= perimeter, (changed, perimeter)
    start = float(page.locator(".glossary-demo-temperature-value").inner_text())  # the manifest's default
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    raised = f"{start + 0.1:.1f}"
    expect(page.locator(".glossary-demo-temperature-value")).to_have_text(raised)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # on "Continue": it samples at the new temperature
    status = page.locator(".glossary-demo-status")
    expect(status).to_have_text(re.compile(f"^Sampled at temperature {re.escape(raised)} "))
    _demo_done(page)


def test_digits_demo_by_keyboard(page: Any, site: Any) -> None:
    page.goto(site.url + "glossary/self-supervised-learning/")
    _demo_ready(page)
    _reach(page, ".glossary-demo-sample")
    status = page.locator(".glossary-demo-status")
    assert status.get_attribute("role") == "status"  # read out by screen readers
    for digit, key in ((0, "Enter"), (1, "Space")):
        page.keyboard.press(key)
        expect(status).to_have_text(re.compile(rf"^Sample {digit}: .+ reads \d \(\d+%\); .+ reads \d \(\d+%\)\.$"))
        for kind in ("pretrained", "scratch"):
            guess = page.text_content(f'.glossary-demo-out[data-model="{kind}"] .glossary-demo-guess') or ""
            assert guess.strip().isdigit(), guess
            assert guess.strip() in (status.text_content() or "")
    assert page.get_attribute(".glossary-demo", "data-sample") == "1"
    page.keyboard.press("Tab")
    assert _focused(page, ".glossary-demo-clear")
    changed, perimeter = focus_indicator(page)
    assert changed >= perimeter, (changed, perimeter)
    page.keyboard.press("Space")
    for kind in ("pretrained", "scratch"):
        expect(page.locator(f'.glossary-demo-out[data-model="{kind}"] .glossary-demo-guess')).to_have_text("–")


@pytest.fixture(scope="module")
def repo_site(fixture_site_factory: Any) -> Any:
    """The mini glossary published with a GitHub ``repo_url``: term pages show "Suggest an improvement"."""
    glossary = {p.name: p.read_text("utf-8") for p in MINI.glob("*.yaml")}
    config = {
        "site_name": "Repository fixture",
        "repo_url": REPO,
        "edit_uri": "edit/main/docs/",
        "theme": {"name": "material", "font": False},
        "plugins": ["search", {"glossary": {"glossary_dir": "glossary"}}],
    }
    return fixture_site_factory("repo", glossary, {"index.md": "# Home\n\nThe Alpha term.\n"}, config)


def test_suggest_an_improvement_by_keyboard(page: Any, repo_site: Any) -> None:
    page.goto(repo_site.url + "glossary/alpha-term/")
    _reach(page, ".glossary-suggest-link")
    with page.expect_request(lambda r: r.url.startswith(f"{REPO}/issues/new?")) as request:
        page.keyboard.press("Enter")
    assert "Alpha+term" in request.value.url or "Alpha%20term" in request.value.url
