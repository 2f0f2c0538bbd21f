"""The real site in headless chromium: term pages, auto-links, previews, index filters, search, graph.

The expectations come from the knowledge base itself (``glossary/``), loaded with the project's loader,
so the tests follow the content as it grows.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from _browser import TIMEOUT_MS, goto_instant, page_url
from aiglossary.loader import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
Server = Any  # conftest.Server: .url is the site's base URL, ending in "/"

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips first
    expect = None


def _plain(markdown: str) -> str:
    return re.sub(r"[`*_\[\]]|\]\([^)]*\)", "", markdown)


def _first_words(markdown: str, n: int = 4) -> str:
    return " ".join(_plain(markdown).split()[:n])


def _slug_from(url: str) -> str:
    match = re.search(r"/glossary/([a-z0-9-]+)/(?:index\.html)?(?:#.*)?$", urlparse(url).path + "#")
    assert match, f"{url} is not a term page URL"
    return match.group(1)


def _categories(value: str | None) -> set[str]:
    return set(re.split(r"[\s,]+", (value or "").strip())) - {""}


def _visible_rows(page: Any) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = page.locator(".glossary-index-item").evaluate_all(
        """rows => rows.filter(r => r.offsetParent !== null && getComputedStyle(r).visibility !== 'hidden')
                     .map(r => ({category: r.dataset.category || '', difficulty: r.dataset.difficulty || ''}))"""
    )
    return rows


def _choose_category(kb: KnowledgeBase) -> str:
    """A category that some, but not all, terms have (so the filter visibly filters)."""
    counts = Counter(c for e in kb.entries.values() for c in e.categories)
    total = len(kb.entries)
    cid, _ = max(((c, n) for c, n in counts.items() if n < total), key=lambda cn: (cn[1], cn[0]))
    return cid


def _apply_filters(page: Any, kb: KnowledgeBase, category: str, difficulty: str) -> None:
    page.select_option("#glossary-filter-category", category)
    want_cat = sum(1 for e in kb.entries.values() if category in e.categories)
    expect(page.locator(".glossary-index-item:visible")).to_have_count(want_cat)
    rows = _visible_rows(page)
    assert rows and all(category in _categories(r["category"]) for r in rows), rows

    page.select_option("#glossary-filter-difficulty", difficulty)
    want_both = sum(1 for e in kb.entries.values() if category in e.categories and e.difficulty.value == difficulty)
    expect(page.locator(".glossary-index-item:visible")).to_have_count(want_both)
    rows = _visible_rows(page)
    assert all(category in _categories(r["category"]) and r["difficulty"] == difficulty for r in rows), rows


def _reset_filters(page: Any, kb: KnowledgeBase) -> None:
    page.select_option("#glossary-filter-category", index=0)
    page.select_option("#glossary-filter-difficulty", index=0)
    expect(page.locator(".glossary-index-item:visible")).to_have_count(len(kb.entries))


def test_config_sets_site_url() -> None:
    """Material's instant navigation reads sitemap.xml, which lists nothing without ``site_url``."""
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    assert config.site_url, (
        "mkdocs.yml has no site_url: the built site's sitemap is empty and instant navigation is off"
    )


def test_term_page(page: Any, site: Server, kb: KnowledgeBase) -> None:
    entry = kb.entries["attention"]
    page.goto(site.url + "glossary/attention/")
    article = page.locator("article")
    expect(page.locator("article h1")).to_have_text(re.compile(rf"^\s*{re.escape(entry.term)}\b"))
    expect(article).to_contain_text(_first_words(entry.definition, 6))
    expect(article).to_contain_text(entry.difficulty.value, ignore_case=True)
    expect(article).to_contain_text(_first_words(entry.misconceptions[0].myth, 4))
    assert entry.term in page.title()


@pytest.mark.parametrize("start", ["", "glossary/attention/"], ids=["docs-page", "term-page"])
def test_follow_autolink(page: Any, site: Server, kb: KnowledgeBase, start: str) -> None:
    page.goto(site.url + start)
    link = page.locator("article a.glossary-term").first
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href
    slug = _slug_from(urljoin(page.url, href))
    assert slug in kb.entries and f"/{slug}/" not in page.url
    link.click()
    page.wait_for_url(page_url(f"glossary/{slug}/"))
    expect(page.locator(".md-content article h1").first).to_contain_text(kb.entries[slug].term)


def test_hover_shows_summary(page: Any, site: Server, kb: KnowledgeBase) -> None:
    page.goto(site.url + "glossary/attention/")
    link = page.locator("article a.glossary-term").first
    slug = _slug_from(urljoin(page.url, link.get_attribute("href") or ""))
    page.mouse.move(0, 0)
    link.hover()
    # The plugin's preview (assets/glossary-preview.js), named by the link while it is open.
    tooltip = page.locator('.glossary-preview [role="tooltip"]')
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(_first_words(kb.entries[slug].summary))
    expect(link).to_have_attribute("aria-describedby", tooltip.get_attribute("id") or "?")
    assert page.locator(".md-tooltip2--active, .md-tooltip--active").count() == 0  # never two tooltips
    # It stays while the pointer moves onto it (to read or select it), and goes once the pointer leaves.
    box = page.locator(".glossary-preview").bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
    page.wait_for_timeout(500)
    expect(tooltip).to_be_visible()
    page.mouse.move(0, 0)
    expect(tooltip).to_be_hidden()
    assert link.get_attribute("aria-describedby") is None


