"""Issue 12 on the site side: values handed to the theme are escaped, entry link titles are dropped,
a hostile file cannot take the build down, and docs pages are linked only where a browser shows text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import yaml
from _timing import best_times
from aiglossary.sitegen.render import plain_text

from .conftest import MINI, BuildResult, make_project, mini_entry, mkdocs_build

ROOT = Path(__file__).resolve().parents[2]


class _Tags(HTMLParser):
    """Every start tag of a page with its attributes, decoded as a browser decodes them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def metas(self) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == "meta"]


def _description(html: str) -> str | None:
    found = [m for m in _Tags(html).metas() if m.get("name") == "description"]
    assert len(found) == 1, found
    return found[0].get("content")


REDIRECT = '0;url=http://127.0.0.1:9/hijacked" http-equiv="refresh'
ATTRIBUTE = 'Harmless" onmouseover="alert(1)'
TITLE_LINK = 'Read [the docs](https://example.org/ "&lt;img src=x onerror=alert(1)&gt;") first.'


def test_summary_cannot_add_attributes_to_the_page_meta(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        entries={
            "alpha-term": mini_entry("alpha-term", summary=REDIRECT),
            "beta-term": mini_entry("beta-term", summary=ATTRIBUTE),
        },
    )
    result = mkdocs_build(project, strict=True)
    assert result.ok, result.error
    for slug, summary in (("alpha-term", REDIRECT), ("beta-term", ATTRIBUTE)):
        html = result.html(f"glossary/{slug}/")
        assert _description(html) == summary
        metas = _Tags(html).metas()
        assert not [m for m in metas if "http-equiv" in m or "onmouseover" in m], metas


def test_real_site_descriptions_are_the_summaries(real_site: BuildResult) -> None:
    """knowledge-distillation's summary quotes "student": the shipped page's HTML broke on it."""
    from aiglossary.loader import load_knowledge_base

    kb = load_knowledge_base(ROOT / "glossary")
    assert '"' in kb.entries["knowledge-distillation"].summary
    for slug, entry in kb.entries.items():
        html = real_site.html(f"glossary/{slug}/")
        assert _description(html) == plain_text(entry.summary), slug


def test_link_titles_from_entry_text_are_dropped(tmp_path: Path) -> None:
    """Material's content.tooltips shows a title as HTML; Markdown decodes the entities in one."""
    project = make_project(
        tmp_path,
        entries={"alpha-term": mini_entry("alpha-term", summary=TITLE_LINK, definition=TITLE_LINK)},
    )
    result = mkdocs_build(project, strict=True)
    assert result.ok, result.error
    pages = ["glossary/alpha-term/", "glossary/", "glossary/categories/ml-fundamentals/", "glossary/beta-term/", ""]
    for page in pages:
        for tag, attrs in _Tags(result.html(page)).tags:
            title = attrs.get("title")
            if title is None or "headerlink" in (attrs.get("class") or ""):
                continue
            assert "<" not in title and "onerror" not in title, (page, tag, attrs)
    assert 'href="https://example.org/"' in result.html("glossary/alpha-term/")


def test_deep_nesting_is_one_error_and_the_rest_is_built(tmp_path: Path) -> None:
    """500 brackets (1 kB) used to raise RecursionError in every command, and no page was built."""
    project = make_project(tmp_path, entries={"epsilon-term": "term: " + "[" * 500 + "]" * 500 + "\n"})
    result = mkdocs_build(project)
    assert result.ok, result.error
    assert "glossary/epsilon-term.yaml:1:38: term: values nest more than 32 levels deep" in "\n".join(
        result.glossary_warnings
    )
    for slug in ("alpha-term", "beta-term", "gamma-term", "delta-term"):
        assert (result.site / "glossary" / slug / "index.html").is_file()


