"""Self-check cards from entry YAML, without MkDocs: kinds, answers, stable ids, escaping, missing fields."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aiglossary import load_knowledge_base
from aiglossary.model import Comparison, ComparisonRow, Entry, Misconception, Relation, RelationKind
from aiglossary.sitegen import SiteBuilder
from aiglossary.sitegen.cards import KINDS, all_cards, entry_cards, text_of
from aiglossary.sitegen.render import MarkdownRenderer

from .conftest import MINI, ROOT
from .test_render import assert_inert

ID_RE = re.compile(r"^[a-z0-9-]+:(myth|order|column):\d+:[0-9a-f]{10}$")


@pytest.fixture(scope="module")
def mini() -> dict[str, Entry]:
    return load_knowledge_base(MINI).entries


@pytest.fixture(scope="module")
def real() -> dict[str, Entry]:
    return load_knowledge_base(ROOT / "glossary").entries


def by_kind(cards: list[Any], kind: str) -> list[Any]:
    return [c for c in cards if c.kind == kind]


def test_each_kind_comes_from_its_field(mini: dict[str, Entry]) -> None:
    beta = mini["beta-term"]
    cards = entry_cards("beta-term", beta, mini)
    assert [c.kind for c in cards] == ["myth"] * 3 + ["order"] * 2 + ["column"] * 3
    for card, m in zip(by_kind(cards, "myth"), beta.misconceptions, strict=True):
        assert card.statement in (m.myth, m.reality)
        assert card.answer == ("myth" if card.statement == m.myth else "reality")
        # The explanation is the half of the misconception the card did not show.
        assert card.explanation == (
            (("Reality", m.reality),) if card.answer == "myth" else (("The myth it answers", m.myth),)
        )
        assert card.options == (("myth", "Myth"), ("reality", "Reality"))
    # beta lists alpha as a prerequisite (alpha first) and gamma as a next step (beta first).
    first = {c.explanation[0][0]: c.answer for c in by_kind(cards, "order")}
    assert first == {"Alpha term": "alpha-term", "Gamma term": "beta-term"}
    for card in by_kind(cards, "order"):
        assert {v for v, _ in card.options} == {"alpha-term", "beta-term"} or {v for v, _ in card.options} == {
            "beta-term",
            "gamma-term",
        }
        assert card.explanation[0][1] == "A fixture relation."
    for card, row in zip(by_kind(cards, "column"), beta.comparison.rows, strict=True):
        assert card.options == (("this", "Beta term"), ("other", "Alpha term"))
        assert card.statement == (row.this if card.answer == "this" else row.other)
        assert card.explanation == (("Beta term", row.this), ("Alpha term", row.other))
        assert row.aspect in card.prompt
    assert all(c.question == KINDS[c.kind] for c in cards)


def test_real_glossary_every_entry_gets_cards(real: dict[str, Entry]) -> None:
    cards = all_cards(real)
    ids = [c.id for cs in cards.values() for c in cs]
    assert len(ids) == len(set(ids))
    assert all(ID_RE.match(i) for i in ids)
    for slug, entry in real.items():
        assert len(by_kind(cards[slug], "myth")) == len(entry.misconceptions)
        firsts = [r for r in entry.related if r.relation in (RelationKind.prerequisite, RelationKind.next_step)]
        assert len(by_kind(cards[slug], "order")) == len({r.term for r in firsts if r.term in real})
        for card in cards[slug]:
            assert card.answer in [v for v, _ in card.options]
            assert len({v for v, _ in card.options}) == len(card.options) == 2
    # Both sides of a misconception get asked about, and answers are not always the first option.
    answers = [c.answer for cs in cards.values() for c in cs]
    assert 0.3 < answers.count("myth") / (answers.count("myth") + answers.count("reality")) < 0.7
    orders = [c for cs in cards.values() for c in cs if c.kind == "order"]
    assert 0.3 < sum(c.answer == c.options[0][0] for c in orders) / len(orders) < 0.7


def test_cards_are_deterministic(mini: dict[str, Entry]) -> None:
    again = load_knowledge_base(MINI).entries
    assert all_cards(mini) == all_cards(again)


def test_ids_change_only_with_what_the_card_asks(mini: dict[str, Entry]) -> None:
    beta = mini["beta-term"]
    before = {c.id for c in entry_cards("beta-term", beta, mini)}
    # Text the cards do not use leaves every id as it was.
    edited = beta.model_copy(update={"definition": "Another definition.", "phrases": ["Other."]})
    assert {c.id for c in entry_cards("beta-term", edited, mini)} == before
    # Editing one misconception changes that card's id only.
    misc = list(beta.misconceptions)
    misc[1] = Misconception(myth="A new myth.", reality="A new reality.")
    changed = {c.id for c in entry_cards("beta-term", beta.model_copy(update={"misconceptions": misc}), mini)}
    assert len(before - changed) == 1 and len(changed - before) == 1
    assert (before - changed).pop().startswith("beta-term:myth:1:")
    # A misconception inserted first moves the others' index, not their hash (progress can follow them).
    inserted = [Misconception(myth="First.", reality="Now."), *beta.misconceptions]
    moved = entry_cards("beta-term", beta.model_copy(update={"misconceptions": inserted}), mini)
    old = {c.match_key for c in entry_cards("beta-term", beta, mini) if c.kind == "myth"}
    assert old <= {c.match_key for c in moved if c.kind == "myth"}


def test_missing_fields_give_fewer_cards(mini: dict[str, Entry]) -> None:
    beta = mini["beta-term"]
    bare = beta.model_copy(update={"misconceptions": [], "related": [], "comparison": None})
    assert entry_cards("beta-term", bare, mini) == []
    # Relations that give no order: other kinds, an unknown term, the entry itself.
    rel = [
        Relation(term="delta-term", relation=RelationKind.see_also, note="n"),
        Relation(term="nowhere", relation=RelationKind.prerequisite, note="n"),
        Relation(term="beta-term", relation=RelationKind.next_step, note="n"),
    ]
    assert by_kind(entry_cards("beta-term", beta.model_copy(update={"related": rel}), mini), "order") == []
    # A comparison with an unknown neighbour, or rows whose two cells say the same, give no column card.
    unknown = Comparison.model_validate({"with": "nowhere", "rows": [{"aspect": "A", "this": "x", "other": "y"}]})
    assert by_kind(entry_cards("beta-term", beta.model_copy(update={"comparison": unknown}), mini), "column") == []
    same = Comparison.model_validate(
        {"with": "alpha-term", "rows": [{"aspect": "A", "this": "same  text", "other": "same text"}]}
    )
    assert by_kind(entry_cards("beta-term", beta.model_copy(update={"comparison": same}), mini), "column") == []


HOSTILE_MYTH = "`<script>window.__xss_myth=1</script>` runs when a card shows it."
HOSTILE_REALITY = "&lt;img src=x onerror=alert(1)&gt; stays text, and so does `<b onclick=x>`."


def _hostile(mini: dict[str, Entry]) -> dict[str, Entry]:
    beta = mini["beta-term"]
    row = ComparisonRow(aspect='<img src=x onerror="alert(1)">', this="`<i>x</i>`", other="&lt;b&gt;b&lt;/b&gt;")
    alpha = mini["alpha-term"].model_copy(update={"term": "Alpha <svg onload=alert(1)> term"})
    hostile = beta.model_copy(
        update={
            "misconceptions": [Misconception(myth=HOSTILE_MYTH, reality=HOSTILE_REALITY)],
            "comparison": Comparison.model_validate({"with": "alpha-term", "rows": [row.model_dump()]}),
        }
    )
    return {**mini, "beta-term": hostile, "alpha-term": alpha}


def test_card_text_is_escaped_on_term_pages(mini: dict[str, Entry]) -> None:
    entries = _hostile(mini)
    kb = load_knowledge_base(MINI)
    kb.entries.clear()
    kb.entries.update(entries)
    page = SiteBuilder(kb, stash=True).term_page("beta-term")
    section = page.expanded()
    section = section[section.index("## Test yourself") :]
    section = section[: section.index("<!--/glossary-nosearch-->")]
    assert section.count('class="glossary-card"') == len(entry_cards("beta-term", entries["beta-term"], entries))
    assert_inert(section)
    assert "&lt;script&gt;window.__xss_myth=1&lt;/script&gt;" in section
    assert "Alpha &lt;svg onload=alert(1)&gt; term" in section  # option labels (plain text) are escaped
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in section or "&lt;img src=x onerror=&quot;" in section


def test_practice_json_holds_text_only(mini: dict[str, Entry]) -> None:
    entries = _hostile(mini)
    kb = load_knowledge_base(MINI)
    kb.entries.clear()
    kb.entries.update(entries)
    builder = SiteBuilder(kb)
    data = json.loads(builder.practice_json())
    assert data["version"] == 1 and data["kinds"] == KINDS
    cards = {c["i"]: c for c in data["cards"]}
    expected = all_cards(entries)
    assert list(cards) == [c.id for cs in expected.values() for c in cs]
    myth = next(c for i, c in cards.items() if i.startswith("beta-term:myth:0:"))
    lines = dict(myth["x"])
    shown = myth["x"][myth["q"]][1] if isinstance(myth["q"], int) else myth["q"]
    # The plain text a reader sees (the page's script inserts it as text): code spans keep their
    # characters, entities are decoded, nothing is markup any more.
    texts = {
        "<script>window.__xss_myth=1</script> runs when a card shows it.",
        "<img src=x onerror=alert(1)> stays text, and so does <b onclick=x>.",
    }
    assert {shown, *lines.values()} == texts
    assert "o" not in myth  # myth cards use the shared options
    assert data["options"]["myth"] == [["myth", "Myth"], ["reality", "Reality"]]
    assert data["terms"]["beta-term"] == {
        "t": "Beta term",
        "u": "../beta-term/",
        "c": ["ml-fundamentals"],
        "d": "beginner",
    }
    column = next(c for i, c in cards.items() if i.startswith("beta-term:column:"))
    assert column["o"] == [["this", "Beta term"], ["other", "Alpha <svg onload=alert(1)> term"]]


def test_text_of_decodes_sanitised_html() -> None:
    md = MarkdownRenderer()
    assert text_of(md.inline("A `<b>` tag and **bold** [link](https://example.org)")) == "A <b> tag and bold link"
    assert text_of("&amp;lt; &quot;q&quot;") == '&lt; "q"'


def test_practice_page_is_generated() -> None:
    builder = SiteBuilder(load_knowledge_base(MINI))
    pages = {p.src_uri: p for p in builder.pages()}
    page = pages["glossary/practice.md"]
    assert page.kind == "practice"
    md = page.expanded()
    assert 'data-src="../../assets/glossary/practice-cards.json"' in md
    total = sum(len(builder.cards(s)) for s in builder.entries)
    assert f"{total} questions from the 4 terms" in md
    assert 'id="glossary-practice-category"' in md and 'id="glossary-practice-difficulty"' in md
    assert 'id="glossary-practice-reset"' in md
    term = pages["glossary/beta-term.md"].expanded()
    assert 'href="../practice/"' in term[term.index("## Test yourself") :]
    assert 'href="practice/"' in pages["glossary/index.md"].expanded()
