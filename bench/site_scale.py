"""Site build at scale: plain Material pages vs. the aiglossary plugin vs. mkdocs-ezglossary-plugin.

For each size (number of terms) this script generates, into a temporary folder, one synthetic
glossary of valid entries and docs pages that mention every term 16 times (N/5 pages, 80 mentions
per page: 200 pages and 16,000 mentions at 1,000 terms), then builds three projects side by side
on the same machine, in the same run, interleaved:

  (a) plain   MkDocs + Material: the same docs text (mentions left as plain words), one Markdown
              page per term holding the entry's text, an A–Z page and a page per category, and the
              same small navigation (term pages are not in the sidebar).
  (b) plugin  ``plugins: [search, glossary]`` over the synthetic ``glossary/`` folder of YAML entries
              (categories file, typed relations, comparisons, sources...); the docs text is the same
              and the plugin links the mentions itself.
  (c) peer    mkdocs-ezglossary-plugin with the same terms (defined on per-term pages, with the same
              text) and every mention written as a reference in its own syntax, ``<g:slug|Text>``.

It prints each build time, b/a (target <= 1.3), c/b (targets: >= 3 at 1,000 terms, >= 10 at 4,000)
and how (b) grows with size (10x the terms should cost <= 11x the time).

    .venv/bin/python bench/site_scale.py --sizes 100,1000            # 3 runs each, fastest kept
    .venv/bin/python bench/site_scale.py --skip-peer-above 4000 --plugin-rev HEAD \
        --update-docs docs/benchmarks.md                                  # all four sizes, into the docs

A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (100, 1000, 4000, 10000)
MENTIONS_PER_TERM = 16
TERMS_PER_PAGE = 5  # N/5 docs pages: 200 pages at 1,000 terms
MENTIONS_PER_SECTION = 8  # distinct terms per docs section, so "first mention per section" links all
MENTIONS_PER_PARAGRAPH = 2
PEER_SECTION = "g"
TRACK = 20  # terms per prerequisite chain

# Term words are built from consonant-vowel syllables that no filler word can form.
_CONSONANTS = "bfgjkvxz"
_VOWELS = "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]
_WORDS = len(_SYLLABLES) ** 3  # 64,000 three-syllable words
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_FILLER_TEXT = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed tempor incididunt ut labore et dolore "
    "magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea "
    "commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum eu fugiat nulla "
    "pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit "
    "anim id est laborum the model data layer weight signal training network learns from each step"
)
_FILLER = _FILLER_TEXT.split()
CATEGORIES = {
    "foundations": "Foundations",
    "architectures": "Architectures",
    "training": "Training",
    "generative-models": "Generative Models",
    "deployment": "Deployment",
    "evaluation": "Evaluation",
    "data": "Data",
    "safety": "Safety",
}
DIFFICULTIES = ("beginner", "intermediate", "advanced")
DOMAINS = ("Language", "Vision", "Speech", "Robotics", "Biology")


# --------------------------------------------------------------------------------------------
# Synthetic corpus
# --------------------------------------------------------------------------------------------


def _word(k: int) -> str:
    n = (k * 7919 + 12345) % _WORDS  # a bijection on [0, 64000): 7919 is coprime with 64,000
    s = len(_SYLLABLES)
    return _SYLLABLES[n // (s * s)] + _SYLLABLES[(n // s) % s] + _SYLLABLES[n % s]


def _letters(i: int, width: int = 3) -> str:
    out = ""
    for _ in range(width):
        out = chr(ord("A") + i % 26) + out
        i //= 26
    return out


@dataclass
class Term:
    index: int
    name: str
    slug: str
    abbrev: str | None
    categories: list[str]
    difficulty: str
    entry: dict[str, Any] = field(default_factory=dict)

    def mention(self, k: int) -> str:
        """The k-th way a page names this term: mostly the term, sometimes its abbreviation."""
        return self.abbrev if self.abbrev and k % 4 == 3 else self.name


def make_terms(n: int) -> list[Term]:
    terms = []
    cats = list(CATEGORIES)
    for i in range(n):
        name = f"{_word(2 * i).capitalize()} {_word(2 * i + 1).capitalize()}"
        slug = name.lower().replace(" ", "-")
        abbrev = (name[0] + name.split()[1][0] + _letters(i)) if i % 4 == 0 else None
        categories = [cats[i % len(cats)]] + ([cats[(i * 3 + 1) % len(cats)]] if i % 3 == 0 else [])
        terms.append(Term(i, name, slug, abbrev, sorted(set(categories)), DIFFICULTIES[i % 3]))
    return terms


class Filler:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def words(self, n: int) -> str:
        return " ".join(self.rng.choices(_FILLER, k=n))

    def sentence(self, n: int = 12, *, inserts: tuple[str, ...] = ()) -> str:
        words = self.rng.choices(_FILLER, k=n)
        words[0] = words[0].capitalize()
        for text in inserts:
            words.insert(self.rng.randrange(1, len(words)), text)
        return " ".join(words) + "."

    def sentences(self, count: int, n: int = 12) -> str:
        return " ".join(self.sentence(n) for _ in range(count))


def _related(i: int, n: int) -> list[tuple[int, str]]:
    """Three to four typed relations.

    Prerequisites and next steps chain the terms in learning tracks of ``TRACK`` terms (each term
    after the previous one of its track), so there is no cycle and the learning path is as deep as a
    real curriculum; see-also, contrast and broader relations cross the tracks.
    """
    rels: list[tuple[int, str]] = []
    if i % TRACK:
        rels.append((i - 1, "prerequisite"))
    if (i + 1) % TRACK and i + 1 < n:
        rels.append((i + 1, "next-step"))
    for step, kind in ((7, "see-also"), (13, "contrast"), (29, "broader")):
        j = (i + step) % n
        if len(rels) >= 4:
            break
        if j != i and j not in {r for r, _ in rels}:
            rels.append((j, kind))
    return rels


def fill_entries(terms: list[Term], seed: int = 1) -> None:
    """Give every term a complete, valid entry (every section the model knows, at its minimum size)."""
    n = len(terms)
    f = Filler(seed)
    for t in terms:
        rels = _related(t.index, n)
        other = terms[rels[0][0]]
        mention_a, mention_b = terms[rels[-1][0]], other
        t.entry = {
            "term": t.name,
            "aliases": [t.abbrev] if t.abbrev else [],
            "plural": [],
            "categories": t.categories,
            "difficulty": t.difficulty,
            "summary": f.sentence(14),
            "definition": f.sentences(2, 16) + " " + f.sentence(12, inserts=(mention_a.name,)),
            "explanation": "\n\n".join(
                [
                    f.sentences(3, 14),
                    f.sentences(2, 14) + " " + f.sentence(14, inserts=(mention_b.name,)),
                    f.sentences(3, 14),
                ]
            ),
            "analogy": f.sentence(18),
            "examples": [
                {"domain": DOMAINS[k], "title": f.words(3).capitalize(), "text": f.sentences(2, 12)} for k in range(3)
            ],
            "comparison": {
                "with": other.slug,
                "rows": [
                    {"aspect": f.words(2).capitalize(), "this": f.words(5), "other": f.words(5)} for _ in range(3)
                ],
            },
            "why_it_matters": f.sentences(3, 16),
            "where_used": [
                {"name": f.words(2).title(), "text": f.sentence(14), "source": "primary"},
                {"name": f.words(2).title(), "text": f.sentence(14), "source": "primary"},
            ],
            "misconceptions": [{"myth": f.sentence(10), "reality": f.sentences(2, 12)} for _ in range(3)],
            "phrases": [f.sentence(10) for _ in range(3)],
            "related": [{"term": terms[j].slug, "relation": kind, "note": f.sentence(8)} for j, kind in rels],
            "definition_source": "primary",
            "sources": [
                {"id": "primary", "kind": "paper", "title": f.words(5).title(), "url": f"https://example.org/{t.slug}"}
            ],
        }


@dataclass
class DocsPage:
    path: str  # relative to docs/
    title: str
    sections: list[tuple[str, list[list[tuple[str, Term, str]]]]]  # heading, paragraphs of parts


def make_docs_pages(terms: list[Term], seed: int = 2) -> list[DocsPage]:
    """N/5 pages; every term mentioned 16 times; sections of 8 distinct terms."""
    n = len(terms)
    rng = random.Random(seed)
    seq: list[int] = []
    for _ in range(MENTIONS_PER_TERM):
        perm = list(range(n))
        rng.shuffle(perm)
        seq.extend(perm)
    # Chunks of 8 must hold distinct terms (only chunks across two permutations can repeat one).
    size = MENTIONS_PER_SECTION
    for start in range(0, len(seq), size):
        chunk_end = min(start + size, len(seq))
        for pos in range(start, chunk_end):
            if seq[pos] in seq[start:pos]:
                for other in range(chunk_end, len(seq)):
                    window = seq[start:chunk_end]
                    if seq[other] not in window:
                        seq[pos], seq[other] = seq[other], seq[pos]
                        break
    f = Filler(seed + 1)
    pages_count = max(1, n // TERMS_PER_PAGE)
    per_page = len(seq) // pages_count
    pages = []
    counter = 0
    for p in range(pages_count):
        chunk = seq[p * per_page : (p + 1) * per_page if p + 1 < pages_count else len(seq)]
        sections = []
        for s in range(0, len(chunk), size):
            paragraphs = []
            sec = chunk[s : s + size]
            for q in range(0, len(sec), MENTIONS_PER_PARAGRAPH):
                parts: list[tuple[str, Term, str]] = []
                for idx in sec[q : q + MENTIONS_PER_PARAGRAPH]:
                    parts.append((f.words(9).capitalize() + " ", terms[idx], " " + f.words(8) + "."))
                    counter += 1
                paragraphs.append(parts)
            sections.append((f.words(3).capitalize(), paragraphs))
        pages.append(DocsPage(f"guides/page-{p:05d}.md", f"Guide {p + 1}", sections))
    return pages


# --------------------------------------------------------------------------------------------
# Writing the three projects
# --------------------------------------------------------------------------------------------

NAV = [
    {"Home": "index.md"},
    {"Guides": "guides/index.md"},
    {"Glossary": "glossary/index.md"},
]


def mkdocs_config(name: str, plugins: list[Any], *, nav: list[Any] | None = None) -> dict[str, Any]:
    return {
        "site_name": f"Scale benchmark ({name})",
        "site_url": "https://example.org/",
        "docs_dir": "docs",
        "theme": {
            "name": "material",
            "font": False,
            "features": ["navigation.instant", "content.tooltips", "search.suggest"],
        },
        "markdown_extensions": [
            "abbr",
            "admonition",
            "attr_list",
            "def_list",
            "tables",
            {"toc": {"permalink": True}},
        ],
        "plugins": plugins,
        "nav": nav if nav is not None else NAV,
    }


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def _link(mention: str, term: Term, style: str) -> str:
    if style == "peer":
        return f"<{PEER_SECTION}:{term.slug}|{mention}>"
    return mention  # plain text: (b) links it itself, (a) leaves it as a word


def _mentions(text: str, terms_by_name: dict[str, Term], style: str) -> str:
    if style != "peer":
        return text
    for name, term in terms_by_name.items():
        if name in text:
            text = text.replace(name, _link(name, term, style), 1)
    return text


def render_docs_page(page: DocsPage, style: str) -> str:
    out = [f"# {page.title}\n", "This guide walks through several ideas and the terms they rely on.\n"]
    k = 0
    for heading, paragraphs in page.sections:
        out.append(f"## {heading}\n")
        for parts in paragraphs:
            line = []
            for before, term, after in parts:
                line.append(before + _link(term.mention(k), term, style) + after)
                k += 1
            out.append(" ".join(line) + "\n")
    return "\n".join(out)


def render_term_page(t: Term, terms: dict[str, Term], style: str) -> str:
    """A term page in plain Markdown with the entry's text (for (a), and for (c) with its syntax)."""
    e = t.entry
    by_name = {terms[r["term"]].name: terms[r["term"]] for r in e["related"]}
    m = lambda text: _mentions(text, by_name, style)  # noqa: E731
    cats = " · ".join(f"[{CATEGORIES[c]}](categories/{c}.md)" for c in e["categories"])
    out = [f"# {t.name}\n", f"{cats} — **{e['difficulty']}**\n"]
    if style == "peer":
        # The peer's definition: a definition list entry in its own section syntax.
        out.append(f"{PEER_SECTION}:{t.slug}\n:   {e['summary']}\n")
    else:
        out.append(f"*{e['summary']}*\n")
    if e["aliases"]:
        out.append("Also called: " + ", ".join(e["aliases"]) + "\n")
    out += ["## Definition\n", m(e["definition"]) + "\n", "## Explanation\n", m(e["explanation"]) + "\n"]
    out.append(f"> **Analogy.** {e['analogy']}\n")
    out.append("## Examples\n")
    for ex in e["examples"]:
        out.append(f"### {ex['domain']}: {ex['title']}\n\n{ex['text']}\n")
    other = terms[e["comparison"]["with"]]
    out.append(f"## {t.name} vs. {other.name}\n")
    out.append(f"| Aspect | {t.name} | [{other.name}]({other.slug}.md) |\n|---|---|---|")
    out += [f"| {r['aspect']} | {r['this']} | {r['other']} |" for r in e["comparison"]["rows"]]
    out += ["", "## Why it matters\n", e["why_it_matters"] + "\n", "## Where it's used\n"]
    out += [f"- **{u['name']}**: {u['text']}" for u in e["where_used"]]
    out += ["", "## Misconceptions\n"]
    for mc in e["misconceptions"]:
        out.append(f'!!! warning "Myth: {mc["myth"]}"\n    **Reality:** {mc["reality"]}\n')
    out += ["## Phrases\n"] + [f"- “{p}”" for p in e["phrases"]] + ["", "## Related terms\n"]
    for r in e["related"]:
        rt = terms[r["term"]]
        out.append(f"- **{r['relation']}**: [{rt.name}]({rt.slug}.md) — {r['note']}")
    out += ["", "## Sources\n"] + [f"- [{s['title']}]({s['url']})" for s in e["sources"]]
    return "\n".join(out) + "\n"


