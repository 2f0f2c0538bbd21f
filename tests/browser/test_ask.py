"""The Ask box on the real site in Debian's chromium: lazy loading, keyboard, instant navigation, the
same order as ``engine ask``, and no serious axe finding with answers on screen.

onnxruntime-web 1.30 loading the committed ``docs/demos/ask/encoder.int8.onnx`` (opset 20, IR 10) and
answering is what proves the export runs in the browser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _browser import goto_instant, page_url
from test_accessibility import _axe_source, _serious

ROOT = Path(__file__).resolve().parents[2]
ASK = ROOT / "docs" / "demos" / "ask"

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Descriptions written for this test (not the benchmark's queries).
QUERIES = [
    "the model learns the training set by heart and fails on anything new",
    "splitting words into pieces before the network sees them",
    "a small network learns from the outputs of a large one",
    "how sure the model is when picking the next word, turned up for more varied text",
]
MODEL_MARKERS = ("/demos/ask/", ".onnx", "/ort/")


def _model_requests(requests: list[str]) -> list[str]:
    return [u for u in requests if any(m in u for m in MODEL_MARKERS)]


def _ask(page: Any, text: str) -> list[str]:
    page.fill(".glossary-ask-input", text)
    page.press(".glossary-ask-input", "Enter")
    page.wait_for_function(
        "q => { const b = document.querySelector('.glossary-ask'); "
        "return b.dataset.state === 'error' || (b.dataset.state === 'ready' && b.dataset.asked === q); }",
        arg=text,
    )
    assert page.get_attribute(".glossary-ask", "data-state") == "ready", page.inner_text(".glossary-ask-status")
    return list(page.eval_on_selector_all(".glossary-ask-result", "els => els.map(e => e.dataset.slug)"))


@pytest.fixture(scope="module")
def cli_answers() -> dict[str, list[str]]:
    from aiglossary_engine.ask.runtime import Ask

    ask = Ask(ASK)
    return {q: [a.slug for a in ask.ask(q, 5)] for q in QUERIES}


def test_ask_from_any_page_equals_the_terminal(site: Any, page: Any, watch: Any, cli_answers: Any) -> None:
    # A term page, then the search dialog's link to the Ask box, followed by instant navigation.
    goto_instant(page, site.url + "glossary/overfitting/")
    page.keyboard.press("/")  # Material's shortcut opens the search dialog
    link = page.locator(".glossary-ask-hint a")
    link.wait_for(state="visible")
    page.evaluate("window.__sameDocument = true")
    link.click()
    page.wait_for_url("**/glossary/#ask")
    assert page.evaluate("window.__sameDocument === true"), "the link did not go through instant navigation"
    box = page.locator(".glossary-ask")
    box.wait_for()
    assert page.get_attribute(".glossary-ask", "data-state") == "idle"
    assert _model_requests(watch.requests) == [], "the model was requested before Ask was used"
    # Keyboard only: the box's input has focus after the #ask link; type and press Enter.
    assert page.evaluate("document.activeElement.id") == "glossary-ask-input"
    page.keyboard.type(QUERIES[0])
    page.keyboard.press("Enter")
    page.wait_for_selector('.glossary-ask[data-state="ready"]')
    assert _model_requests(watch.requests), "answering must fetch the model"
    for query in QUERIES:
        got = _ask(page, query)
        assert got == cli_answers[query], f"browser {got} != engine ask {cli_answers[query]} for {query!r}"
    items = page.locator(".glossary-ask-result")
    assert items.count() == 5
    first = items.nth(0)
    assert first.locator(".glossary-ask-summary").inner_text().strip()
    assert first.locator(".glossary-ask-why").inner_text().startswith("Matched")
    status = page.locator(".glossary-ask-status")
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text().startswith("5 terms for")
    # Results are links to the term pages; following one keeps the page's scripts (instant navigation).
    slug = cli_answers[QUERIES[-1]][0]
    first.locator("a.glossary-ask-term").click()
    page.wait_for_url(page_url(f"glossary/{slug}/"))
    assert page.evaluate("window.__sameDocument === true")


def test_ask_state_has_no_serious_axe_violation(browser: Any, site: Any) -> None:
    axe = _axe_source()
    problems = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, reduced_motion="reduce")
        page = context.new_page()
        try:
            page.goto(site.url + "glossary/")
            _ask(page, QUERIES[1])
            found = _serious(page, axe)
            if found:
                problems[scheme] = found
        finally:
            context.close()
    assert problems == {}, "\n".join(f"{k}: {line}" for k, lines in problems.items() for line in lines)
