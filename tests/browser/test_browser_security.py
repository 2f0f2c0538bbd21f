"""Hostile entry text, accepted by the loader, must render inert in every page a reader can reach.

A small site is built from a fixture glossary whose entry carries payloads in every field the model
allows them in: raw HTML in plain-text fields (term, aliases, titles, names, category titles, which the
loader does not treat as Markdown), HTML in code spans, HTML entities, template syntax, links whose
scheme hides behind an entity, reference-style links, attribute lists. Each script payload sets its
own ``window.__xss_*`` flag; the test opens every page, hovers the previews (the plugin's term previews
and Material's title tooltips), searches, and asserts
that no flag is set, no dialog opened, no element carries an ``on*`` handler, no link has a
non-web scheme, and the text is shown as written.

Two payloads pass ``--strict`` through ordinary Markdown rather than raw HTML (issue 12): a link title
written with entities (Material's ``content.tooltips`` shows a ``title`` as HTML), and a summary that
closes the ``content`` of ``<meta name="description">`` to add ``http-equiv="refresh"``. Every link
of every page is hovered, and the redirect page must stay where it is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiglossary.loader import load_knowledge_base
from aiglossary.sitegen.render import plain_text

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "# yaml-language-server: $schema=schema.json\n"

expect: Any
try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the browser fixture skips first
    expect = None


def img(flag: str) -> str:
    return f'<img src=x onerror="window.__xss_{flag}=1">'


def _entry(**fields: Any) -> str:
    return SCHEMA + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000)


HOSTILE = _entry(
    term=f"Hostile {img('term')} term",
    aliases=["Hostile term", '<svg onload="window.__xss_alias=1">', "{{ 7*7 }}"],
    plural=[],
    categories=["evil", "safe"],
    difficulty="beginner",
    summary=(
        f"Inert `{img('summary')}` text, {{{{ 7*7 }}}}, {{% raw %}} and &lt;script&gt;alert(1)&lt;/script&gt; here."
    ),
    definition=(
        "Template {{ 7*7 }} and {{ config.site_name }} and {% raw %}raw{% endraw %} and {# comment #}. "
        "Entity &lt;img src=x onerror=alert(1)&gt; and [an entity link](javascript&#58;window.__xss_entity=1) "
        'and [an attr link](https://example.org/){: onclick="window.__xss_attrlist=1" } end.'
    ),
    explanation=(
        "See [the reference][evil] and [the data link][evil2]; onerror=alert(1) is just words.\n\n"
        "[evil]: javascript:window.__xss_reflink=1\n"
        "[evil2]: data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\n"
    ),
    analogy="A code span `<script>window.__xss_code=1</script>` shows its text.",
    examples=[
        {"domain": "<b>Vision</b>", "title": img("example"), "text": "Plain {{ 7*7 }} text."},
        {"domain": "Language", "title": "Second", "text": "Nothing to see."},
        {"domain": "Speech", "title": "Third", "text": "Nothing to see."},
    ],
    comparison={
        "with": "safe-term",
        "rows": [{"aspect": img("aspect"), "this": "`<i>x</i>`", "other": "&lt;b&gt;bold&lt;/b&gt;"}],
    },
    why_it_matters="An image ![pic](javascript&#58;window.__xss_image=1) must not load.",
    where_used=[{"name": img("usage"), "text": "Used {% raw %} here.", "source": "src"}],
    misconceptions=[
        {"myth": "{{ 7*7 }} gets evaluated.", "reality": "&lt;script&gt;alert(1)&lt;/script&gt; stays text."},
        # Self-check cards show misconceptions as questions, on term pages and on the practice page.
        {
            "myth": "A card runs `<script>window.__xss_cardmyth=1</script>` when it is shown.",
            "reality": "&lt;img src=x onerror=window.__xss_cardreality=1&gt; and `</legend><b onclick=x>` stay text.",
        },
    ],
    phrases=["Say `<script>alert(1)</script>` aloud.", "[a phrase link](javascript&#58;alert(1))"],
    related=[{"term": "safe-term", "relation": "see-also", "note": f"`{img('note')}` note"}],
    sources=[{"id": "src", "kind": "docs", "title": f"</a>{img('source')}", "url": "https://example.org/a?b=c&d=e"}],
)

SAFE = _entry(
    term="Safe term",
    categories=["safe"],
    difficulty="intermediate",
    summary="An ordinary entry that mentions the other one.",
    definition="A plain definition that mentions the Hostile term once.",
    explanation="The Hostile term is linked from here, so hovering it previews its summary.",
    analogy="Like a neighbour.",
    examples=[{"domain": "Language", "title": "One", "text": "An example."}],
    comparison={"with": "hostile-term", "rows": [{"aspect": "Safety", "this": "safe", "other": "hostile"}]},
    why_it_matters="It links to the hostile entry.",
    where_used=[{"name": "Tests", "text": "Used in tests."}],
    misconceptions=[{"myth": "Nothing.", "reality": "Nothing."}],
    phrases=["A phrase."],
    related=[{"term": "hostile-term", "relation": "next-step", "note": "Read it next."}],
)

CATEGORIES = yaml.safe_dump(
    {
        "safe": {"title": "Safe", "description": "Ordinary terms."},
        "evil": {
            "title": f"Evil {img('category')}",
            "description": "<script>window.__xss_catdesc=1</script> {{ 7*7 }}",
        },
    },
    sort_keys=False,
)

TITLE_LINK = '[the docs](https://example.org/ "&lt;img src=x onerror=window.__xss_{}=1&gt;")'


def _plain_entry(term: str, summary: str, definition: str) -> str:
    return _entry(
        term=term,
        categories=["safe"],
        difficulty="beginner",
        summary=summary,
        definition=definition,
        explanation=f"Also {TITLE_LINK.format('title_explanation')}.",
        analogy="Like a trap.",
        examples=[{"domain": "Language", "title": "One", "text": f"See {TITLE_LINK.format('title_example')}."}],
        comparison={"with": "safe-term", "rows": [{"aspect": "Safety", "this": "trap", "other": "safe"}]},
        why_it_matters="It hides payloads in ordinary Markdown.",
        where_used=[{"name": "Tests", "text": "Used in tests."}],
        misconceptions=[{"myth": "Titles are text.", "reality": "Tooltips may render them."}],
        phrases=["A phrase."],
        related=[{"term": "safe-term", "relation": "see-also", "note": f"Note {TITLE_LINK.format('title_note')}."}],
    )


# A link title in the summary reaches term links' previews, the index and the category pages.
TRAP = _plain_entry(
    "Trap term",
    f'Read {TITLE_LINK.format("title_summary")} first. Harmless" onmouseover="alert(1)',
    f"See {TITLE_LINK.format('title_definition')} for more.",
)
# The summary becomes <meta name="description" content="...">: unescaped, the page would redirect.
REDIRECT = _plain_entry(
    "Redirect term",
    '0;url=http://127.0.0.1:9/hijacked" http-equiv="refresh',
    'A "quoted" word, as in knowledge-distillation\'s "student".',
)

DOCS = {
    "index.md": "# Home\n\nThe Hostile term and the Safe term are both defined in the glossary.\n",
}

PAGES = [
    "",
    "glossary/hostile-term/",
    "glossary/safe-term/",
    "glossary/trap-term/",
    "glossary/redirect-term/",
    "glossary/categories/safe/",
    "glossary/",
    "glossary/categories/evil/",
    "glossary/learning-path/",
    "glossary/graph/",
    "glossary/practice/",
]

_PROBE = """() => ({
  flags: Object.keys(window).filter(k => k.startsWith('__xss')),
  handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
      .filter(a => a.name.toLowerCase().startsWith('on')).map(a => `${e.tagName}[${a.name}]`)),
  // SVG links (the graphs) hold their href as an SVGAnimatedString: resolve its value like HTML's.
  badLinks: [...document.querySelectorAll('a[href], area[href]')]
      .map(a => typeof a.href === 'string' ? a.href : new URL(a.href.baseVal, document.baseURI).href)
      .filter(h => !/^(https?|mailto):/i.test(h)),
  badSources: [...document.querySelectorAll('img[src], iframe[src], embed[src], object[data]')]
      .map(e => e.src || e.data).filter(s => !/^https?:/i.test(s) || /\\/x$/.test(s)),
  scripts: [...document.scripts].map(s => s.textContent)
      .filter(t => t.includes('__xss') || t.includes('alert(1)')),
})"""


def _site_config() -> dict[str, Any]:
    """The real site's theme and Markdown extensions, this glossary, no repository link."""
    from mkdocs.utils.yaml import yaml_load

    with open(ROOT / "mkdocs.yml", encoding="utf-8") as fh:
        real = yaml_load(fh)
    return {
        "site_name": "Hostile fixture",
        "theme": real["theme"],
        "markdown_extensions": real.get("markdown_extensions", []),
        "plugins": ["search", {"glossary": {"glossary_dir": "glossary"}}],
    }


