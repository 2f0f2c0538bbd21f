"""Where generated pages live and how they link to each other, mirroring MkDocs' URL rules."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

# Page names under the prefix that the plugin generates itself; a term may not use them as its slug.
RESERVED_SLUGS = frozenset({"index", "categories", "learning-path", "graph", "practice", "assets"})


@dataclass(frozen=True)
class Layout:
    prefix: str = "glossary"
    use_directory_urls: bool = True
    json_name: str = "glossary.json"
    # The practice page's cards (one JSON file, fetched by that page only).
    cards_name: str = "assets/glossary/practice-cards.json"
    graph_json_name: str = "glossary-graph.json"

    def term(self, slug: str) -> str:
        return f"{self.prefix}/{slug}.md"

    @property
    def index(self) -> str:
        return f"{self.prefix}/index.md"

    def category(self, cid: str) -> str:
        return f"{self.prefix}/categories/{cid}.md"

    @property
    def learning_path(self) -> str:
        return f"{self.prefix}/learning-path.md"

    @property
    def graph(self) -> str:
        return f"{self.prefix}/graph.md"

    @property
    def practice(self) -> str:
        return f"{self.prefix}/practice.md"

    @property
    def json(self) -> str:
        return self.json_name

    @property
    def cards_json(self) -> str:
        return self.cards_name

    @property
    def graph_json(self) -> str:
        """The graph page's data: nodes and typed links (see :func:`sitegen.localgraph.graph_data`)."""
        return self.graph_json_name

    def url(self, src_uri: str) -> str:
        """The site-root-relative URL of a source file, as MkDocs computes ``File.url``."""
        if not src_uri.endswith(".md"):
            return src_uri
        stem = src_uri[:-3]
        name = posixpath.basename(stem)
        if not self.use_directory_urls:
            return (
                f"{posixpath.dirname(stem) + '/' if '/' in stem else ''}index.html"
                if name == "README"
                else f"{stem}.html"
            )
        if name in ("index", "README"):
            folder = posixpath.dirname(stem)
            return f"{folder}/" if folder else ""
        return f"{stem}/"

    def relative(self, from_src: str, to_src: str) -> str:
        """The URL of ``to_src`` relative to the page generated from ``from_src``."""
        return relative_url(self.url(to_src), self.url(from_src))


def relative_url(target: str, base: str) -> str:
    """``target`` (site-root-relative) as seen from the page at ``base`` (site-root-relative)."""
    base_dir = base if base.endswith("/") or not base else posixpath.dirname(base) + "/"
    rel = posixpath.relpath("/" + target, "/" + base_dir)
    if target.endswith("/") or not target:
        rel = "./" if rel == "." else rel + "/"
    return rel