def render_index(terms: list[Term]) -> str:
    out = ["# Glossary\n", "Every term, A–Z, with its one-sentence summary.\n"]
    letter = ""
    for t in sorted(terms, key=lambda t: t.name.casefold()):
        if t.name[0].upper() != letter:
            letter = t.name[0].upper()
            out.append(f"\n## {letter}\n")
        out.append(f"- [{t.name}]({t.slug}.md) — {t.entry['summary']}")
    out.append("\n## Categories\n")
    out += [f"- [{title}](categories/{cid}.md)" for cid, title in CATEGORIES.items()]
    return "\n".join(out) + "\n"


def render_category(cid: str, terms: list[Term]) -> str:
    out = [f"# {CATEGORIES[cid]}\n"]
    out += [f"- [{t.name}](../{t.slug}.md) — {t.entry['summary']}" for t in terms if cid in t.categories]
    return "\n".join(out) + "\n"


def write_common_docs(docs: Path, pages: list[DocsPage], style: str) -> None:
    _write(docs / "index.md", "# Scale benchmark\n\nSee the [guides](guides/index.md) and the glossary.\n")
    listing = "\n".join(f"- [{p.title}]({Path(p.path).name})" for p in pages)
    _write(docs / "guides" / "index.md", f"# Guides\n\n{listing}\n")
    for p in pages:
        _write(docs / p.path, render_docs_page(p, style))


