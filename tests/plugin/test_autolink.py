"""The term matcher: word boundaries, case rules, plurals, first mention per section, skipped elements."""

from __future__ import annotations

import re

import pytest
from aiglossary.sitegen.autolink import (
    NOLINK_END,
    NOLINK_START,
    TermMatcher,
    is_abbreviation,
    regular_plurals,
    unlink,
)
from hypothesis import given, settings
from hypothesis import strategies as st

NAMES = {
    "neural-network": ["neural network", "neural networks", "neural net", "ANN", "ANNs"],
    "large-language-model": ["Large language model", "large language models", "LLM", "LLMs"],
    "language-model": ["Language model", "language models", "LM", "LMs"],
    "batch": ["Batch", "batches", "mini-batch"],
    "onnx": ["ONNX"],
    "amp": ["amp"],
}


@pytest.fixture(scope="module")
def matcher() -> TermMatcher:
    return TermMatcher(NAMES)


def slugs(matcher: TermMatcher, text: str) -> list[str]:
    return [slug for _, _, slug in matcher.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a neural network here", ["neural-network"]),
        ("A Neural Network here", ["neural-network"]),  # words: any case
        ("NEURAL NETWORK", ["neural-network"]),
        ("two neural networks", ["neural-network"]),  # plural
        ("neural networking", []),  # whole words only
        ("preneural network", []),
        ("an LLM and LLMs", ["large-language-model", "large-language-model"]),
        ("an llm", []),  # abbreviations: exact case
        ("Llm", []),
        ("large language models", ["large-language-model"]),  # longest wins over "language models"
        ("a language model", ["language-model"]),
        ("export to ONNX.", ["onnx"]),
        ("onnx", []),
        ("one batch, two batches, a mini-batch", ["batch", "batch", "batch"]),
        ("LLM-based tools", ["large-language-model"]),  # hyphen is a boundary
        ("neural_network", []),
        ("", []),
    ],
)
def test_find(matcher: TermMatcher, text: str, expected: list[str]) -> None:
    assert slugs(matcher, text) == expected


def test_find_offsets(matcher: TermMatcher) -> None:
    text = "An LLM is a large language model."
    assert [(text[a:b], s) for a, b, s in matcher.find(text)] == [
        ("LLM", "large-language-model"),
        ("large language model", "large-language-model"),
    ]


def test_unicode_case_folding_keeps_offsets() -> None:
    m = TermMatcher({"x": ["straße"], "y": ["model"]})
    text = "İİ STRASSE straße model"
    found = [(text[a:b], s) for a, b, s in m.find(text)]
    assert found == [("straße", "x"), ("model", "y")]


def link(matcher: TermMatcher, html: str, own: str | None = None) -> tuple[str, set[str]]:
    result = matcher.link_html(
        html, href=lambda s: f"/g/{s}/", preview=lambda s: f' data-glossary-summary="about {s}"', own=own
    )
    return result.html, result.linked


def test_link_html_first_mention_per_section(matcher: TermMatcher) -> None:
    html = "<h2>One</h2><p>An LLM, another LLM.</p><p>LLM again.</p><h2>Two</h2><p>LLM once more.</p>"
    out, linked = link(matcher, html)
    assert out.count('class="glossary-term"') == 2
    assert out.startswith('<h2>One</h2><p>An <a class="glossary-term" href="/g/large-language-model/"')
    assert 'data-glossary-summary="about large-language-model">LLM</a>, another LLM.' in out
    assert "<h2>Two</h2><p><a class" in out
    assert linked == {"large-language-model"}


@pytest.mark.parametrize(
    "html",
    [
        "<p><code>LLM</code></p>",
        "<pre><code>an LLM\n</code></pre>",
        '<p><a href="/x/">an LLM</a></p>',
        "<h2>LLM</h2>",
        "<h4>An <em>LLM</em></h4>",
        "<p><kbd>LLM</kbd></p>",
        "<script>var LLM = 1;</script>",
        "<!-- LLM -->",
        '<p title="LLM">x</p>',
        f"<p>{NOLINK_START}an LLM{NOLINK_END}</p>",
    ],
)
def test_link_html_skips(matcher: TermMatcher, html: str) -> None:
    out, linked = link(matcher, html)
    assert "glossary-term" not in out
    assert linked == set()