@pytest.fixture(scope="module")
def hostile_site(fixture_site_factory: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    glossary = {
        "_categories.yaml": CATEGORIES,
        "hostile-term.yaml": HOSTILE,
        "safe-term.yaml": SAFE,
        "trap-term.yaml": TRAP,
        "redirect-term.yaml": REDIRECT,
    }
    # The payloads must reach the renderer: the loader accepts the entry (no errors, nothing left out).
    check = tmp_path_factory.mktemp("hostile-check") / "glossary"
    check.mkdir()
    for name, text in glossary.items():
        (check / name).write_text(text, "utf-8")
    kb = load_knowledge_base(check)
    assert not kb.errors, [str(p) for p in kb.errors]
    assert set(kb.entries) == {"hostile-term", "safe-term", "trap-term", "redirect-term"}
    return fixture_site_factory("hostile", glossary, DOCS, _site_config())


def test_summary_cannot_redirect_or_add_attributes(page: Any, watch: Any, hostile_site: Any) -> None:
    url = hostile_site.url + "glossary/redirect-term/"
    page.goto(url)
    page.wait_for_timeout(1_500)  # a refresh of delay 0 would have left by now
    assert page.url == url
    assert not [r for r in watch.requests if "hijacked" in r], watch.requests
    metas = page.eval_on_selector_all(
        "meta", "els => els.map(m => [m.name, m.httpEquiv, m.content, m.getAttribute('onmouseover')])"
    )
    assert not [m for m in metas if m[1]], metas  # no http-equiv at all
    assert ["description", "", '0;url=http://127.0.0.1:9/hijacked" http-equiv="refresh', None] in metas
    page.goto(hostile_site.url + "glossary/trap-term/")
    description = page.eval_on_selector("meta[name=description]", "m => m.content")
    assert description == 'Read the docs first. Harmless" onmouseover="alert(1)'
    _assert_inert(page, "trap-term meta")


def _assert_inert(page: Any, where: str) -> None:
    found = page.evaluate(_PROBE)
    assert found == {"flags": [], "handlers": [], "badLinks": [], "badSources": [], "scripts": []}, where


def _hover_every_link(page: Any, where: str) -> int:
    """Hover each visible link of the content in turn (term links open their preview, titled ones
    Material's tooltip)."""
    hovered = 0
    for link in page.locator(".md-content a:not(.glossary-graph-node)").all():  # graph nodes: see below
        if link.is_visible():
            link.hover(timeout=5_000)
            hovered += 1
    page.wait_for_timeout(100)  # the last tooltip mounts; a payload run by any hover left its flag
    return hovered


def test_hostile_entry_renders_inert(page: Any, watch: Any, hostile_site: Any) -> None:
    for path in PAGES:
        page.goto(hostile_site.url + path)
        if path.endswith("graph/"):
            nodes = page.locator(".glossary-graph-node[data-slug]")
            expect(nodes).to_have_count(4)
            for node in nodes.all():  # the graph owns pointer events (pan, hover): events, not the mouse
                node.dispatch_event("mouseover")
                node.dispatch_event("mouseenter")
        assert _hover_every_link(page, path or "home") > 0, path
        _assert_inert(page, path or "home")

    page.goto(hostile_site.url + "glossary/hostile-term/")
    text = page.locator("article").inner_text()
    for shown in ("{{ 7*7 }}", "{% raw %}", "<img src=x", "alert(1)", "onerror=alert(1) is just words"):
        assert shown in text, f"{shown!r} is not shown as text on the term page"
    assert "49" not in text, "template syntax in entry text was evaluated"

    # The hover preview of the hostile term, from the safe term's page.
    page.goto(hostile_site.url + "glossary/safe-term/")
    link = page.locator('article a.glossary-term[href*="hostile-term"]').first
    link.hover()
    preview = page.locator('.glossary-preview [role="tooltip"]')
    expect(preview).to_be_visible()
    # The summary is shown as the plain text the site makes of it (the markup in it as text), inert.
    shown = preview.locator(".glossary-preview-summary").text_content()
    assert shown == plain_text(yaml.safe_load(HOSTILE)["summary"]), shown
    assert "&lt;script&gt;alert(1)" in (shown or "")
    assert preview.locator("*").evaluate_all("els => els.map(e => e.tagName)") == ["SPAN", "STRONG", "SPAN", "SPAN"]
    assert page.locator(".md-tooltip2--active, .md-tooltip--active").count() == 0
    _assert_inert(page, "tooltip")

    # Search for the hostile term and show its results.
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially("Hostile", delay=20)
    expect(page.locator(".md-search-result__item").first).to_be_visible()
    _assert_inert(page, "search results")

    # No link title comes from entry text (Material's tooltip would show it as HTML): term links carry
    # their preview in data- attributes, which the preview script only ever sets as text.
    for path in ("glossary/trap-term/", "glossary/", "glossary/categories/safe/"):
        page.goto(hostile_site.url + path)
        titles = page.eval_on_selector_all(
            "article a[title]:not(.headerlink)", "els => els.map(a => [a.className, a.title])"
        )
        assert titles == [], (path, titles)

    assert not watch.dialogs, watch.dialogs
    assert not re.search(r"__xss", " ".join(watch.console_errors)), watch.console_errors


def _answer_every_card(page: Any) -> int:
    """Open the hidden questions and answer each card with its first option."""
    page.evaluate("document.querySelectorAll('.glossary-selfcheck-more').forEach((d) => { d.open = true; })")
    cards = page.locator(".glossary-card:not([data-answered])")
    answered = 0
    while cards.count() and answered < 50:
        cards.first.locator(".glossary-card-option").first.click()
        answered += 1
    return answered


def test_hostile_cards_render_inert(page: Any, watch: Any, hostile_site: Any) -> None:
    """Every card of the hostile entry, answered on its page and on the practice page, shows its text."""
    page.goto(hostile_site.url + "glossary/hostile-term/")
    assert _answer_every_card(page) >= 3
    _assert_inert(page, "hostile-term cards")
    text = page.locator(".glossary-selfcheck").inner_text()
    assert "<script>window.__xss_cardmyth=1</script>" in text
    assert "<img src=x onerror=window.__xss_cardreality=1>" in text
    assert "Hostile <img src=x onerror" in text  # the term's name, as an option of its "Which column?" card
    page.goto(hostile_site.url + "glossary/safe-term/")
    assert _answer_every_card(page) >= 2  # its order card offers the hostile term's name as an option
    _assert_inert(page, "safe-term cards")

    page.goto(hostile_site.url + "glossary/practice/")
    page.wait_for_selector("#glossary-practice-stage .glossary-card")  # the cards arrive by fetch
    seen = []
    for _ in range(40):
        stage = page.locator("#glossary-practice-stage")
        card = stage.locator(".glossary-card")
        if not card.count():
            break
        card.locator(f'.glossary-card-option[data-value="{card.get_attribute("data-answer")}"]').click()
        seen.append(stage.inner_text())
        _assert_inert(page, f"practice card {len(seen)}")
        page.locator(".glossary-practice-next").click()
    shown = "\n".join(seen)
    assert "<script>window.__xss_cardmyth=1</script>" in shown
    assert "</legend><b onclick=x>" in shown
    assert not watch.dialogs, watch.dialogs