def write_plain(root: Path, terms: list[Term], pages: list[DocsPage]) -> Path:
    docs = root / "docs"
    write_common_docs(docs, pages, "plain")
    by_slug = {t.slug: t for t in terms}
    for t in terms:
        _write(docs / "glossary" / f"{t.slug}.md", render_term_page(t, by_slug, "plain"))
    _write(docs / "glossary" / "index.md", render_index(terms))
    for cid in CATEGORIES:
        _write(docs / "glossary" / "categories" / f"{cid}.md", render_category(cid, terms))
    cfg = root / "mkdocs.yml"
    _write(cfg, json.dumps(mkdocs_config("plain", ["search"]), indent=1))
    return cfg


def write_peer(root: Path, terms: list[Term], pages: list[DocsPage]) -> Path:
    docs = root / "docs"
    write_common_docs(docs, pages, "peer")
    by_slug = {t.slug: t for t in terms}
    for t in terms:
        _write(docs / "glossary" / f"{t.slug}.md", render_term_page(t, by_slug, "peer"))
    # The peer's own A–Z summary (definitions only; references are listed at each definition).
    _write(
        docs / "glossary" / "index.md",
        f"# Glossary\n\n<glossary::{PEER_SECTION}|no_refs>\n\n## Categories\n\n"
        + "\n".join(f"- [{title}](categories/{cid}.md)" for cid, title in CATEGORIES.items())
        + "\n",
    )
    for cid in CATEGORIES:
        _write(docs / "glossary" / "categories" / f"{cid}.md", render_category(cid, terms))
    peer = {
        "ezglossary": {
            "sections": [PEER_SECTION],
            "tooltip": "short",  # hover preview, like (b)
            "inline_refs": "list",  # references listed at the definition, like (b)'s "Referenced by"
            "plurals": "none",
        }
    }
    cfg = root / "mkdocs.yml"
    _write(cfg, json.dumps(mkdocs_config("ezglossary", ["search", peer]), indent=1))
    return cfg