def test_link_html_resumes_after_skipped_elements(matcher: TermMatcher) -> None:
    out, _ = link(matcher, "<p><code>LLM</code> and <a href='#'>LLM</a> then LLM</p>")
    assert out.endswith(
        'then <a class="glossary-term" href="/g/large-language-model/" data-glossary-summary="about large-language-model">LLM</a></p>'
    )


def test_link_html_never_links_own_page(matcher: TermMatcher) -> None:
    out, linked = link(matcher, "<p>An LLM is a neural network.</p>", own="large-language-model")
    assert "/g/large-language-model/" not in out
    assert "/g/neural-network/" in out
    assert linked == {"neural-network"}


def test_link_html_leaves_entities_alone(matcher: TermMatcher) -> None:
    out, _ = link(matcher, "<p>R&amp;D &amp; amp</p>")
    assert (
        out == '<p>R&amp;D &amp; <a class="glossary-term" href="/g/amp/" data-glossary-summary="about amp">amp</a></p>'
    )


def test_markers_are_removed(matcher: TermMatcher) -> None:
    out, _ = link(matcher, f"<p>{NOLINK_START}x{NOLINK_END} LLM</p>")
    assert "glossary-nolink" not in out and "glossary-term" in out


def test_unlink_undoes_link_html(matcher: TermMatcher) -> None:
    html = (
        "<h2>One</h2><p>An LLM, a neural network &amp; ONNX.</p><h2>Two</h2><p>LLMs and an ANN</p>"
        '<p><a class="glossary-term" href="/g/x/" title="t" data-x="1">explicit</a> <a href="/y/">LLM</a></p>'
    )
    result = matcher.link_html(
        html,
        href=lambda s: f"/g/{s}/",
        preview=lambda s: (
            f' data-glossary-name="{s}" data-glossary-level="beginner" data-glossary-summary="a &lt;b&gt;"'
        ),
    )
    out, linked = result.html, result.linked
    assert out.count('class="glossary-term"') == 6 and linked
    assert unlink(out) == html  # links with other attributes (explicit ones, authors') stay


