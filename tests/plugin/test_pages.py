"""Page generation without MkDocs: section order, links, learn-next order, URLs, the export."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest
from aiglossary import learn_next, learning_path, load_knowledge_base
from aiglossary.graph import before_pairs
from aiglossary.sitegen import Layout, LearnIndex, SiteBuilder, relative_url

from .conftest import MINI, ROOT

SECTIONS = [
    "Definition",
    "Plain explanation",
    "Examples",
    "At a glance",
    "Why it matters",
    "Where it's used",
    "Common misconceptions",
    "How people say it",
    "Related terms",
    "Referenced by",
    "Curious about more?",
]


@pytest.fixture(scope="module")
def real_builder() -> SiteBuilder:
    return SiteBuilder(load_knowledge_base(ROOT / "glossary"))


@pytest.fixture(scope="module")
def mini_builder() -> SiteBuilder:
    return SiteBuilder(load_knowledge_base(MINI), edit_url=lambda s: f"https://example.org/edit/{s}.yaml")


def headings(markdown: str) -> list[str]:
    return re.findall(r"^## (.+)$", markdown, re.MULTILINE)


def test_term_page_sections_in_reference_order(mini_builder: SiteBuilder) -> None:
    page = mini_builder.term_page("beta-term")
    assert page.src_uri == "glossary/beta-term.md"
    assert headings(page.markdown) == [*SECTIONS, "Sources", "Test yourself"]
    assert page.markdown.startswith('---\nsearch: {"boost": 3}\n')
    assert re.search(r"^# Beta term$", page.markdown, re.MULTILINE)
    assert '<span class="glossary-difficulty glossary-difficulty--beginner"' in page.markdown
    assert 'href="../categories/ml-fundamentals/">ML Fundamentals</a>' in page.markdown
    assert 'Also called: <span class="glossary-alias">beta</span>' in page.markdown
    assert '<a class="glossary-edit-link" href="https://example.org/edit/beta-term.yaml">' in page.markdown
    assert 'data-glossary-backlinks="beta-term"' in page.markdown
    assert "glossary-demo" not in page.markdown


def test_related_terms_one_section_learn_first_then_next(mini_builder: SiteBuilder) -> None:
    """What to learn first and next lead the one "Related terms" section; no term is listed twice."""
    md = mini_builder.term_page("beta-term").markdown
    assert "## What to learn next" not in md
    related = md[md.index("## Related terms") : md.index("## Referenced by")]
    # The local graph draws these same terms on purpose; the lists below it name each once.
    graph = re.search(r'<figure class="glossary-local-graph".*?</figure>', related, re.S)
    assert graph is not None
    related = related.replace(graph.group(0), "")
    kinds = re.findall(r'<p class="glossary-relation-kind" data-relation="([a-z-]+)">', related)
    assert kinds[:2] == ["learn-before", "learn-after"]
    assert related.index("../alpha-term/") < related.index("../gamma-term/")
    linked = re.findall(r'href="\.\./([a-z-]+)/"', related)
    assert len(linked) == len(set(linked)), linked
    # This entry's own note goes with each term it relates to.
    assert "A fixture relation." in related


def test_real_term_pages_list_each_related_term_once(real_builder: SiteBuilder) -> None:
    for slug in real_builder.entries:
        md = real_builder.term_page(slug).markdown
        related = md[md.index("## Related terms") : md.index("## Referenced by")]
        linked = re.findall(r'class="glossary-term" href="\.\./([a-z0-9-]+)/"', related)
        assert len(linked) == len(set(linked)), (slug, linked)
        assert set(linked) == real_builder.related_slugs(slug), slug


def test_referenced_by_is_compact_terms_then_pages(mini_builder: SiteBuilder) -> None:
    items = [
        ("Alpha term", "../alpha-term/", "term", "alpha-term"),
        ("Delta term", "../delta-term/", "term", "delta-term"),
        ("Home", "../../", "page", None),
    ]
    out = mini_builder.backlinks_html("gamma-term", items)
    related = mini_builder.related_slugs("gamma-term")
    shown = [slug for *_, slug in items[:2] if slug not in related]
    terms_line = re.search(r'<p class="glossary-backlinks-terms">(.*?)</p>', out)
    if shown:
        assert terms_line is not None
        assert all(f"../{s}/" in terms_line.group(1) for s in shown)
    assert re.search(
        r'<p class="glossary-backlinks-pages"><strong>Pages:</strong> <a [^>]*href="\.\./\.\./">Home</a></p>', out
    )
    assert out.count("<li") == 0, "inline lists, not one line per link"
    assert "No other page links here yet." in mini_builder.backlinks_html("gamma-term", [])


def test_demo_slot_exact(real_builder: SiteBuilder) -> None:
    slug = next(s for s, e in real_builder.entries.items() if e.demo)
    demo = real_builder.entries[slug].demo
    md = real_builder.term_page(slug).markdown
    assert f'\n<div class="glossary-demo" data-demo="{demo}"></div>\n' in md


def test_learn_index_matches_core(real_builder: SiteBuilder) -> None:
    entries = real_builder.entries
    index = LearnIndex(entries)
    assert index.path == learning_path(entries)
    for slug in list(entries)[:12]:
        core = learn_next(entries, slug)
        assert index.prerequisites(slug) == core.prerequisites
        assert index.next_steps(slug) == core.next_steps


def test_learning_path_respects_every_prerequisite(real_builder: SiteBuilder) -> None:
    rank = {s: i for i, s in enumerate(real_builder.learn.path)}
    assert sorted(rank) == sorted(real_builder.entries)
    for a, b in before_pairs(real_builder.entries):
        assert rank[a] < rank[b], f"{a} must come before {b}"
    md = real_builder.learning_path_page().markdown
    order = re.findall(r'class="glossary-path-step" data-slug="([^"]+)"', md)
    assert order == real_builder.learn.path


def test_index_page_rows(real_builder: SiteBuilder) -> None:
    md = real_builder.index_page().markdown
    rows = re.findall(
        r'<li class="glossary-index-item" data-slug="([^"]+)" data-category="([^"]+)" '
        r'data-difficulty="(beginner|intermediate|advanced)">',
        md,
    )
    assert sorted(r[0] for r in rows) == sorted(real_builder.entries)
    assert 'id="glossary-filter-category"' in md and 'id="glossary-filter-difficulty"' in md
    terms = [real_builder.entries[r[0]].term.casefold() for r in rows]
    assert terms == sorted(terms)


def test_all_pages_have_distinct_sources(real_builder: SiteBuilder) -> None:
    pages = real_builder.pages()
    srcs = [p.src_uri for p in pages]
    assert len(srcs) == len(set(srcs))
    assert len([p for p in pages if p.kind == "term"]) == len(real_builder.entries)
    assert len([p for p in pages if p.kind == "category"]) == len(real_builder.kb.categories)


def test_export_urls_follow_layout() -> None:
    kb = load_knowledge_base(MINI)
    data = SiteBuilder(kb, Layout(prefix="terms", use_directory_urls=False)).export()
    urls = {t["slug"]: t["url"] for t in data["terms"]}
    assert urls["alpha-term"] == "terms/alpha-term.html"
    assert all("summary_text" in t for t in data["terms"])
    assert {e["relation"] for e in data["edges"]} <= {
        "prerequisite",
        "next-step",
        "see-also",
        "contrast",
        "broader",
        "narrower",
    }


@pytest.mark.parametrize("use_directory_urls", [True, False])
@pytest.mark.parametrize(
    ("src", "dst"),
    [
        ("glossary/a.md", "glossary/b.md"),
        ("glossary/a.md", "glossary/index.md"),
        ("glossary/index.md", "glossary/categories/x.md"),
        ("index.md", "glossary/a.md"),
        ("docs/deep/page.md", "glossary/a.md"),
        ("glossary/categories/x.md", "index.md"),
    ],
)
def test_relative_urls_match_mkdocs(src: str, dst: str, use_directory_urls: bool) -> None:
    from mkdocs.structure.files import File

    a = File(src, "/docs", "/site", use_directory_urls)
    b = File(dst, "/docs", "/site", use_directory_urls)
    layout = Layout(use_directory_urls=use_directory_urls)
    assert layout.url(src) == a.url.removeprefix("./") or (a.url == "./" and layout.url(src) == "")
    assert layout.relative(src, dst) == b.url_relative_to(a)


def test_relative_url_to_site_root() -> None:
    assert relative_url("", "glossary/graph/") == "../../"
    assert relative_url("glossary.json", "glossary/graph/") == "../../glossary.json"
    assert relative_url("glossary.json", "glossary/graph.html") == "../glossary.json"
    assert posixpath.normpath("glossary/graph/" + relative_url("glossary.json", "glossary/graph/")) == "glossary.json"


def test_templates_can_be_overridden(tmp_path: Path) -> None:
    from aiglossary.sitegen import TemplateRenderer

    (tmp_path / "category.md.j2").write_text("# Custom {{ category.title }}\n", "utf-8")
    builder = SiteBuilder(load_knowledge_base(MINI), templates=TemplateRenderer(tmp_path))
    assert builder.category_page("ml-fundamentals").markdown == "# Custom ML Fundamentals\n"


def test_missing_template_variable_fails_loudly(tmp_path: Path) -> None:
    import jinja2
    from aiglossary.sitegen import TemplateRenderer

    (tmp_path / "category.md.j2").write_text("{{ category.no_such_field }}", "utf-8")
    builder = SiteBuilder(load_knowledge_base(MINI), templates=TemplateRenderer(tmp_path))
    with pytest.raises(jinja2.UndefinedError):
        builder.category_page("ml-fundamentals")