def write_plugin(root: Path, terms: list[Term], pages: list[DocsPage]) -> Path:
    docs = root / "docs"
    write_common_docs(docs, pages, "plugin")
    gloss = root / "glossary"
    gloss.mkdir(parents=True, exist_ok=True)
    cats = {
        cid: {"title": title, "description": f"Synthetic terms about {title.lower()}."}
        for cid, title in CATEGORIES.items()
    }
    _write(gloss / "_categories.yaml", yaml.safe_dump(cats, sort_keys=False))
    for t in terms:
        body = yaml.dump(t.entry, Dumper=_YAML_DUMPER, sort_keys=False, allow_unicode=True, width=100)
        _write(gloss / f"{t.slug}.yaml", "# yaml-language-server: $schema=schema.json\n" + body)
    cfg = root / "mkdocs.yml"
    _write(cfg, json.dumps(mkdocs_config("plugin", ["search", "glossary"]), indent=1))
    return cfg


def validate_glossary(folder: Path) -> tuple[int, int]:
    """Load the synthetic glossary with the project's loader: (errors, warnings)."""
    from aiglossary.loader import load_knowledge_base

    kb = load_knowledge_base(folder)
    for p in kb.errors[:5]:
        print(f"    invalid synthetic entry: {p}", file=sys.stderr)
    return len(kb.errors), len(kb.warnings)