_PIECES = [
    "LLM",
    "LLMs",
    "llm",
    "neural network",
    "Neural Networks",
    "batch",
    "mini-batch",
    "ONNX",
    "amp",
    "&amp;",
    " ",
    "\n",
    ", ",
    "x",
    "<p>",
    "</p>",
    "<h2>",
    "</h2>",
    "<h3 id='a'>",
    "</h3>",
    "<code>",
    "</code>",
    "<pre>",
    "</pre>",
    '<a href="/y/">',
    "</a>",
    "<br/>",
    "<img src=x>",
    "<!-- LLM -->",
    "<em>",
    "</em>",
    NOLINK_START,
    NOLINK_END,
    "<svg>",
    "</svg>",
    "&lt;",  # Markdown escapes a "<" in text; a raw one would start a tag
    ">",
    "<p title='LLM'>",
    '<abbr title="a<b LLM">',
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_link_html_only_adds_links(matcher: TermMatcher, pieces: list[str]) -> None:
    """Whatever the (well-formed) markup, linking only wraps mentions and drops the no-link markers."""
    html = "".join(pieces)
    out, linked = link(matcher, html)
    assert unlink(out) == html.replace(NOLINK_START, "").replace(NOLINK_END, "")
    assert set(re.findall(r'<a class="glossary-term" href="/g/([^/]+)/"', out)) == linked


def test_empty_matcher() -> None:
    m = TermMatcher({})
    assert m.find("anything") == []
    assert m.link_html("<p>x</p>", href=str, preview=str).html == "<p>x</p>"


@pytest.mark.parametrize(
    ("name", "abbr"),
    [
        ("LLM", True),
        ("ONNX", True),
        ("GPT-3", True),
        ("ReLU", True),
        ("LoRA", True),
        ("Large language model", False),
        ("Pre-training", False),
        ("fine-tuning", False),
        ("Train/validation/test split", False),
    ],
)
def test_is_abbreviation(name: str, abbr: bool) -> None:
    assert is_abbreviation(name) is abbr


@pytest.mark.parametrize(
    ("name", "plurals"),
    [
        ("model", ["models"]),
        ("batch", ["batches"]),
        ("loss", ["losses"]),
        ("box", ["boxes"]),
        ("strategy", ["strategies"]),
        ("day", ["days"]),
        ("LLM", ["LLMs"]),
        ("GPT-3", []),
        ("", []),
    ],
)
def test_regular_plurals(name: str, plurals: list[str]) -> None:
    assert regular_plurals(name) == plurals


def test_one_automaton_scales() -> None:
    names = {f"term-{i}": [f"term number {i}"] for i in range(5000)}
    m = TermMatcher(names)
    assert m.size == 5000
    assert slugs(m, "see term number 4321 and term number 12.") == ["term-4321", "term-12"]


# -- issue 12: what a browser reads as markup, attribute values, URLs, raw-text elements -----------

HOSTILE_NAMES = {"epoch": ["Epoch", "epochs"], "r-and-d": ["R&D"], "type-t": ["<T>"], "amp": ["amp"]}


@pytest.mark.parametrize(
    "html",
    [
        "<p>https://example.org/epoch/page</p>",  # a bare URL (no Markdown autolink made it a link)
        "<p>see www.epoch.org/x or write to me@epoch.org</p>",
        '<p><img alt="a > Epoch < b"></p>',  # '>' inside a quoted attribute value
        "<p><img alt='a > Epoch'></p>",
        '<iframe srcdoc="<p>Epoch</p>"></iframe>',
        "<iframe>Epoch</iframe>",
        "<xmp>Epoch</xmp>",
        "<noscript><p>Epoch</p></noscript>",
        '<p><a href="/x"/>Epoch</a></p>',  # <a/> opens an a: HTML ignores the slash
        '<p><a href="/x">an <em>Epoch</em></a></p>',
        "<style>p::before { content: '<'; } .epoch { }</style>",
    ],
)
def test_link_html_never_links_inside_what_is_not_text(html: str) -> None:
    out, linked = link(TermMatcher(HOSTILE_NAMES), html)
    assert out == html and linked == set()


def test_link_html_goes_on_after_a_script_holding_a_less_than_sign() -> None:
    html = "<script>if (a<b && c > d) { x = '<p>'; }</script><p>An epoch.</p><script>1<2</script><p>Epoch</p>"
    out, _ = link(TermMatcher(HOSTILE_NAMES), html + "<h2>Next</h2><p>Epoch</p>")
    assert out.count('class="glossary-term"') == 2
    assert '<p>An <a class="glossary-term" href="/g/epoch/"' in out
    assert out.startswith("<script>if (a<b && c > d) { x = '<p>'; }</script>")


def test_link_html_links_names_with_ampersand_and_angle_brackets() -> None:
    out, linked = link(TermMatcher(HOSTILE_NAMES), "<p>R&amp;D on &lt;T&gt; types, and amp.</p>")
    assert linked == {"r-and-d", "type-t", "amp"}
    assert '<a class="glossary-term" href="/g/r-and-d/" data-glossary-summary="about r-and-d">R&amp;D</a>' in out
    assert '<a class="glossary-term" href="/g/type-t/" data-glossary-summary="about type-t">&lt;T&gt;</a>' in out
    assert unlink(out) == "<p>R&amp;D on &lt;T&gt; types, and amp.</p>"


def test_link_html_links_text_around_urls_and_attributes() -> None:
    html = '<p>An epoch: https://example.org/epoch/ <img alt="Epoch"></p><h2>B</h2><p>epochs</p>'
    out, _ = link(TermMatcher(HOSTILE_NAMES), html)
    assert out.count('class="glossary-term"') == 2
    assert "https://example.org/epoch/ " in out and 'alt="Epoch"' in out
