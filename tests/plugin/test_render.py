"""Rendering entry Markdown: sanitising untrusted text, escaping headings, inline fragments."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from aiglossary.sitegen.render import MarkdownRenderer, md_text, plain_text, sanitize

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href=" JaVaScRiPt:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe src=https://evil.example></iframe>",
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name=x></form>',
    "**bold** <b onmouseover=alert(1)>hover</b>",
]


class Inspector(HTMLParser):
    """Collect what a browser would act on: tags, event handlers, URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((k, v or "") for k, v in attrs)


def assert_inert(html: str, allow: frozenset[str] = frozenset()) -> None:
    found = Inspector()
    found.feed(html)
    assert not ({"script", "iframe", "style", "form", "input", "svg", "img"} - allow) & set(found.tags), html
    for key, value in found.attrs:
        assert not key.startswith("on"), html
        assert key != "style", html
        assert not re.match(r"\s*(javascript|data|vbscript):", value, re.I), html


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_renders_inert(text: str) -> None:
    md = MarkdownRenderer()
    assert_inert(md.block(text))
    assert_inert(md.inline(text))
    assert_inert(sanitize(text))


@pytest.mark.parametrize("text", ["{{ config.repo_url }}", "{% for x in y %}{{ x }}{% endfor %}", "{# c #}"])
def test_template_syntax_stays_text(text: str) -> None:
    out = MarkdownRenderer().inline(text)
    assert out == text  # rendered as the literal characters; nothing evaluates it


def test_allowed_markup_survives() -> None:
    md = MarkdownRenderer()
    out = md.block("Some *emphasis*, `code`, and [a link](https://example.org).\n\n- one\n- two")
    assert "<em>emphasis</em>" in out and "<code>code</code>" in out
    assert '<a href="https://example.org" rel="noopener">a link</a>' in out
    assert "<ul>" in out and out.count("<li>") == 2


def test_inline_drops_the_paragraph() -> None:
    md = MarkdownRenderer()
    assert md.inline("just *text*") == "just <em>text</em>"
    assert md.inline("two\n\nparagraphs").startswith("<p>")


def test_renderer_caches() -> None:
    md = MarkdownRenderer()
    first = md.block("cached *text*")
    assert md.block("cached *text*") is first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pre-training", "Pre\\-training"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"),
        ("C++ *and* [x](y)", "C\\+\\+ \\*and\\* \\[x\\]\\(y\\)"),
        ("  many   spaces ", "many spaces"),
    ],
)
def test_md_text_escapes_for_headings(text: str, expected: str) -> None:
    assert md_text(text) == expected


def test_plain_text_has_no_markup() -> None:
    assert plain_text("A *model* with [links](https://x.org) and `code`") == "A model with links and code"
    assert plain_text("x <b>y</b>") == "x y"


def test_plain_fast_path_equals_markdown() -> None:
    """Plain paragraphs skip Markdown; the result must be exactly what Markdown + nh3 would give."""
    import markdown
    from aiglossary import load_knowledge_base
    from aiglossary.sitegen.render import _plain_paragraphs

    from .conftest import ROOT

    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    texts = [
        "1. item",
        "- x",
        "a  ",
        'A "quoted" word\'s',
        "Line one\nline two\n\nPara two",
        "x = y; z? 3.5%",
        "Text\n===",
        "Text\n---",
        "x\n    code",
        "A\n\n\n\nB",
        "A  \nB",
        "é accent",
        "tab\there",
        "a\n> quote",
    ]
    for entry in load_knowledge_base(ROOT / "glossary").entries.values():
        texts += [entry.summary, entry.definition, entry.explanation, entry.analogy, entry.why_it_matters]
        texts += [*entry.phrases, *(m.reality for m in entry.misconceptions), *(r.note for r in entry.related)]
    fast = 0
    for text in texts:
        quick = _plain_paragraphs(text)
        if quick is not None:
            fast += 1
            md.reset()
            assert quick == sanitize(md.convert(text)).strip(), text
    assert fast > len(texts) // 3