# --------------------------------------------------------------------------------------------
# Building and timing
# --------------------------------------------------------------------------------------------

MKDOCS = str(Path(sys.executable).parent / "mkdocs")


@dataclass
class Result:
    times: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def best(self) -> float | None:
        return min(self.times) if self.times else None


def snapshot_plugin(rev: str, dest: Path) -> Path:
    """Export ``plugin/`` at git revision ``rev`` into ``dest``; return the folder to import it from.

    The working tree is shared with people editing the plugin; measuring a commit keeps every
    build of one run on the same code.
    """
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "plugin"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest / "plugin"


def build(cfg: Path, site: Path, timeout: float | None, pythonpath: Path | None = None) -> tuple[float | None, str]:
    """Time one ``mkdocs build`` in a subprocess; (seconds, note)."""
    shutil.rmtree(site, ignore_errors=True)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONHASHSEED="0")
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH", "")]))
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [MKDOCS, "build", "-q", "-f", str(cfg), "-d", str(site)],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None, f"stopped after {timeout:.0f} s"
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        print("    build failed:\n      " + "\n      ".join(tail), file=sys.stderr)
        return None, f"build failed (exit {proc.returncode})"
    shutil.rmtree(site, ignore_errors=True)
    return elapsed, ""


def git_describe(rev: str = "HEAD") -> str:
    proc = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def plugin_available() -> bool:
    from importlib.metadata import entry_points

    for ep in entry_points(group="mkdocs.plugins", name="glossary"):
        try:
            ep.load()
        except Exception as exc:  # the plugin is being written: report, do not crash
            print(f"(b) the glossary plugin does not load yet: {type(exc).__name__}: {exc}")
            return False
        return True
    return False


def fmt(t: float | None) -> str:
    return "—" if t is None else f"{t:.2f}"


def ratio(x: float | None, y: float | None) -> float | None:
    return None if x is None or y is None or y == 0 else x / y


