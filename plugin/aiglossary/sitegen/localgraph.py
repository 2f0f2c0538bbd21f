"""The term graph as the site draws it: a static local graph per term page and the graph page's data.

The local graph is an SVG written at build time (it works without JavaScript): the term, a trunk,
and one branch per directly related term, grouped as the "Related terms" section groups them. Each
branch shows the kind of link by its dash pattern (and colour, and an arrow for the two directed
kinds), explained by a legend; each related term is an SVG link to its page. Every name is escaped.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from html import escape as esc
from typing import Any

from markupsafe import Markup

from ..graph import LINK_KINDS, Link

# Dash pattern of each kind of link (SVG stroke-dasharray; "" = solid). Shared with glossary-graph.js
# (which reads them from the graph data) and with the legends.
DASHES: dict[str, str] = {"before": "", "broader": "9 4", "contrast": "2 4", "see-also": "12 4 3 4"}

# How the neighbours of a term are grouped, relative to the term: (group id, heading, link kind, the
# term is the link's source). The order and headings are those of the "Related terms" section.
LOCAL_GROUPS: list[tuple[str, str, str, bool]] = [
    ("learn-first", "Learn first", "before", False),
    ("broader", "Broader terms", "broader", True),
    ("learn-next", "Learn next", "before", True),
    ("narrower", "Narrower terms", "broader", False),
    ("contrast", "Often contrasted with", "contrast", True),
    ("see-also", "See also", "see-also", True),
]
_ABOVE = {"learn-first", "broader"}  # groups drawn above the term: where it comes from
_DIRECTED = {"before", "broader"}

# Geometry, in SVG units (1 unit = 1 CSS px at the graph's natural width).
WIDTH = 400
TRUNK_X = 22
PILL_X = 76
PILL_W = WIDTH - PILL_X - 6
ROW = 28
PILL_H = 22
HEADING = 24
MAX_CHARS = 40


@dataclass(frozen=True)
class LocalGroup:
    id: str
    heading: str
    kind: str
    outgoing: bool  # the arrow (directed kinds) points from the term to the neighbours
    slugs: list[str]


def local_groups(slug: str, link_list: list[Link], order: dict[str, int] | None = None) -> list[LocalGroup]:
    """The terms one link away from ``slug``, grouped by how they relate to it (empty groups left out).

    ``link_list`` may hold every link or only those of ``slug`` (faster for many terms).

    ``order`` ranks the neighbours within a group (e.g. the learning path); by default, by slug.
    """
    found: dict[str, list[str]] = defaultdict(list)
    for link in link_list:
        if slug not in (link.source, link.target) or link.source == link.target:
            continue
        out = link.source == slug
        other = link.target if out else link.source
        for gid, _, kind, outgoing in LOCAL_GROUPS:
            if kind == link.kind and (outgoing == out or not link.directed):
                found[gid].append(other)
                break
    rank = order or {}
    return [
        LocalGroup(gid, heading, kind, outgoing, sorted(found[gid], key=lambda s: (rank.get(s, 0), s)))
        for gid, heading, kind, outgoing in LOCAL_GROUPS
        if found.get(gid)
    ]


def _short(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= MAX_CHARS else name[: MAX_CHARS - 1].rstrip() + "…"


def legend_html(kinds: list[str], *, css: str = "glossary-link-legend") -> Markup:
    """A legend of the given kinds of link: a sample line (same dashes and arrow) and its meaning."""
    items = []
    for kind in kinds:
        dash = Markup(' stroke-dasharray="{}"').format(DASHES[kind]) if DASHES[kind] else Markup("")
        arrow = Markup('<path class="glossary-link-head" d="M 30 1 L 38 5 L 30 9 z"/>') if kind in _DIRECTED else ""
        items.append(
            Markup(
                '<li data-kind="{kind}"><svg class="glossary-link-sample" viewBox="0 0 40 10" width="40" height="10"'
                ' aria-hidden="true" focusable="false"><line class="glossary-link glossary-link--{kind}"'
                ' x1="1" y1="5" x2="{x2}" y2="5"{dash}/>{arrow}</svg>{label}</li>'
            ).format(kind=kind, x2=31 if arrow else 39, dash=dash, arrow=arrow, label=LINK_KINDS[kind])
        )
    return Markup('<ul class="{}" aria-label="Kinds of link">').format(css) + Markup("").join(items) + Markup("</ul>")


_MARKERS = "".join(
    f'<marker id="glossary-lg-head-{k}" class="glossary-link-marker glossary-link-marker--{k}" viewBox="0 0 10 10"'
    ' refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z"/></marker>'
    for k in ("before", "broader")
)


def local_graph_svg(
    slug: str,
    term: str,
    groups: list[LocalGroup],
    names: dict[str, str],
    hrefs: dict[str, str],
) -> Markup:
    """The local graph of one term as a ``<figure>``: the SVG, a caption and the legend.

    ``names`` gives each neighbour's display name and ``hrefs`` its page (relative to this page).
    Every name, slug and address is escaped (``html.escape``: the page is built for 10,000 terms,
    and formatting through ``Markup`` costs several times more).
    """
    if not groups:
        return Markup("")
    above = [g for g in groups if g.id in _ABOVE]
    below = [g for g in groups if g.id not in _ABOVE]
    parts: list[str] = []
    y = 6
    branches: list[tuple[float, LocalGroup]] = []

    def draw_groups(gs: list[LocalGroup]) -> None:
        nonlocal y
        for g in gs:
            heading = esc(g.heading)
            parts.append(f'<text class="glossary-lg-heading" x="{PILL_X}" y="{y + 16}">{heading}</text>')
            y += HEADING
            for other in g.slugs:
                name = esc(names[other])
                parts.append(
                    f'<a class="glossary-lg-node" xlink:href="{esc(hrefs[other])}" data-slug="{esc(other)}"'
                    f' data-group="{g.id}" aria-label="{name}: {heading}"><title>{name}</title>'
                    f'<rect x="{PILL_X}" y="{y}" width="{PILL_W}" height="{PILL_H}" rx="5"/>'
                    f'<text x="{PILL_X + 10}" y="{y + 15.5}">{esc(_short(names[other]))}</text></a>'
                )
                branches.append((y + PILL_H / 2, g))
                y += ROW
            y += 4

    draw_groups(above)
    centre_top = y + 2
    centre_h = 30
    centre_cy = centre_top + centre_h / 2
    short_term = _short(term)
    centre_w = min(WIDTH - 12, 26 + round(len(short_term) * 8.6))
    centre = (
        f'<g class="glossary-lg-centre" data-slug="{esc(slug)}"><rect x="6" y="{centre_top}" width="{centre_w}"'
        f' height="{centre_h}" rx="6"/><text x="18" y="{centre_top + 20}">{esc(short_term)}</text></g>'
    )
    y = centre_top + centre_h + 8
    draw_groups(below)
    height = y + 2

    # The trunk joins the branches to the term; each branch carries its kind of link.
    ys = [cy for cy, _ in branches] + [centre_cy]
    lines = [f'<line class="glossary-lg-trunk" x1="{TRUNK_X}" y1="{min(ys)}" x2="{TRUNK_X}" y2="{max(ys)}"/>']
    for cy, g in branches:
        dash = f' stroke-dasharray="{DASHES[g.kind]}"' if DASHES[g.kind] else ""
        x1, x2 = TRUNK_X, PILL_X - 2
        if g.kind in _DIRECTED and not g.outgoing:
            x1, x2 = x2, TRUNK_X + 2  # from the neighbour towards the term
        head = f' marker-end="url(#glossary-lg-head-{g.kind})"' if g.kind in _DIRECTED else ""
        lines.append(
            f'<line class="glossary-link glossary-link--{g.kind}" data-kind="{g.kind}" data-group="{g.id}"'
            f' x1="{x1}" y1="{cy}" x2="{x2}" y2="{cy}"{dash}{head}/>'
        )
    count = sum(len(g.slugs) for g in groups)
    kinds = tuple(k for k in LINK_KINDS if any(g.kind == k for g in groups))
    t = esc(term)
    return Markup(
        f'<figure class="glossary-local-graph" data-glossary-local-graph="{esc(slug)}">'
        f'<svg class="glossary-lg-svg" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f' viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="group"'
        ' aria-label="Graph of related terms" aria-describedby="glossary-lg-caption">'
        f"<defs>{_MARKERS}</defs>{''.join(lines)}{centre}{''.join(parts)}</svg>"
        f'<figcaption id="glossary-lg-caption">{t} and its {count} directly related terms. Arrows point from'
        " what to learn first to what comes next, and from a term to the broader term it is part of.</figcaption>"
        f"{_legend(kinds)}</figure>"
    )


@functools.lru_cache(maxsize=64)
def _legend(kinds: tuple[str, ...]) -> str:
    return str(legend_html(list(kinds)))


def graph_data(
    entries: dict[str, Any],
    link_list: list[Link],
    urls: dict[str, str],
    summaries: dict[str, str],
    categories: list[tuple[str, str]],
) -> dict[str, Any]:
    """What the graph page's script draws: nodes, typed links as index triples, kinds and dashes."""
    slugs = sorted(entries)
    index = {s: i for i, s in enumerate(slugs)}
    kinds = list(LINK_KINDS)
    return {
        "version": 1,
        "kinds": [{"id": k, "label": LINK_KINDS[k], "dash": DASHES[k], "directed": k in _DIRECTED} for k in kinds],
        "categories": [{"id": cid, "title": title} for cid, title in categories],
        "nodes": [
            {
                "slug": s,
                "term": entries[s].term,
                "aliases": list(entries[s].aliases),
                "url": urls[s],
                "difficulty": entries[s].difficulty.value,
                "categories": list(entries[s].categories),
                "summary": summaries[s],
            }
            for s in slugs
        ],
        "links": [[index[k.source], index[k.target], kinds.index(k.kind)] for k in link_list],
    }