def test_index_filters(page: Any, site: Server, kb: KnowledgeBase) -> None:
    page.goto(site.url + "glossary/")
    expect(page.locator(".glossary-index-item")).to_have_count(len(kb.entries))
    expect(page.locator(".glossary-index-item:visible")).to_have_count(len(kb.entries))
    _apply_filters(page, kb, _choose_category(kb), "beginner")
    _reset_filters(page, kb)


def test_search_alias_lands_on_term(page: Any, site: Server, kb: KnowledgeBase) -> None:
    slug, alias = "large-language-model", "LLM"
    assert alias in kb.entries[slug].aliases
    page.goto(site.url)
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(alias, delay=30)
    first = page.locator(".md-search-result__item > a.md-search-result__link").first
    # Material's search worker indexes the whole site first ("Initializing search"): seconds on a busy
    # 2-core machine, so this waits as long as a page load may take, not expect()'s default 5 s.
    expect(first).to_have_attribute("href", re.compile(rf"glossary/{slug}/"), timeout=TIMEOUT_MS)
    first.click()
    page.wait_for_url(re.compile(rf"/glossary/{slug}/"))
    expect(page.locator(".md-content article h1").first).to_contain_text(kb.entries[slug].term)


def test_graph_click_opens_term(page: Any, site: Server, kb: KnowledgeBase) -> None:
    page.goto(site.url + "glossary/graph/")
    nodes = page.locator(".glossary-graph-node[data-slug]")
    expect(nodes).to_have_count(len(kb.entries))
    slugs = set(nodes.evaluate_all("ns => ns.map(n => n.dataset.slug)"))
    assert slugs == set(kb.entries)
    page.locator('.glossary-graph-node[data-slug="transformer"]').click()
    expect(page.locator("article h1")).to_contain_text(kb.entries["transformer"].term)
    # The address must follow (bookmark, reload and the back button depend on it).
    assert re.search(r"/glossary/transformer/$", page.url), f"the term opened but the URL is still {page.url}"


_COUNT_SWAPS = "document$.subscribe(() => { window.__swaps = (window.__swaps || 0) + 1 })"


def _navigated(page: Any, url: str | re.Pattern[str], before: int) -> None:
    """Wait until the URL is ``url`` and Material has swapped in the new document (or reloaded)."""
    page.wait_for_url(url)
    page.wait_for_function("n => window.__swaps === undefined || window.__swaps > n", arg=before)
    assert page.evaluate("window.__notReloaded === true"), f"navigating to {page.url} reloaded the page"


def _click_link_to(page: Any, url: str) -> None:
    """Click the first visible link to ``url`` (as a reader would) and wait for the instant navigation."""
    index = page.evaluate(
        """url => [...document.querySelectorAll('a[href]')].findIndex(a => a.href === url
                   && a.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
                   && a.getBoundingClientRect().width > 0)""",
        url,
    )
    assert index >= 0, f"no visible link to {url} on {page.url}"
    before = page.evaluate("window.__swaps")
    page.locator("a[href]").nth(index).click()
    _navigated(page, page_url(url), before)


def test_instant_navigation_keeps_page_and_filters(page: Any, site: Server, kb: KnowledgeBase) -> None:
    goto_instant(page, site.url)
    page.evaluate("window.__notReloaded = true")
    page.evaluate(_COUNT_SWAPS)
    index_url = site.url + "glossary/"
    _click_link_to(page, index_url)
    expect(page.locator(".glossary-index-item")).to_have_count(len(kb.entries))
    category = _choose_category(kb)
    _apply_filters(page, kb, category, "intermediate")
    _reset_filters(page, kb)

    # Away to a term page through the index, then back: the filter must still work.
    before = page.evaluate("window.__swaps")
    page.locator(".glossary-index-item a[href]").first.click()
    _navigated(page, re.compile(r"/glossary/[a-z0-9-]+/(#[\w-]+)?$"), before)
    expect(page.locator("article h1")).to_be_visible()
    before = page.evaluate("window.__swaps")
    page.go_back()
    _navigated(page, page_url(index_url), before)
    expect(page.locator(".glossary-index-item")).to_have_count(len(kb.entries))
    _apply_filters(page, kb, category, "beginner")
    _reset_filters(page, kb)

    # And again through the navigation (a second visit must not double-bind the handlers).
    _click_link_to(page, site.url)
    _click_link_to(page, index_url)
    expect(page.locator(".glossary-index-item")).to_have_count(len(kb.entries))
    _apply_filters(page, kb, category, "advanced")
