"""The ``glossary`` MkDocs plugin: a thin coordinator of MkDocs events over :mod:`aiglossary.sitegen`.

Stable CSS hooks (browser tests and benchmarks rely on them; change them only with those):

- term links, automatic and explicit: ``a.glossary-term``; their preview (``assets/glossary-preview.js``)
  reads ``data-glossary-name``, ``data-glossary-level`` and ``data-glossary-summary`` (plain text)
- index filter controls: ``#glossary-filter-category``, ``#glossary-filter-difficulty``,
  ``#glossary-filter-text``; the visible count: ``#glossary-filter-count``
- index rows: ``.glossary-index-item[data-slug][data-category][data-difficulty]`` where
  ``data-category`` is a space-separated list of category ids; filtered-out rows get ``hidden``
- term graph: container ``#glossary-graph`` (data from ``glossary-graph.json``); nodes
  ``a.glossary-graph-node[data-slug]`` (filtered out: ``.is-hidden``); controls ``#glossary-graph-term``
  (combobox), ``input[name=glossary-graph-steps]``, ``#glossary-graph-category``,
  ``#glossary-graph-difficulty``, ``#glossary-graph-reset``; neighbour list ``#glossary-graph-panel``
- local graph on term pages: ``figure.glossary-local-graph`` with ``a.glossary-lg-node[data-slug][data-group]``
  and ``line.glossary-link[data-kind][data-group]``
- term preview (one per page, appended to ``body``): ``.glossary-preview`` holding ``[role=tooltip]#glossary-preview``
  (``.glossary-preview-summary`` inside) and, after a first tap, ``a.glossary-preview-open``
- demo slot: ``.glossary-demo[data-demo]`` (exactly ``<div class="glossary-demo" data-demo="ID"></div>``)
- term page parts: ``.glossary-header``, ``.glossary-difficulty``, ``.glossary-category``,
  ``ul.glossary-backlinks`` ("Referenced by"), ``a.glossary-edit-link``
- self-check cards ("Test yourself" on term pages, and the practice page):
  ``.glossary-card[data-card][data-kind][data-answer]`` with ``button.glossary-card-option[data-value]``
  and the status region ``.glossary-card-result``; practice page ``#glossary-practice[data-src]``,
  filters ``#glossary-practice-category``, ``#glossary-practice-difficulty``, per-box counts
  ``.glossary-practice-box[data-box] .glossary-practice-box-count``, ``#glossary-practice-reset``

Events, each with one job: ``on_config`` loads the knowledge base and reports its problems;
``on_files`` adds the generated pages, ``glossary.json`` and the assets; ``on_page_markdown`` checks
explicit ``glossary:`` links (with their line); ``on_page_content`` links term mentions;
``on_env`` fills in "Referenced by" once every page is known, before search collects;
``on_post_build`` writes the practice page's cards; ``on_serve`` watches the glossary folder.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import posixpath
import re
from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlparse

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

from .. import graph
from ..fsutil import atomic_write_text
from ..loader import KnowledgeBase, load_knowledge_base
from ..problems import did_you_mean
from ..sitegen import (
    BACKLINKS_MARKER,
    RESERVED_SLUGS,
    GeneratedPage,
    Layout,
    MarkdownRenderer,
    SiteBuilder,
    TemplateRenderer,
    TermMatcher,
    relative_url,
)
from ..sitegen.ask import ANCHOR as ASK_ANCHOR
from ..sitegen.ask import insert_box as insert_ask_box
from ..sitegen.autolink import NOLINK_END, NOLINK_START, unlink
from ..sitegen.render import attr
from ..text import code_spans
from .config import GlossaryConfig
from .demos import DemoHooks

log = logging.getLogger("mkdocs.plugins.glossary")

ASSETS = Path(__file__).resolve().parent.parent / "assets"
# Partials that override Material's own to give its search dialog and progress bar accessible names.
THEME_OVERRIDES = Path(__file__).resolve().parent.parent / "theme"
ASSET_DIR = "assets/glossary"
CSS = f"{ASSET_DIR}/glossary.css"
JS = f"{ASSET_DIR}/glossary.js"
PRACTICE_JS = f"{ASSET_DIR}/glossary-practice.js"
PREVIEW_JS = f"{ASSET_DIR}/glossary-preview.js"

# Explicit links in docs Markdown: [text](glossary:slug) or [text](glossary:slug#anchor), and [ref]: glossary:slug
_MD_LINK = re.compile(
    r"\]\(\s*<?glossary:(?P<a>[^)\s>#]*)|^[ \t]{0,3}\[[^\]]+\]:[ \t]*<?glossary:(?P<b>[^\s>#]*)", re.MULTILINE
)
_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,}).*?^\1\2[ \t]*$", re.MULTILINE | re.DOTALL)
_CLASS_ATTR = re.compile(r'\bclass="([^"]*)"')
_HTML_LINK = re.compile(r'<a\b(?P<pre>[^>]*?)\bhref="glossary:(?P<slug>[^"#]*)(?P<frag>#[^"]*)?"(?P<post>[^>]*)>')

# Shared across rebuilds in `mkdocs serve`: rendering the same Markdown again is skipped.
_MARKDOWN = MarkdownRenderer()


_NOSEARCH = re.compile(r"<!--glossary-nosearch-->.*?<!--/glossary-nosearch-->", re.DOTALL)


def _blank_code_spans(text: str) -> str:
    """``text`` with code spans blanked but their line breaks kept (lines and columns still hold).

    Linear (:func:`aiglossary.text.code_spans`): a backtracking regex took minutes on 3,000 backticks.
    """
    parts: list[str] = []
    pos = 0
    for start, end in code_spans(text):
        parts += (text[pos:start], re.sub(r"[^\n]", " ", text[start:end]))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def search_view(html: str) -> str:
    """What search should parse of a page: no navigation blocks, and mentions without their links.

    Material's search parser walks every tag in Python but keeps only the text (links are not among
    the tags it keeps), so the index is the same; at 1,000 terms the auto-links are 16,000 tags.
    """
    if "<!--glossary-nosearch-->" in html:
        html = _NOSEARCH.sub("", html)
    return unlink(html)


class GlossaryPlugin(BasePlugin[GlossaryConfig]):
    """Generate term pages, link term mentions and publish the glossary as JSON."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.kb: KnowledgeBase | None = None
        self.root = Path("glossary")
        self.layout = Layout()
        self.builder: SiteBuilder | None = None
        self.matcher: TermMatcher | None = None
        self._term_src: dict[str, str] = {}  # src_uri -> slug
        self._refs: dict[str, dict[str, None]] = defaultdict(dict)  # slug -> src_uris linking to it
        self._edit_urls: dict[str, str | None] = {}
        self._titles: dict[str, str] = {}
        self._full_content: dict[
            str, str
        ] = {}  # src_uri -> term page HTML while search reads a lighter one  # src_uri -> plain-text title of a generated page
        self.demos = DemoHooks()  # live demos: docs/demos/*/ checked, widget script and ORT files
        self._generated: dict[str, GeneratedPage] = {}  # src_uri -> page (its stashed HTML blocks)

    # -- set-up --------------------------------------------------------------------------------------

    def on_config(self, config: Any) -> Any:
        if not self.config.enabled:
            return config
        self._reset()
        if not config.repo_url and config.edit_uri and not urlparse(config.edit_uri).scheme:
            # A relative edit_uri needs repo_url (mkdocs.yml reads it from GLOSSARY_REPO_URL); without
            # one every "edit" button would point into the site itself, so there are none.
            config.edit_uri = None
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self.root = (base / self.config.glossary_dir).resolve()
        kb = load_knowledge_base(self.root)
        self._report(kb)
        self.kb = kb
        self.layout = Layout(prefix=self.config.url_prefix, use_directory_urls=config.use_directory_urls)
        templates_dir = self.config.templates_dir
        if templates_dir and not (base / templates_dir).is_dir():
            raise PluginError(f"glossary: option 'templates_dir': folder '{templates_dir}' does not exist")
        self._edit_urls = {slug: self._edit_url(slug, config) for slug in kb.entries}
        self.builder = SiteBuilder(
            kb,
            self.layout,
            templates=TemplateRenderer(base / templates_dir if templates_dir else None),
            markdown=_MARKDOWN,
            edit_url=self._edit_urls.get,
            suggest_url=self._suggest_url_factory(config),
            stash=True,
        )
        auto = self.config.autolink
        self.matcher = TermMatcher.from_entries(kb.entries, exclude=auto.exclude_terms) if auto.enabled else None
        self._add_theme_overrides(config)
        if CSS not in [str(x) for x in config.extra_css]:
            config.extra_css.append(CSS)
        for script in (JS, PREVIEW_JS, PRACTICE_JS):
            if script not in [str(x) for x in config.extra_javascript]:
                config.extra_javascript.append(script)
        self.demos.on_config(config, base / templates_dir if templates_dir else None)
        return config

    @staticmethod
    def _add_theme_overrides(config: Any) -> None:
        """Put the plugin's Material partials after the site's own custom_dir (which still wins)."""
        theme = config.theme
        if theme.name != "material" or str(THEME_OVERRIDES) in theme.dirs:
            return
        theme.dirs.insert(1 if theme.custom_dir else 0, str(THEME_OVERRIDES))

    def _report(self, kb: KnowledgeBase) -> None:
        """Log every problem as a warning (so ``--strict`` fails), naming file and line."""
        for slug in sorted(set(kb.entries) & RESERVED_SLUGS):
            file = kb.files[slug]
            kb.add(file.display, (1, 1), "", f"'{slug}' is reserved for a generated page; rename the entry")
            kb.rejected[file.display] = f"reserved slug '{slug}'"
            del kb.entries[slug]
        for problem in kb.problems:
            log.warning(str(problem))
        if kb.rejected:
            names = ", ".join(sorted(kb.rejected))
            log.warning(f"glossary: left out {len(kb.rejected)} entr{'y' if len(kb.rejected) == 1 else 'ies'}: {names}")
        if self.config.strict and kb.errors:
            lines = "\n".join(str(p) for p in kb.errors)
            raise PluginError(f"glossary: {len(kb.errors)} error(s) in {self.config.glossary_dir}/ (strict):\n{lines}")

    def _suggest_url_factory(self, config: Any) -> Any:
        """Links for "Suggest an improvement": a new issue about the term in the site's repository.

        Only without Material's feedback widget (which needs analytics) and with a GitHub or GitLab
        ``repo_url``; with neither, term pages show nothing.
        """
        analytics = (config.extra or {}).get("analytics") or {}
        repo = (config.repo_url or "").rstrip("/")
        host = urlparse(repo).netloc.lower()
        if analytics.get("feedback") or not repo:
            return None
        if host == "github.com" or host.endswith(".github.com"):
            new_issue, title_key, body_key = f"{repo}/issues/new", "title", "body"
        elif "gitlab" in host:
            new_issue, title_key, body_key = f"{repo}/-/issues/new", "issue[title]", "issue[description]"
        else:
            return None
        site = config.site_url or ""

        def url(slug: str) -> str | None:
            assert self.kb is not None
            entry = self.kb.entries[slug]
            page = (
                urljoin(site, self.layout.url(self.layout.term(slug)))
                if site
                else self.layout.url(self.layout.term(slug))
            )
            body = (
                f"Page: {page}\nEntry: glossary/{slug}.yaml\n\n"
                "What is unclear, wrong or missing? (Quote the sentence if you can.)\n"
            )
            return f"{new_issue}?{urlencode({title_key: f'Glossary: {entry.term}', body_key: body})}"

        return url

    def _edit_url(self, slug: str, config: Any) -> str | None:
        """The URL that edits ``slug``'s YAML file, from the plugin's or the site's ``edit_uri``."""
        assert self.kb is not None
        path = self.kb.files[slug].path
        repo = config.repo_url or ""
        if repo and not repo.endswith("/"):
            repo += "/"
        if self.config.edit_uri:
            url = urljoin(repo, self.config.edit_uri.rstrip("/") + "/" + path.name)
        elif config.edit_uri:
            rel = Path(os.path.relpath(path, config.docs_dir)).as_posix()
            url = urljoin(repo, config.edit_uri.rstrip("/") + "/" + rel)
        else:
            return None
        # A relative edit_uri without repo_url would make a link into the site itself: no link then.
        return url if urlparse(url).scheme in ("http", "https") else None

    # -- files ---------------------------------------------------------------------------------------

    def on_files(self, files: Files, *, config: Any) -> Files:
        if not self.config.enabled or self.builder is None:
            return files
        for page in self.builder.pages():
            if files.get_file_from_path(page.src_uri) is not None:
                log.info(f"glossary: docs/{page.src_uri} exists; it is used instead of the generated page")
                continue
            inclusion = InclusionLevel.UNDEFINED if page.kind == "index" else InclusionLevel.NOT_IN_NAV
            file = File.generated(config, page.src_uri, content=page.markdown, inclusion=inclusion)
            self._generated[page.src_uri] = page
            if page.title:
                self._titles[page.src_uri] = page.title
            if page.kind == "term" and page.slug:
                self._term_src[page.src_uri] = page.slug
                edit = self._edit_urls.get(page.slug)
                if edit and config.edit_uri:
                    assert self.kb is not None
                    path = self.kb.files[page.slug].path
                    file.edit_uri = Path(os.path.relpath(path, config.docs_dir)).as_posix()
            files.append(file)
        files.append(File.generated(config, self.layout.json, content=self.builder.export_json()))
        files.append(File.generated(config, self.layout.graph_json, content=self.builder.graph_json()))
        # glossary-graph.js is loaded by the graph page alone (a script in its content, which
        # Material's instant navigation runs again on each visit).
        for name in ("glossary.css", "glossary.js", "glossary-preview.js", "glossary-practice.js", "glossary-graph.js"):
            files.append(File.generated(config, f"{ASSET_DIR}/{name}", abs_src_path=str(ASSETS / name)))
        self.demos.on_files(files, config)
        return files

    # -- pages ---------------------------------------------------------------------------------------

    def on_pre_page(self, page: Any, *, config: Any, files: Files) -> Any:
        if self.config.enabled:
            slug = self._term_src.get(page.file.src_uri)
            if slug and self._edit_urls.get(slug):
                page.edit_url = self._edit_urls[slug]
        return page

    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Files) -> str:
        """Check explicit ``glossary:`` links while the source (and its line numbers) is at hand."""
        if not self.config.enabled or self.kb is None or page.file.generated_by is not None:
            return markdown
        source = page.file.content_string
        if "glossary:" not in source:
            return markdown
        source = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), source)
        source = _blank_code_spans(source)
        docs = Path(os.path.relpath(config.docs_dir, Path(config.config_file_path or ".").parent)).as_posix()
        for m in _MD_LINK.finditer(source):
            slug = m.group("a") if m.group("a") is not None else m.group("b")
            if slug in self.kb.entries:
                continue
            line = source.count("\n", 0, m.start()) + 1
            col = m.start() - (source.rfind("\n", 0, m.start()) + 1) + 1
            hint = did_you_mean(slug, self.kb.entries)
            where = posixpath.join(docs, page.file.src_uri)
            log.warning(f"{where}:{line}:{col}: link to unknown glossary term '{slug}'{hint}")
        return markdown

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Files) -> str:
        if not self.config.enabled or self.builder is None:
            return html
        src = page.file.src_uri
        own = self._term_src.get(src)
        base = page.file.url
        generated = self._generated.get(src)
        if generated is not None and generated.blocks:
            html = generated.restore_html(html)
        if src in self._titles:
            # Theme templates print page.title unescaped, and `striptags` (used for <title>) unescapes
            # entities: so the title is escaped and its angle brackets cannot turn back into markup.
            page.title = escape(self._titles[src].replace("<", "‹").replace(">", "›"), quote=False)
        builder = self.builder

        def href(slug: str) -> str:
            return attr(relative_url(self.layout.url(self.layout.term(slug)), base))

        if "glossary:" in html:
            html = self._explicit_links(html, src, href)
        auto = self.config.autolink
        if self.matcher is not None and not any(fnmatch.fnmatch(src, pat) for pat in auto.exclude_pages):
            result = self.matcher.link_html(html, href=href, preview=builder.preview_attrs, own=own)
            html = result.html
            for slug in sorted(result.linked):
                self._refs[slug][src] = None
        if NOLINK_START in html:
            html = html.replace(NOLINK_START, "").replace(NOLINK_END, "")
        if self.demos.ask is not None and src == self.layout.index:
            html = insert_ask_box(html)
            # The box is added after Markdown: tell MkDocs's anchor check (links to index.md#ask) it is there.
            if isinstance(getattr(page, "present_anchor_ids", None), set):
                page.present_anchor_ids.add(ASK_ANCHOR)
        return self.demos.on_page_content(html, base)

    def _explicit_links(self, html: str, src: str, href: Any) -> str:
        assert self.builder is not None
        builder = self.builder
        entries = builder.entries

        def replace(m: re.Match[str]) -> str:
            slug, frag = m.group("slug"), m.group("frag") or ""
            rest = (m.group("pre") + m.group("post")).strip()
            if slug not in entries:
                return f'<a class="glossary-missing" href="{attr(self.layout.url(self.layout.index))}" {rest}>'
            self._refs[slug][src] = None
            classes = "glossary-term"
            found = _CLASS_ATTR.search(rest)
            if found:
                classes += " " + found.group(1)
                rest = (rest[: found.start()] + rest[found.end() :]).strip()
            # An author's own title keeps Material's tooltip; otherwise the link gets the term's preview.
            preview = "" if "title=" in rest else builder.preview_attrs(slug)
            rest = f" {rest}" if rest else ""
            return f'<a class="{classes}" href="{href(slug)}{attr(frag)}"{preview}{rest}>'

        return _HTML_LINK.sub(replace, html)

    @event_priority(-50)
    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        """Fill in "Referenced by" on every term page, before any page is rendered and indexed."""
        if not self.config.enabled or self.builder is None:
            return env
        entries = self.builder.entries
        related_from = graph.backlinks(entries)
        pages_by_src = {f.src_uri: f.page for f in files.documentation_pages() if f.page is not None}
        for src, slug in self._term_src.items():
            page = pages_by_src.get(src)
            if page is None or page.content is None:
                continue
            sources: dict[str, None] = dict.fromkeys(self.layout.term(s) for s in related_from.get(slug, []))
            sources.update(self._refs.get(slug, {}))
            items: list[tuple[str, str, str, str | None]] = []
            for other_src in sources:
                other = pages_by_src.get(other_src)
                if other is None or other_src == src:
                    continue
                other_slug = self._term_src.get(other_src)
                title = entries[other_slug].term if other_slug else (other.title or other_src)
                kind = "term" if other_slug else "page"
                items.append((title, relative_url(other.file.url, page.file.url), kind, other_slug))
            items.sort(key=lambda t: (t[2] != "term", t[0].casefold()))
            marker = BACKLINKS_MARKER.format(slug=slug)
            page.content = page.content.replace(marker, self.builder.backlinks_html(slug, items))
        return env

    # -- search: pages are indexed without their navigation blocks and auto-links --------------------
    # Material's search parses every tag of a page even inside data-search-exclude; the blocks listing
    # other terms are half of a term page's tags, and auto-links are tags that add no text. The page is
    # handed to search without them (see search_view) and restored right after, before the theme
    # renders it.

    @event_priority(100)
    def _on_page_context_before_search(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        if self.config.enabled and page.content:
            lighter = search_view(page.content)
            if lighter != page.content:
                self._full_content[page.file.src_uri] = page.content
                page.content = lighter
        return context

    @event_priority(-100)
    def _on_page_context_after_search(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        full = self._full_content.pop(page.file.src_uri, None)
        if full is not None:
            page.content = full
        if self.demos.ask is not None and self.builder is not None:
            # The search dialog (theme/partials/search.html) links to the Ask box on every page.
            index = self.layout.url(self.layout.index)
            context["glossary_ask_url"] = relative_url(index, page.file.url) + "#" + ASK_ANCHOR
        return context

    on_page_context = CombinedEvent(_on_page_context_before_search, _on_page_context_after_search)

    def on_post_build(self, *, config: Any) -> None:
        """Write the practice page's cards: one compact JSON file, written atomically."""
        if not self.config.enabled or self.builder is None:
            return
        if self.layout.practice not in self._generated:
            return  # docs/ has its own practice page: it decides what it loads
        atomic_write_text(Path(config.site_dir) / self.layout.cards_json, self.builder.practice_json(), mode=0o644)

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        if self.config.enabled:
            server.watch(str(self.root))
            if self.config.templates_dir:
                base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
                server.watch(str(base / self.config.templates_dir))
        return server
