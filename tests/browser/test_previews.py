"""Term previews (assets/glossary-preview.js) on the real site: keyboard, touch and screen readers.

A preview is a ``role="tooltip"`` element that the link names with ``aria-describedby`` while it is
open. It opens on keyboard focus (Escape closes it and focus stays put), on hover (see
test_browser_site.py), and on a first tap on a touch screen, which does not follow the link: a second
tap, or the preview's "Open <term>" link, does. It never covers its link. The expected texts come
from the knowledge base.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from _browser import PHONE, goto_instant, open_page, page_url, tab_to
from aiglossary.loader import KnowledgeBase
from aiglossary.sitegen.pages import DIFFICULTY_LABELS
from aiglossary.sitegen.render import plain_text

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips first
    expect = None


def _slug(page: Any, link: Any) -> str:
    href = urljoin(page.url, link.get_attribute("href") or "")
    match = re.search(r"/glossary/([a-z0-9-]+)/$", urlparse(href).path)
    assert match, href
    return match.group(1)


def _apart(a: dict[str, float], b: dict[str, float]) -> bool:
    """True when two boxes do not overlap at all."""
    return (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _expect_preview_of(page: Any, link: Any, kb: KnowledgeBase) -> Any:
    """The open preview of ``link``: a tooltip the link names, with the term's text, beside the link."""
    slug = _slug(page, link)
    entry = kb.entries[slug]
    expect(link).to_have_attribute("aria-describedby", re.compile(r"\S"))
    tip = page.locator("#" + (link.get_attribute("aria-describedby") or ""))
    expect(tip).to_be_visible()
    expect(tip).to_have_attribute("role", "tooltip")
    summary = plain_text(entry.summary)
    assert tip.locator(".glossary-preview-summary").text_content() == summary
    label = DIFFICULTY_LABELS[entry.difficulty.value]
    assert " ".join((tip.text_content() or "").split()) == f"{entry.term} {label} {summary}"
    box, own = page.locator(".glossary-preview").bounding_box(), link.bounding_box()
    assert box and own and _apart(box, own), (box, own)
    width = page.evaluate("document.documentElement.clientWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
    return tip


def test_keyboard_focus_opens_preview_and_escape_closes_it(page: Any, site: Any, kb: KnowledgeBase) -> None:
    page.goto(site.url + "glossary/attention/")
    tab_to(page, "article a.glossary-term")
    link = page.locator("article a.glossary-term:focus")
    tip = _expect_preview_of(page, link, kb)

    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    assert link.get_attribute("aria-describedby") is None
    assert page.evaluate("document.activeElement.matches('article a.glossary-term:focus')")

    # On to the next term link: its own preview; back again: the first one's, open once more.
    tab_to(page, "article a.glossary-term", limit=20)
    following = page.locator("article a.glossary-term:focus")
    _expect_preview_of(page, following, kb)
    tab_to(page, "article a.glossary-term", limit=20, key="Shift+Tab")
    back = page.locator("article a.glossary-term:focus")
    _expect_preview_of(page, back, kb)
    # One preview, never two tooltips for a term link. (Shift+Tab passes a heading's permalink, whose
    # own Material tooltip may still be fading out: that one is about the heading, not a term.)
    texts = page.locator('[role="tooltip"]:visible').all_text_contents()
    assert [t for t in texts if t.strip() != "Permanent link"] == [tip.text_content()], texts


def test_touch_first_tap_previews_and_open_follows(browser: Any, site: Any, watch: Any, kb: KnowledgeBase) -> None:
    context, page = open_page(browser, watch, **PHONE)
    try:
        goto_instant(page, site.url + "glossary/attention/")
        page.evaluate("window.__notReloaded = true")
        here = urlparse(page.url).path
        links = page.locator("article a.glossary-term")
        link = links.nth(2)
        link.tap()
        tip = _expect_preview_of(page, link, kb)
        assert urlparse(page.url).path == here, "a first tap followed the link"
        slug = _slug(page, link)
        opener = page.locator(".glossary-preview-open")
        expect(opener).to_be_visible()
        expect(opener).to_have_text(f"Open {kb.entries[slug].term}")

        # Tapping elsewhere closes it.
        page.locator("article h1").tap()
        expect(tip).to_be_hidden()

        # A link near the bottom of the screen: the preview flips above it, still clear of it.
        low = links.nth(6)
        page.evaluate(
            """el => { const r = el.getBoundingClientRect();
                       window.scrollBy(0, r.bottom - (innerHeight - 40)); }""",
            low.element_handle(),
        )
        box = low.bounding_box()
        assert box
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        _expect_preview_of(page, low, kb)
        above = page.locator(".glossary-preview").bounding_box()
        assert above and above["y"] + above["height"] <= box["y"], (above, box)
        assert urlparse(page.url).path == here

        # "Open <term>" follows the link, through Material's instant navigation.
        target = _slug(page, low)
        page.locator(".glossary-preview-open").tap()
        # Material's navigation.tracking may add the section in view to the address (#plain-explanation).
        page.wait_for_url(page_url(f"glossary/{target}/"))
        expect(page.locator("article h1")).to_contain_text(kb.entries[target].term)
        assert page.evaluate("window.__notReloaded === true"), "opening the term reloaded the page"
        expect(page.locator(".glossary-preview")).to_be_hidden()

        # On the new page, a second tap on the same link follows it.
        again = page.locator("article a.glossary-term").first
        again.tap()
        _expect_preview_of(page, again, kb)
        second = _slug(page, again)
        again.tap()
        page.wait_for_url(page_url(f"glossary/{second}/"))
        expect(page.locator("article h1")).to_contain_text(kb.entries[second].term)
    finally:
        context.close()
    assert not watch.problems(), watch.problems()