def test_backticks_and_brackets_cannot_stall_the_build(tmp_path: Path) -> None:
    """3,000 backticks kept check_markdown busy for minutes; 4,000 '[' took Markdown seconds."""
    project = make_project(
        tmp_path / "hostile",
        entries={
            "alpha-term": mini_entry("alpha-term", definition="`" * 3000),
            "beta-term": mini_entry("beta-term", definition="[" * 4000),
        },
    )
    prose = "word " * 1000  # the same project with ordinary text of about the same length
    plain = make_project(
        tmp_path / "plain",
        entries={
            "alpha-term": mini_entry("alpha-term", definition=prose[:3000]),
            "beta-term": mini_entry("beta-term", definition=(prose * 2)[:4000]),
        },
    )
    results: list[BuildResult] = []
    hostile_s, plain_s = best_times(
        lambda: results.append(mkdocs_build(project)), lambda: mkdocs_build(plain), rounds=2
    )
    assert hostile_s < 3 * plain_s, f"{hostile_s:.2f} s against {plain_s:.2f} s for ordinary text"
    result = results[-1]
    assert result.ok, result.error
    warnings = "\n".join(result.glossary_warnings)
    assert re.search(r"glossary/beta-term\.yaml:\d+:\d+: definition: has 4,000 '\[' characters", warnings)
    assert (result.site / "glossary" / "alpha-term" / "index.html").is_file()  # backticks are fine text
    assert not (result.site / "glossary" / "beta-term").exists()


def test_entry_with_a_wrong_file_name_is_reported_and_not_built(tmp_path: Path) -> None:
    text = (MINI / "delta-term.yaml").read_text("utf-8")
    project = make_project(tmp_path, entries={"delta-term": None})
    (project / "glossary" / "delta-tern.yaml").write_text(text, "utf-8")
    result = mkdocs_build(project)
    assert result.ok, result.error
    warnings = "\n".join(result.glossary_warnings)
    assert "glossary/delta-tern.yaml:1:1: file name 'delta-tern' is not the slug" in warnings
    assert "glossary: left out 1 entry: glossary/delta-tern.yaml" in warnings
    assert not (result.site / "glossary" / "delta-tern").exists()
    assert not (result.site / "glossary" / "delta-term").exists()


DOCS_PAGE = """\
# Links

Bare URL: https://example.org/alpha-term/page and www.alpha-term.org.

<img alt="a > Alpha term < b" src="x.png">

<iframe srcdoc="<p>Alpha term</p>"></iframe>

<xmp>Alpha term</xmp>

<noscript><p>Alpha term</p></noscript>

<p><a href="https://example.org/"/>Alpha term</a></p>

<script>if (1 < 2) { var x = "<p>"; }</script>

R&D and Alpha term, once each.
"""


def test_docs_page_links_only_text(tmp_path: Path) -> None:
    rnd = mini_entry("gamma-term", term="R&D", aliases=[], summary="Research and development.")
    project = make_project(tmp_path, entries={"gamma-term": None, "r-d": rnd}, docs={"links.md": DOCS_PAGE})
    for path in (project / "glossary").glob("*.yaml"):  # gamma-term is gone: point relations at r-d
        path.write_text(path.read_text("utf-8").replace("gamma-term", "r-d"), "utf-8")
    result = mkdocs_build(project)
    assert result.ok, result.error
    html = result.html("links/")
    body = html[html.index("<article") : html.index("</article>")]
    links = re.findall(r'<a class="glossary-term" href="([^"]*)"[^>]*>([^<]*)</a>', body)
    assert links == [("../glossary/r-d/", "R&amp;D"), ("../glossary/alpha-term/", "Alpha term")], body
    assert "https://example.org/alpha-term/page" in body
    assert yaml.safe_load((project / "glossary" / "r-d.yaml").read_text("utf-8"))["term"] == "R&D"


def test_docs_page_with_many_backticks_builds_fast(tmp_path: Path) -> None:
    """Explicit glossary: links are checked outside code spans; finding them was superlinear too."""
    page = "# Ticks\n\n" + "`" * 3000 + "\n\nSee `[x](glossary:nope)` and [y](glossary:no-such-term).\n"
    project = make_project(tmp_path / "ticks", docs={"ticks.md": page})
    plain = make_project(tmp_path / "plain", docs={"ticks.md": page.replace("`" * 3000, "word " * 600)})
    results: list[BuildResult] = []
    ticks_s, plain_s = best_times(lambda: results.append(mkdocs_build(project)), lambda: mkdocs_build(plain), rounds=2)
    assert ticks_s < 3 * plain_s, f"{ticks_s:.2f} s against {plain_s:.2f} s for ordinary text"
    result = results[-1]
    assert result.ok, result.error
    warnings = "\n".join(result.glossary_warnings)
    assert "docs/ticks.md:5:" in warnings and "'no-such-term'" in warnings
    assert "'nope'" not in warnings  # inside a code span: not a link