def fmt_ratio(r: float | None) -> str:
    return "—" if r is None else f"{r:.2f}"


def run(args: argparse.Namespace, done: Callable[[dict[int, dict[str, Result]]], None]) -> dict[int, dict[str, Result]]:
    """Generate and build every size; ``done`` gets the results so far after each size."""
    results: dict[int, dict[str, Result]] = {}
    base = Path(tempfile.mkdtemp(prefix="site-scale-", dir=args.workdir))
    plugin_path: Path | None = None
    if args.plugin_rev and not args.skip_plugin:
        plugin_path = snapshot_plugin(args.plugin_rev, base / "plugin-src")
        sys.path.insert(0, str(plugin_path))  # the loader check and the entry point load it from there
        args.plugin_label = f"commit {git_describe(args.plugin_rev)} (`--plugin-rev {args.plugin_rev}`)"
        print(f"(b) measures plugin/ at {args.plugin_label}")
    have_plugin = not args.skip_plugin and plugin_available()
    if not have_plugin:
        print("(b) skipped: the glossary plugin (mkdocs.plugins entry point 'glossary') is not available")
    try:
        for n in args.sizes:
            t0 = time.perf_counter()
            terms = make_terms(n)
            fill_entries(terms)
            pages = make_docs_pages(terms)
            mentions = sum(len(parts) for p in pages for _, paras in p.sections for parts in paras)
            root = base / f"n{n}"
            cfgs: dict[str, Path] = {"a": write_plain(root / "plain", terms, pages)}
            if have_plugin:
                cfgs["b"] = write_plugin(root / "plugin", terms, pages)
            skip_peer = args.skip_peer_above is not None and n > args.skip_peer_above
            if not skip_peer:
                cfgs["c"] = write_peer(root / "peer", terms, pages)
            print(
                f"\n== {n:,} terms: {len(pages):,} docs pages, {mentions:,} mentions "
                f"(generated in {time.perf_counter() - t0:.1f} s under {root})"
            )
            if have_plugin and not args.no_validate:
                errors, warnings = validate_glossary(root / "plugin" / "glossary")
                print(f"   synthetic glossary checked by aiglossary.loader: {errors} errors, {warnings} warnings")
                if errors:
                    raise SystemExit("the synthetic glossary is invalid; fix the generator")
            res = {k: Result() for k in "abc"}
            if not have_plugin:
                res["b"].note = "plugin not installed"
            if skip_peer:
                res["c"].note = f"skipped: --skip-peer-above {args.skip_peer_above}"
                print(
                    f"   (c) skipped: {n:,} terms > --skip-peer-above {args.skip_peer_above} "
                    "(the peer's time grows with the square of the references)"
                )
            repeat = args.repeat if n <= args.repeat_max_terms else 1
            for rep in range(repeat):
                for key in "abc":
                    if key not in cfgs or res[key].note:
                        continue
                    timeout = args.peer_timeout if key == "c" else None
                    t, note = build(cfgs[key], root / f"site-{key}", timeout, plugin_path if key == "b" else None)
                    if t is None:
                        res[key].note = note
                        print(f"   ({key}) {note}")
                    else:
                        res[key].times.append(t)
                        print(f"   run {rep + 1}/{repeat} ({key}) {t:7.2f} s", flush=True)
            results[n] = res
            done(results)
            if not args.keep:
                shutil.rmtree(root, ignore_errors=True)
    finally:
        if args.keep:
            print(f"\nprojects kept under {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return results


def report(results: dict[int, dict[str, Result]], args: argparse.Namespace) -> str:
    lines = [
        "| Terms | Docs pages | Mentions | (a) plain Material | (b) aiglossary | (c) ezglossary | b/a | c/b |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, res in results.items():
        a, b, c = (res[k].best for k in "abc")
        cell_c = fmt(c) + " s" if c is not None else (res["c"].note or "—")
        cell_b = fmt(b) + " s" if b is not None else (res["b"].note or "—")
        if c is None and res["c"].note.startswith("stopped"):
            cell_c = f"> {args.peer_timeout:.0f} s (stopped)"
        c_over_b = ratio(c, b)
        if c is None and b is not None and res["c"].note.startswith("stopped"):
            c_over_b_text = f"> {args.peer_timeout / b:.1f}"
        else:
            c_over_b_text = fmt_ratio(c_over_b)
        lines.append(
            f"| {n:,} | {max(1, n // TERMS_PER_PAGE):,} | {n * MENTIONS_PER_TERM:,} | {fmt(a)} s | {cell_b} | "
            f"{cell_c} | {fmt_ratio(ratio(b, a))} | {c_over_b_text} |"
        )
    growth = []
    sizes = [n for n in results if results[n]["b"].best is not None]
    pairs = list(itertools.pairwise(sizes))
    pairs += [(lo, hi) for lo in sizes for hi in sizes if hi == 10 * lo and (lo, hi) not in pairs]
    for lo, hi in pairs:
        tb_lo, tb_hi = results[lo]["b"].best, results[hi]["b"].best
        assert tb_lo is not None and tb_hi is not None
        r = tb_hi / tb_lo
        growth.append(
            f"- (b) {lo:,} → {hi:,} terms ({hi / lo:g}× the terms): {r:.2f}× the time "
            f"(target ≤ {1.1 * hi / lo:.1f}×: {'met' if r <= 1.1 * hi / lo else 'missed'})"
        )
    return "\n".join(lines) + ("\n\n" + "\n".join(growth) if growth else "")


def targets(results: dict[int, dict[str, Result]]) -> list[str]:
    out = []
    for n, res in results.items():
        a, b, c = (res[k].best for k in "abc")
        ba = ratio(b, a)
        if ba is not None:
            out.append(f"b/a at {n:,} terms = {ba:.2f} (target ≤ 1.3: {'met' if ba <= 1.3 else 'missed'})")
        rounds = [bt / at for at, bt in zip(res["a"].times, res["b"].times, strict=False)]
        if len(rounds) > 1:
            per = ", ".join(f"{r:.2f}" for r in rounds)
            out.append(f"b/a round by round at {n:,} terms: {per} (median {statistics.median(rounds):.2f})")
        cb = ratio(c, b)
        goal = {1000: 3.0, 4000: 10.0}.get(n)
        if cb is not None and goal:
            out.append(f"c/b at {n:,} terms = {cb:.2f} (target ≥ {goal:g}: {'met' if cb >= goal else 'missed'})")
    return out


SECTION = "## Site build at scale"


def update_docs(path: Path, table: str, command: str, args: argparse.Namespace, notes: list[str]) -> None:
    """Replace (or append) the "Site build at scale" section of the benchmark page."""
    cpu = platform.processor() or platform.machine()
    load = "not recorded" if args.load_at_start is None else f"{args.load_at_start:.1f}"
    body = [
        SECTION,
        "",
        "Synthetic glossaries (16 mentions per term in N/5 docs pages: 200 pages and 16,000 mentions at",
        "1,000 terms) built side by side in one run on the same machine: (a) plain MkDocs + Material pages",
        "with the same text and the same small navigation, (b) this plugin (`plugins: [search, glossary]`",
        "over a folder of valid YAML entries), (c) mkdocs-ezglossary-plugin 2.1.0 with the same terms and",
        "every mention written as a reference in its syntax. Term pages are out of the sidebar in all three.",
        "(c) is configured like (b) behaves: `tooltip: short` (hover previews) and `inline_refs: list`",
        '(references listed at each definition, like "Referenced by"). Every build is a subprocess',
        "`mkdocs build`; the three variants of a size are built one after the other, in turn.",
        f"Times are the fastest of {args.repeat} runs per variant (sizes up to {args.repeat_max_terms:,} terms;",
        f"larger sizes: one run), in seconds, measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPU cores",
        f"({cpu}, Python {platform.python_version()}); the 1-minute load average was {load} when the run",
        "started (other jobs on the machine slow some builds more than others: compare the ratios, not the",
        f"seconds). Plugin: {args.plugin_label}.",
        "",
        "```sh",
        command,
        "```",
        "",
        table,
        "",
        *[f"- {n}" for n in notes],
        "",
        "Targets: b/a ≤ 1.3 at every size; c/b ≥ 3 at 1,000 terms and ≥ 10 at 4,000; 10× the terms",
        "costs ≤ 11× the time. The script's docstring describes the corpus and the three projects.",
        "",
    ]
    text = path.read_text("utf-8") if path.exists() else "# Benchmarks\n\n"
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + "\n".join(body)
    else:
        nxt = text.find("\n## ", start + len(SECTION))
        tail = text[nxt + 1 :] if nxt != -1 else ""
        text = text[:start] + "\n".join(body) + ("\n" + tail if tail else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", "utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="comma-separated term counts")
    ap.add_argument("--repeat", type=int, default=3, help="builds per variant and size; the fastest is kept")
    ap.add_argument(
        "--repeat-max-terms",
        type=int,
        default=1000,
        metavar="N",
        help="sizes above N terms build each variant once (default 1000)",
    )
    ap.add_argument(
        "--skip-peer-above", type=int, default=None, metavar="N", help="do not build (c) for sizes above N terms"
    )
    ap.add_argument(
        "--peer-timeout",
        type=float,
        default=1800,
        metavar="S",
        help="stop a (c) build after S seconds (reported as > S)",
    )
    ap.add_argument("--skip-plugin", action="store_true", help="do not build (b)")
    ap.add_argument(
        "--plugin-rev",
        metavar="REV",
        default=None,
        help="measure plugin/ as committed at git revision REV (e.g. HEAD) instead of the working tree",
    )
    ap.add_argument("--no-validate", action="store_true", help="do not load the synthetic glossary with the loader")
    ap.add_argument("--keep", action="store_true", help="keep the generated projects")
    ap.add_argument("--workdir", default=None, help="where to create the temporary projects")
    ap.add_argument("--update-docs", metavar="PATH", help="write the table into PATH's 'Site build at scale' section")
    ap.add_argument("--results-json", metavar="PATH", help="save every measured time to PATH (after each size)")
    ap.add_argument("--from-json", metavar="PATH", help="build nothing: report the times saved by --results-json")
    args = ap.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.plugin_label = f"the working tree (at commit {git_describe()})"
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    return args


_OUTPUT_OPTIONS = ("--update-docs", "--results-json", "--from-json")


def measuring_command(given: list[str]) -> str:
    """The command line that measures: options that only say where results go are left out."""
    kept: list[str] = []
    skip_value = False
    for arg in given:
        if skip_value:
            skip_value = False
        elif arg.split("=", 1)[0] in _OUTPUT_OPTIONS:
            skip_value = "=" not in arg  # "--opt value" also drops the value
        else:
            kept.append(arg)
    return ".venv/bin/python bench/site_scale.py " + " ".join(kept)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = measuring_command(list(sys.argv[1:] if argv is None else argv))
    args.load_at_start = os.getloadavg()[0]

    def done(results: dict[int, dict[str, Result]]) -> None:
        # After every size, so a long run that is stopped still leaves what it measured.
        table = report(results, args)
        notes = targets(results)
        print("\n" + table + "\n")
        for line in notes:
            print(line)
        all_b = [r["b"].times for r in results.values() if len(r["b"].times) > 1]
        if all_b:
            spread = max((max(t) - min(t)) / min(t) for t in all_b)
            print(f"largest spread between repeats of (b): {spread:.0%} (noisy machine: compare ratios, not seconds)")
        if args.update_docs:
            update_docs(Path(args.update_docs), table, command, args, notes)
            print(f"wrote the table into {args.update_docs}")
        if args.results_json:
            data = {"command": command, "plugin": args.plugin_label, "repeat": args.repeat}
            data["load_at_start"] = args.load_at_start
            data["results"] = {str(n): {k: asdict(r) for k, r in res.items()} for n, res in results.items()}
            Path(args.results_json).write_text(json.dumps(data, indent=1), "utf-8")

    if args.from_json:
        # Report again from the times a run saved (e.g. after a change of this report's wording).
        data = json.loads(Path(args.from_json).read_text("utf-8"))
        command, args.plugin_label, args.repeat = data["command"], data["plugin"], data["repeat"]
        args.load_at_start = data.get("load_at_start")
        done({int(n): {k: Result(**r) for k, r in res.items()} for n, res in data["results"].items()})
    else:
        run(args, done)
    return 0


if __name__ == "__main__":
    sys.exit(main())
