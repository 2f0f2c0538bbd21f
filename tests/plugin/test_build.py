"""Full ``mkdocs build`` runs: the real site (once per session) and small fixture sites."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from .conftest import ROOT, BuildResult, make_project, mini_entry, mkdocs_build
from .test_render import assert_inert

TERM_SECTIONS = [
    "definition",
    "plain-explanation",
    "examples",
    "at-a-glance",
    "why-it-matters",
    "where-its-used",
    "common-misconceptions",
    "how-people-say-it",
    "related-terms",
    "referenced-by",
    "curious-about-more",
    "test-yourself",
]


def h2_ids(html: str) -> list[str]:
    return re.findall(r'<h2 id="([^"]+)"', html)


def article(html: str) -> str:
    return html[html.index("<article") : html.index("</article>")]


# -- the real site ------------------------------------------------------------------------------------


def test_real_site_builds_without_glossary_warnings(real_site: BuildResult) -> None:
    assert real_site.ok, real_site.error
    assert real_site.glossary_warnings == []
    # Links into generated pages find their anchors (docs/ask.md links to the Ask box, added after Markdown).
    assert [m for m in real_site.infos if "anchor" in m] == []


def test_real_term_page(real_site: BuildResult) -> None:
    html = real_site.html("glossary/pre-training/")
    ids = h2_ids(html)
    assert [i for i in ids if i in TERM_SECTIONS] == TERM_SECTIONS
    # The live demo comes straight after the plain explanation (it shows what the text claims).
    assert ids.index("try-it-live") == ids.index("plain-explanation") + 1
    assert '<div class="glossary-demo" data-demo="pretraining"></div>' in html
    quant = real_site.html("glossary/quantisation/")
    quant_ids = h2_ids(quant)
    assert quant_ids.index("try-it-live") == quant_ids.index("plain-explanation") + 1
    assert (
        '<div class="glossary-demo" data-demo="quantisation"></div>' in quant and 'data-demo="pretraining"' not in quant
    )
    assert "<title>Pre-training - AI Glossary</title>" in html
    assert 'class="glossary-difficulty glossary-difficulty--beginner"' in html
    assert re.search(r'href="https://[^"]+/edit/main/glossary/pre-training\.yaml"[^>]*class="md-content__button', html)
    assert 'class="glossary-edit-link" href="https://' in html
    body = article(html)
    # Autolinks in entry text go to other terms, never to the page itself.
    assert 'class="glossary-term" href="../fine-tuning/"' in body
    assert 'class="glossary-term" href="../pre-training/"' not in body


def test_real_home_page_autolinks_with_previews(real_site: BuildResult) -> None:
    body = article(real_site.html(""))
    links = re.findall(
        r'<a class="glossary-term" href="([^"]+)" data-glossary-name="([^"]+)"'
        r' data-glossary-level="(?:beginner|intermediate|advanced)" data-glossary-summary="([^"]+)">([^<]+)</a>',
        body,
    )
    targets = {href for href, _, _, _ in links}
    assert {"glossary/machine-learning/", "glossary/pre-training/", "glossary/onnx/"} <= targets
    assert all(name.strip() and summary.strip() for _, name, summary, _ in links)
    # The preview is the plugin's own (data- attributes), never Material's title tooltip.
    assert not re.search(r'<a class="glossary-term"[^>]* title=', body)
    # First mention per section: within a section, each term is linked once.
    for section in re.split(r"<h2[ >]", body):
        hrefs = re.findall(r'<a class="glossary-term" href="([^"]+)"', section)
        assert len(hrefs) == len(set(hrefs)), section[:200]
    # The explicit glossary: link.
    assert re.search(r'<a class="glossary-term" href="glossary/embedding/" data-glossary-[^>]+>this one</a>', body)


def test_real_search_parses_mentions_without_their_links(real_site: BuildResult) -> None:
    """Search is handed pages without auto-links (fewer tags to parse); the text and the page stay."""
    body = article(real_site.html(""))
    words = re.findall(r'<a class="glossary-term" href="[^"]+" data-glossary-[^>]+>([^<]+)</a>', body)
    assert len(words) >= 5
    home = " ".join(d["text"] for d in real_site.search_index()["docs"] if d["location"].split("#")[0] == "")
    for word in words:
        assert word in home, word
    assert "glossary-term" not in home


def test_real_backlinks_resolved_before_search(real_site: BuildResult) -> None:
    html = real_site.html("glossary/pre-training/")
    back = html[html.index('id="referenced-by"') : html.index('id="curious-about-more"')]
    assert '<p class="glossary-backlinks-pages"><strong>Pages:</strong> ' in back
    assert '<a class="glossary-backlink" href="../../">Home</a>' in back
    # Fine-tuning relates to pre-training, so it is listed under Related terms and not again here.
    assert 'href="../fine-tuning/"' in html[html.index('id="related-terms"') : html.index('id="referenced-by"')]
    assert 'href="../fine-tuning/"' not in back
    index = json.dumps(real_site.search_index())
    for marker in ("data-glossary-backlinks", "glossary-nolink", "glossary-backlinks"):
        assert marker not in index
    for path in real_site.site.rglob("*.html"):
        text = path.read_text("utf-8")
        assert "data-glossary-backlinks" not in text and "glossary-nolink" not in text, path
        assert 'href="glossary:' not in text, path


def test_real_search_boosts_terms(real_site: BuildResult) -> None:
    docs = real_site.search_index()["docs"]
    page = next(d for d in docs if d["location"] == "glossary/pre-training/")
    assert page["title"] == "Pre-training"
    assert page.get("boost") == 3
    assert "pretraining" in page["text"]  # aliases are in the indexed text


def test_real_term_pages_stay_out_of_the_sidebar(real_site: BuildResult) -> None:
    html = real_site.html("")
    nav = html[html.index('<nav class="md-nav md-nav--primary"') : html.index("</nav>", html.index("md-nav--primary"))]
    assert "glossary/pre-training/" not in nav
    assert nav.count("md-nav__link") < 30


def test_real_index_graph_json(real_site: BuildResult) -> None:
    data = json.loads((real_site.site / "glossary.json").read_text("utf-8"))
    slugs = {t["slug"] for t in data["terms"]}
    index = real_site.html("glossary/")
    rows = re.findall(r'class="glossary-index-item" data-slug="([^"]+)"', index)
    assert set(rows) == slugs
    assert 'id="glossary-filter-category"' in index and 'id="glossary-filter-difficulty"' in index
    graph = real_site.html("glossary/graph/")
    assert re.search(r'id="glossary-graph" class="glossary-graph" data-src="\.\./\.\./glossary-graph\.json"', graph)
    assert (real_site.site / "assets/glossary/glossary.js").is_file()
    assert 'src="../../assets/glossary/glossary.js"' in graph
    # The graph's script and data: the graph page loads them, other pages do not.
    assert (real_site.site / "assets/glossary/glossary-graph.js").is_file()
    assert 'src="../../assets/glossary/glossary-graph.js"' in graph
    assert "glossary-graph.js" not in index and "glossary-graph.js" not in real_site.html("glossary/transformer/")
    nodes = json.loads((real_site.site / "glossary-graph.json").read_text("utf-8"))["nodes"]
    assert {n["slug"] for n in nodes} == slugs
    for cid in data["categories"]:
        assert (real_site.site / "glossary" / "categories" / cid / "index.html").is_file()
    path = real_site.html("glossary/learning-path/")
    order = re.findall(r'class="glossary-path-step" data-slug="([^"]+)"', path)
    assert order == data["learning_path"]


def test_real_practice_page_and_cards(real_site: BuildResult) -> None:
    """The practice page is in the nav and linked from the index and every term page; its cards are
    one compact JSON file, written whole, holding a myth card for every entry with misconceptions."""
    from aiglossary import load_knowledge_base

    entries = load_knowledge_base(ROOT / "glossary").entries
    path = real_site.site / "assets/glossary/practice-cards.json"
    assert path.stat().st_mode & 0o777 == 0o644  # readable by the web server, like every other file
    assert not list(path.parent.glob(".practice-cards.json.*"))  # no temporary file left behind
    raw = path.read_text("utf-8")
    assert "\n" not in raw and ": " not in raw[:200]  # compact
    data = json.loads(raw)
    ids = [c["i"] for c in data["cards"]]
    assert len(ids) == len(set(ids))
    kinds = {(i.split(":")[0], i.split(":")[1]) for i in ids}
    for slug, entry in entries.items():
        if entry.misconceptions:
            assert (slug, "myth") in kinds, slug
        assert data["terms"][slug]["u"] == f"../{slug}/"
    practice = real_site.html("glossary/practice/")
    assert re.search(r'id="glossary-practice" data-src="\.\./\.\./assets/glossary/practice-cards\.json"', practice)
    assert 'src="../../assets/glossary/glossary-practice.js"' in practice
    nav = practice[practice.index('<nav class="md-nav md-nav--primary"') :]
    assert re.search(
        r'<a href="\./" class="md-nav__link md-nav__link--active">\s*<span class="md-ellipsis">\s*Practice', nav
    )
    assert 'href="practice/"' in article(real_site.html("glossary/"))
    term = article(real_site.html("glossary/pre-training/"))
    selfcheck = term[term.index('id="test-yourself"') :]
    assert 'href="../practice/"' in selfcheck
    shown = set(re.findall(r'class="glossary-card" data-card="([^"]+)"', selfcheck))
    assert shown == {i for i in ids if i.startswith("pre-training:")}
    # Cards are not searched (they repeat the page) and their term names are not auto-linked.
    docs = {d["location"]: d["text"] for d in real_site.search_index()["docs"]}
    assert "Myth or reality?" not in docs["glossary/pre-training/#test-yourself"]
    assert "Which column?" not in docs["glossary/pre-training/#test-yourself"]
    cards = selfcheck[: selfcheck.index("<!--/glossary-nosearch-->")]
    assert cards.count('class="glossary-card"') == len(shown)
    assert "glossary-term" not in cards


# -- fixture sites ------------------------------------------------------------------------------------


def related(*extra: dict[str, str]) -> list[dict[str, str]]:
    return [*mini_entry("alpha-term")["related"], *extra]


BROKEN = {
    "dangling relation": (
        {
            "entries": {
                "alpha-term": mini_entry(
                    related=related({"term": "no-such-term", "relation": "see-also", "note": "Dangles."})
                )
            }
        },
        r"glossary/alpha-term\.yaml:\d+:\d+: related\[3\]\.term: unknown term 'no-such-term'",
    ),
    "duplicate name": (
        {"entries": {"beta-term": mini_entry("beta-term", aliases=["AT"])}},
        r"glossary/beta-term\.yaml:\d+:\d+: aliases\[0\]: 'AT' is already used by glossary/alpha-term\.yaml",
    ),
    "prerequisite cycle": (
        {
            "entries": {
                "alpha-term": mini_entry(
                    related=related({"term": "gamma-term", "relation": "prerequisite", "note": "Loops."})
                )
            }
        },
        r"glossary/\w+-term\.yaml:\d+:\d+: related\[\d\]\.relation: prerequisite cycle",
    ),
    "unknown category": (
        {"entries": {"alpha-term": mini_entry(categories=["ml-fundamentalz"])}},
        r"glossary/alpha-term\.yaml:\d+:\d+: categories\[0\]: unknown category 'ml-fundamentalz' "
        r"\(did you mean 'ml-fundamentals'\?\)",
    ),
    "link to a missing term": (
        {"docs": {"page.md": "# Page\n\nSee\n[the thing](glossary:alpha-trem) and [ok](glossary:beta-term).\n"}},
        r"docs/page\.md:4:11: link to unknown glossary term 'alpha-trem' \(did you mean 'alpha-term'\?\)",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_strict_build_fails_naming_file_and_line(tmp_path: Path, case: str) -> None:
    setup, pattern = BROKEN[case]
    project = make_project(tmp_path, **setup)
    strict = mkdocs_build(project, strict=True)
    assert not strict.ok
    assert "strict mode" in strict.error
    assert any(re.match(pattern, w) for w in strict.glossary_warnings), strict.glossary_warnings
    # Without --strict the site still builds, with the same warnings.
    loose = mkdocs_build(project)
    assert loose.ok, loose.error
    assert (loose.site / "glossary" / "gamma-term" / "index.html").is_file()


def test_clean_fixture_site_passes_strict(tmp_path: Path) -> None:
    result = mkdocs_build(make_project(tmp_path), strict=True)
    assert result.ok, result.warnings
    home = article(result.html(""))
    assert 'class="glossary-term" href="glossary/alpha-term/"' in home
    assert 'class="glossary-term" href="glossary/beta-term/"' in home


def test_bad_entry_left_out_and_named(tmp_path: Path) -> None:
    project = make_project(tmp_path, entries={"delta-term": "term: [unclosed\n"})
    result = mkdocs_build(project)
    assert result.ok, result.error
    assert not (result.site / "glossary" / "delta-term").exists()
    assert any(w.startswith("glossary: left out 1 entry: glossary/delta-term.yaml") for w in result.glossary_warnings)
    assert any(re.match(r"glossary/delta-term\.yaml:\d+:\d+: ", w) for w in result.glossary_warnings)


def test_plugin_strict_option_fails_without_mkdocs_strict(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        entries={"alpha-term": mini_entry(categories=["nope"])},
        config={"plugins": ["search", {"glossary": {"strict": True}}]},
    )
    result = mkdocs_build(project)
    assert not result.ok
    assert "Aborted with a BuildError" in result.error
    assert any(
        "(strict):\nglossary/alpha-term.yaml:6:3: categories[0]: unknown category 'nope'" in w for w in result.warnings
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"url_prefix": "/Bad Prefix/"}, "url_prefix"),
        ({"autolink": {"enabled": "sometimes"}}, "enabled"),
        ({"no_such_option": 1}, "no_such_option"),
    ],
)
def test_config_errors_name_the_option(tmp_path: Path, options: dict[str, object], message: str) -> None:
    project = make_project(tmp_path, config={"plugins": [{"glossary": options}]})
    result = mkdocs_build(project, strict=True)
    assert not result.ok
    assert message in result.error + " ".join(result.warnings)


def test_options_prefix_and_exclusions(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        docs={"skip.md": "# Skip\n\nAlpha term here.\n", "keep.md": "# Keep\n\nAlpha term and Beta term.\n"},
        config={
            "use_directory_urls": False,
            "plugins": [
                {
                    "glossary": {
                        "url_prefix": "terms",
                        "autolink": {"exclude_pages": ["skip.md"], "exclude_terms": ["beta-term"]},
                    }
                }
            ],
        },
    )
    result = mkdocs_build(project, strict=True)
    assert result.ok, result.warnings
    assert (result.site / "terms" / "alpha-term.html").is_file()
    keep = article((result.site / "keep.html").read_text("utf-8"))
    assert 'href="terms/alpha-term.html"' in keep and "terms/beta-term.html" not in keep
    assert "glossary-term" not in article((result.site / "skip.html").read_text("utf-8"))
    # The practice page follows the prefix and the URL style; its cards link terms the same way.
    practice = (result.site / "terms" / "practice.html").read_text("utf-8")
    assert 'data-src="../assets/glossary/practice-cards.json"' in practice
    cards = json.loads((result.site / "assets" / "glossary" / "practice-cards.json").read_text("utf-8"))
    assert cards["terms"]["alpha-term"]["u"] == "alpha-term.html"


def test_autolink_disabled(tmp_path: Path) -> None:
    project = make_project(tmp_path, config={"plugins": [{"glossary": {"autolink": {"enabled": False}}}]})
    result = mkdocs_build(project, strict=True)
    assert result.ok, result.warnings
    assert "glossary-term" not in article(result.html(""))
    assert "glossary-nolink" not in result.html("glossary/")


HOSTILE_ENTRY = {
    "term": "Gamma <img src=x onerror=alert(1)> {{ 7*7 }}",
    "plural": ["</title><script>alert('title')</script>"],
    # "Gamma term" names the file: an entry whose file name is not a name's slug is left out.
    "aliases": ["<script>alert('alias')</script>", "{% if true %}G{% endif %}", "Gamma term"],
    "summary": "A summary with {{ config.site_name }} and {% raw %}template{% endraw %} syntax.",
    "explanation": "Plain text with a [safe link](https://example.org) and {{ 1+1 }}.",
}


def test_hostile_entry_renders_inert(tmp_path: Path) -> None:
    data = mini_entry("gamma-term", **HOSTILE_ENTRY)
    data["examples"][0] = {
        "domain": "<svg onload=alert(1)>",
        "title": "<b onmouseover=alert(1)>t</b>",
        "text": "`<script>alert(1)</script>` in code is fine.",
    }
    data["where_used"][0] = {
        "name": '<a href="javascript:alert(1)">x</a>',
        "text": "{% for x in y %}{{ x }}{% endfor %}",
    }
    project = make_project(
        tmp_path,
        entries={"gamma-term": data},
        docs={"index.md": "# Home\n\nSee Gamma <img src=x onerror=alert(1)> here.\n"},
    )
    result = mkdocs_build(project)
    assert result.ok, result.error
    html = result.html("glossary/gamma-term/")
    body = article(html)
    # The only SVG is the plugin's own local graph (and its legend's samples), names escaped in it.
    assert_inert(body, allow=frozenset({"svg"}))
    svgs = re.findall(r"<svg\b[^>]*>", body)
    assert svgs and all('class="glossary-lg-svg"' in t or 'class="glossary-link-sample"' in t for t in svgs)
    assert '<figcaption id="glossary-lg-caption">Gamma &lt;img src=x onerror=alert(1)&gt;' in body
    # Jinja never evaluated the entry's text; attribute values (card ids are hashes) are left out.
    text = re.sub(r'="[^"]*"', '=""', body)
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "{{ config.site_name }}" in body and "{% raw %}template{% endraw %}" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # the code span, as text
    assert "<title>Gamma ‹img src=x onerror=alert(1)› {{ 7*7 }} - Fixture</title>" in html
    assert not re.search(r"<(img|script|svg)\b[^>]*(onerror|onload|alert)", html)
    for page in ("glossary/", "glossary/beta-term/", "glossary/learning-path/"):
        assert_inert(article(result.html(page)), allow=frozenset({"input", "svg"}))
    index = json.dumps(result.search_index())
    assert "<img" not in index and "<script" not in index


def test_serve_watches_the_glossary_folder(tmp_path: Path) -> None:
    from mkdocs.config import load_config

    project = make_project(tmp_path)
    cfg = load_config(config_file=str(project / "mkdocs.yml"))
    cfg = cfg.plugins.on_config(cfg)
    watched: list[str] = []

    class Server:
        def watch(self, path: str, *args: object, **kwargs: object) -> None:
            watched.append(path)

    cfg.plugins["glossary"].on_serve(Server(), config=cfg, builder=None)
    assert str((project / "glossary").resolve()) in watched


def test_without_repo_url_the_term_page_names_its_file(tmp_path: Path) -> None:
    """No repository configured: no link into nowhere, the YAML file to edit is named instead."""
    project = make_project(tmp_path)
    config = project / "mkdocs.yml"
    config.write_text("".join(x for x in config.read_text().splitlines(True) if not x.startswith("repo_url:")))
    result = mkdocs_build(project, strict=True)
    assert result.ok, result.error
    html = (result.site / "glossary" / "alpha-term" / "index.html").read_text("utf-8")
    assert "Edit this entry in <code>glossary/alpha-term.yaml</code>" in html
    assert "glossary-edit-link" not in html and "md-content__button" not in html


def test_search_indexes_what_a_term_page_says_not_its_lists_of_other_terms(real_site: BuildResult) -> None:
    """Related terms, learn next, referenced by and the curious box are on the page, not in search."""
    html = real_site.html("glossary/pre-training/")
    docs = {d["location"]: d for d in real_site.search_index()["docs"]}
    related = docs["glossary/pre-training/#related-terms"]["text"]
    referenced = docs["glossary/pre-training/#referenced-by"]["text"]
    assert related == "" and referenced == ""
    assert "Fine-tuning" in html[html.index('id="related-terms"') : html.index('id="referenced-by"')]
    assert "data-search-exclude" in html and "glossary-nosearch" in html
    # The content sections are indexed in full.
    assert "general schooling" in docs["glossary/pre-training/#plain-explanation"]["text"]
    assert "Myth" in docs["glossary/pre-training/#common-misconceptions"]["text"]


# -- "Helpful?": Material's feedback with analytics, else "Suggest an improvement" with a repository --


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"repo_url": "https://github.com/example/ai-glossary"}, "https://github.com/example/ai-glossary/issues/new?"),
        (
            {"repo_url": "https://gitlab.com/example/ai-glossary"},
            "https://gitlab.com/example/ai-glossary/-/issues/new?",
        ),
        ({"repo_url": "https://example.org/repo/"}, None),  # no known issue tracker
        ({"repo_url": None, "edit_uri": None}, None),
        (
            {
                "repo_url": "https://github.com/example/ai-glossary",
                "extra": {"analytics": {"provider": "google", "property": "G-TEST", "feedback": {"title": "Helpful?"}}},
            },
            None,  # Material's own feedback widget asks instead
        ),
    ],
)
def test_suggest_an_improvement(tmp_path: Path, config: dict[str, Any], expected: str | None) -> None:
    project = make_project(tmp_path, config={"site_url": "https://example.org/site/", **config})
    result = mkdocs_build(project)
    assert result.ok, result.error
    html = result.html("glossary/alpha-term/")
    links = re.findall(r'<a class="md-button glossary-suggest-link" href="([^"]+)"', html)
    if expected is None:
        assert links == []
        return
    assert len(links) == 1 and links[0].startswith(expected), links
    query = parse_qs(urlparse(unescape(links[0])).query)
    title_key = "title" if "github" in expected else "issue[title]"
    body_key = "body" if "github" in expected else "issue[description]"
    assert query[title_key] == ["Glossary: Alpha term"]
    assert "Page: https://example.org/site/glossary/alpha-term/" in query[body_key][0]
    assert "glossary/alpha-term.yaml" in query[body_key][0]
