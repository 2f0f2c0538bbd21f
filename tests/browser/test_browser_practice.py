"""Self-check cards in headless chromium: "Test yourself" by keyboard alone, and the practice page.

The practice page keeps Leitner boxes in localStorage: the tests answer cards, reload, and find the
boxes where they left them; change the filters and see the deck change; reset; and feed the page
corrupt or outdated progress. Expectations come from the cards file the build wrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _browser import goto_instant
from aiglossary.loader import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
KEY = "aiglossary-practice"

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips first
    expect = None


@pytest.fixture(scope="module")
def cards(site: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site.root / "assets/glossary/practice-cards.json").read_text("utf-8"))
    return data


def _focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {cls: e.className || '', value: e.getAttribute('data-value') || '',
                           card: (e.closest('.glossary-card') || {dataset: {}}).dataset.card || ''}; }"""
    )


def test_term_page_cards_answered_by_keyboard_alone(page: Any, site: Any, kb: KnowledgeBase) -> None:
    # A term with more questions than the section shows at once, and no live demo (a lighter page).
    slug = next(s for s, e in sorted(kb.entries.items()) if e.demo is None and len(e.misconceptions) >= 4)
    page.goto(site.url + f"glossary/{slug}/")
    first = page.locator(".glossary-selfcheck .glossary-card").first
    # Start from the link just before the cards (tabbing from the top passes every link of the page).
    page.locator(".glossary-selfcheck .glossary-practice-link").focus()
    page.keyboard.press("Tab")
    now = _focused(page)
    assert "glossary-card-option" in now["cls"] and now["card"] == first.get_attribute("data-card")
    page.keyboard.press("Tab")
    second = _focused(page)
    assert second["card"] == now["card"] and second["value"] != now["value"]
    page.keyboard.press("Space")  # answer with the second option
    result = first.locator(".glossary-card-result")
    right = first.get_attribute("data-answer")
    verdict = "Correct." if second["value"] == right else "Not quite."
    expect(result).to_contain_text(verdict)
    assert result.get_attribute("role") == "status"
    # The explanation is announced with the verdict; right and wrong are written, not only coloured.
    assert first.locator(".glossary-card-explanation").is_visible()
    assert result.locator(".glossary-card-line").count() >= 1
    tags = first.locator(".glossary-card-tag").all_inner_texts()
    assert any("Your answer" in t for t in tags)
    if second["value"] != right:
        assert any("Right answer" in t for t in tags)
    # Answered is answered: the options stay focusable but a second press changes nothing.
    page.keyboard.press("Enter")
    assert result.locator(".glossary-card-verdict").count() == 1
    assert first.locator(".glossary-card-option[aria-disabled='true']").count() == 2

    # Tab on to the next card and answer it with Enter.
    for _ in range(10):
        page.keyboard.press("Tab")
        if _focused(page)["card"] not in ("", now["card"]):
            break
    nxt = _focused(page)
    assert "glossary-card-option" in nxt["cls"], nxt
    page.keyboard.press("Enter")
    card = page.locator(f'.glossary-card[data-card="{nxt["card"]}"]')
    expect(card.locator(".glossary-card-result")).to_contain_text(
        "Correct." if nxt["value"] == card.get_attribute("data-answer") else "Not quite."
    )

    # The questions behind "N more questions" open from the keyboard too.
    more = page.locator(".glossary-selfcheck-more > summary")
    more.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".glossary-selfcheck-more .glossary-card").first).to_be_visible()


def _boxes(page: Any) -> list[int]:
    counts = page.locator(".glossary-practice-box-count").all_inner_texts()
    return [int(c.replace(",", "")) for c in counts]


def _current(page: Any) -> Any:
    card = page.locator("#glossary-practice-stage .glossary-card")
    expect(card).to_have_count(1)
    return card


def _answer(page: Any, *, right: bool) -> str:
    card = _current(page)
    cid = card.get_attribute("data-card")
    answer = card.get_attribute("data-answer")
    sel = f'[data-value="{answer}"]' if right else f':not([data-value="{answer}"])'
    card.locator(f".glossary-card-option{sel}").first.click()
    expect(card.locator(".glossary-card-result")).to_contain_text("Correct." if right else "Not quite.")
    return cid


def _stored(page: Any) -> Any:
    return page.evaluate(f"() => JSON.parse(localStorage.getItem('{KEY}'))")


def test_practice_progress_survives_a_reload(page: Any, site: Any, watch: Any, cards: dict[str, Any]) -> None:
    total = len(cards["cards"])
    page.goto(site.url + "glossary/practice/")
    expect(page.locator("#glossary-practice-count")).to_have_text(f"{total:,} cards in this selection")
    assert _boxes(page) == [total, 0, 0, 0, 0]
    methods: list[str] = []
    page.on("request", lambda r: methods.append(f"{r.method} {r.url}"))

    right1 = _answer(page, right=True)
    page.locator(".glossary-practice-next").click()
    right2 = _answer(page, right=True)
    page.locator(".glossary-practice-next").click()
    wrong = _answer(page, right=False)
    assert len({right1, right2, wrong}) == 3
    assert _boxes(page) == [total - 2, 2, 0, 0, 0]
    stored = _stored(page)
    assert stored["v"] == 1
    assert {k: v["b"] for k, v in stored["cards"].items()} == {right1: 2, right2: 2, wrong: 1}
    # A right answer is due again in a day; a miss at once.
    assert stored["cards"][right1]["d"] > stored["cards"][wrong]["d"]
    # Answering sends nothing anywhere: the page only ever GETs files of the site.
    assert not [m for m in methods if not m.startswith("GET " + site.url) or "?" in m], methods

    page.reload()
    expect(page.locator("#glossary-practice-stage .glossary-card")).to_have_count(1)
    assert _boxes(page) == [total - 2, 2, 0, 0, 0]
    assert page.locator("#glossary-practice-due").inner_text().startswith(f"{total - 2:,} due now")
    # The two cards in box 2 are not due: the session does not show them.
    shown = _current(page).get_attribute("data-card")
    assert shown not in (right1, right2)

    # Reset asks first; "Cancel" keeps everything.
    page.locator("#glossary-practice-reset").click()
    expect(page.locator("#glossary-practice-confirm")).to_be_visible()
    page.locator("#glossary-practice-reset-no").click()
    expect(page.locator("#glossary-practice-confirm")).to_be_hidden()
    assert _boxes(page) == [total - 2, 2, 0, 0, 0]
    page.locator("#glossary-practice-reset").click()
    page.locator("#glossary-practice-reset-yes").click()
    expect(page.locator(".glossary-practice-box-count").nth(1)).to_have_text("0")
    assert _boxes(page) == [total, 0, 0, 0, 0]
    assert page.evaluate(f"() => localStorage.getItem('{KEY}')") is None
    page.reload()
    expect(page.locator("#glossary-practice-stage .glossary-card")).to_have_count(1)
    assert _boxes(page) == [total, 0, 0, 0, 0]
    assert not [m for m in methods if not m.startswith("GET " + site.url)], methods


def test_practice_filters_change_the_deck(page: Any, site: Any, kb: KnowledgeBase, cards: dict[str, Any]) -> None:
    terms = cards["terms"]
    # Reached through Material's instant navigation (no page load): the page binds on document$.
    goto_instant(page, site.url + "glossary/")
    page.locator(".glossary-intro a", has_text="practice page").click()
    expect(page.locator("#glossary-practice-stage .glossary-card")).to_have_count(1)
    assert page.evaluate("window.__glossarySitemapRead") is True  # the same document: no full load
    counts: dict[str, int] = {}
    for c in cards["cards"]:
        for cid in terms[c["i"].split(":")[0]]["c"]:
            counts[cid] = counts.get(cid, 0) + 1
    category = min(counts, key=lambda c: (counts[c], c))  # the smallest category: a visible change
    page.select_option("#glossary-practice-category", category)
    expect(page.locator("#glossary-practice-count")).to_have_text(f"{counts[category]:,} cards in this selection")
    assert sum(_boxes(page)) == counts[category]
    slug = _current(page).get_attribute("data-card").split(":")[0]
    assert category in kb.entries[slug].categories

    page.select_option("#glossary-practice-category", "")
    page.select_option("#glossary-practice-difficulty", "advanced")
    want = sum(1 for c in cards["cards"] if terms[c["i"].split(":")[0]]["d"] == "advanced")
    expect(page.locator("#glossary-practice-count")).to_have_text(f"{want:,} cards in this selection")
    slug = _current(page).get_attribute("data-card").split(":")[0]
    assert kb.entries[slug].difficulty.value == "advanced"
    # Progress made under a filter counts everywhere.
    cid = _answer(page, right=True)
    page.select_option("#glossary-practice-difficulty", "")
    assert _boxes(page)[1] == 1
    assert cid in _stored(page)["cards"]


def test_practice_survives_corrupt_and_outdated_progress(page: Any, site: Any, cards: dict[str, Any]) -> None:
    total = len(cards["cards"])
    ids = [c["i"] for c in cards["cards"]]
    page.goto(site.url + "glossary/practice/")
    expect(page.locator("#glossary-practice-stage .glossary-card")).to_have_count(1)
    for bad in ("{not json", '{"v": 2, "cards": {}}', '{"v": 1, "cards": [1, 2]}'):
        page.evaluate("([k, v]) => localStorage.setItem(k, v)", [KEY, bad])
        page.reload()
        expect(page.locator("#glossary-practice-stage .glossary-card")).to_have_count(1)
        assert _boxes(page) == [total, 0, 0, 0, 0], bad
    slug, kind, index, digest = ids[0].split(":")
    moved = f"{slug}:{kind}:{int(index) + 7}:{digest}"  # the same card, since moved within its entry
    progress = {
        "v": 1,
        "cards": {
            "no-such-term:myth:0:0123456789": {"b": 5, "d": 0},  # a card that no longer exists
            moved: {"b": 3, "d": 0},
            ids[1]: {"b": 4, "d": 0},
            ids[2]: {"b": "x", "d": 0},  # malformed entries are dropped
            ids[3]: {"b": 9, "d": 0},
            "__proto__": {"b": 2, "d": 0},
        },
    }
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [KEY, json.dumps(progress)])
    page.reload()
    expect(page.locator("#glossary-practice-stage .glossary-card")).to_have_count(1)
    assert _boxes(page) == [total - 2, 0, 1, 1, 0]
    # The card shown first comes from the lowest box (box 1), never from box 3 or 4.
    assert _current(page).get_attribute("data-card") not in (ids[0], ids[1])
    _answer(page, right=True)
    kept = _stored(page)["cards"]
    assert kept[ids[0]] == {"b": 3, "d": 0} and kept[ids[1]] == {"b": 4, "d": 0}
    assert not [k for k in kept if k.startswith("no-such-term") or k == moved or k in (ids[2], ids[3])]
