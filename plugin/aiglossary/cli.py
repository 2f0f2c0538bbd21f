"""The ``glossary`` command: create, check, list, show and export entries."""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from pathlib import Path

import click
import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined

from .export import plain, to_json
from .graph import learn_next
from .loader import KnowledgeBase, load_knowledge_base, slugify
from .model import Difficulty, json_schema

DEFAULT_ROOT = "glossary"


def _root_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("GLOSSARY_ROOT", DEFAULT_ROOT),
        show_default="glossary (or $GLOSSARY_ROOT)",
        help="Folder holding one YAML file per term.",
    )(f)


def _load(root: Path) -> KnowledgeBase:
    if not root.is_dir():
        raise click.UsageError(f"glossary folder '{root}' not found; run from the project root or pass --root")
    return load_knowledge_base(root)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ai-glossary")
def main() -> None:
    """Author and check the AI Glossary: one YAML file per term in glossary/.

    \b
    Typical loop:
      glossary new "Term name"     write a scaffold to fill in
      glossary check --strict      validate every entry and the links between them
      glossary show term-slug      read an entry in the terminal
    """


@main.command()
@click.argument("term")
@_root_option
def new(term: str, root: Path) -> None:
    """Write a complete scaffold glossary/<slug>.yaml for TERM (never overwrites)."""
    slug = slugify(term)
    if not slug:
        raise click.BadParameter("must contain letters or digits", param_hint="'TERM'")
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{slug}.yaml"
    if path.exists():
        raise click.ClickException(f"{path} already exists; edit it instead (nothing was written)")
    kb = load_knowledge_base(root, check=False)
    cats = sorted(kb.categories) or ["ml-fundamentals"]
    env = Environment(loader=PackageLoader("aiglossary"), undefined=StrictUndefined, keep_trailing_newline=True)
    text = env.get_template("scaffold.yaml.j2").render(
        slug=slug,
        term_yaml=yaml.safe_dump(term, default_style=None).strip().removesuffix("\n..."),
        term_plain=term,
        categories=", ".join(cats),
        first_category=cats[0],
    )
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(text)
    click.echo(f"Wrote {path}. Fill in every TODO, then run: glossary check")


@main.command()
@_root_option
@click.option("--strict", is_flag=True, help="Treat warnings (orphans, thin sections) as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(root: Path, strict: bool, fmt: str) -> None:
    """Validate every entry and the relations between them.

    Exit status: 0 clean, 1 errors (or warnings with --strict).
    """
    kb = _load(root)
    failed = bool(kb.errors) or (strict and bool(kb.warnings))
    if fmt == "json":
        report = {
            "ok": not failed,
            "entries": len(kb.entries),
            "errors": len(kb.errors),
            "warnings": len(kb.warnings),
            "problems": [p.to_dict() for p in kb.problems],
        }
        click.echo(json.dumps(report, indent=2))
    else:
        for p in kb.problems:
            click.echo(str(p), err=True)
        summary = f"{len(kb.entries)} entries, {len(kb.errors)} error(s), {len(kb.warnings)} warning(s)"
        click.echo(("FAILED: " if failed else "OK: ") + summary, err=failed)
    sys.exit(1 if failed else 0)


@main.command("list")
@_root_option
@click.option("--category", help="Only terms in this category id.")
@click.option("--difficulty", type=click.Choice([d.value for d in Difficulty]), help="Only this level.")
def list_(root: Path, category: str | None, difficulty: str | None) -> None:
    """List terms with their difficulty and summary."""
    kb = _load(root)
    if category and category not in kb.categories:
        raise click.BadParameter(
            f"unknown category; choose from {', '.join(sorted(kb.categories))}", param_hint="'--category'"
        )
    for slug, entry in kb.sorted_entries():
        if category and category not in entry.categories:
            continue
        if difficulty and entry.difficulty.value != difficulty:
            continue
        click.echo(f"{slug:34} {entry.difficulty.value:12} {plain(entry.summary)}")


def _wrap(text: str, indent: str = "  ") -> str:
    width = min(100, max(40, shutil.get_terminal_size((100, 24)).columns - 2))
    return "\n".join(
        textwrap.fill(par, width=width, initial_indent=indent, subsequent_indent=indent)
        for par in plain(text).split("\n\n")
    )


@main.command()
@click.argument("slug")
@_root_option
def show(slug: str, root: Path) -> None:
    """Print one entry, readably, in the terminal."""
    kb = _load(root)
    if slug not in kb.entries:
        from .problems import did_you_mean

        raise click.BadParameter(f"no term '{slug}'{did_you_mean(slug, kb.entries)}", param_hint="'SLUG'")
    e = kb.entries[slug]
    h = lambda s: click.style(s, bold=True)  # noqa: E731
    cats = ", ".join(kb.categories[c].title if c in kb.categories else c for c in e.categories)
    click.echo(click.style(e.term, bold=True, underline=True) + f"  [{e.difficulty.value}] {cats}")
    if e.aliases:
        click.echo("  also: " + ", ".join(e.aliases))
    for title, text in (
        ("Definition", e.definition),
        ("Plain explanation", e.explanation),
        ("Analogy", e.analogy),
    ):
        click.echo(f"\n{h(title)}\n{_wrap(text)}")
    click.echo(f"\n{h('Examples')}")
    for ex in e.examples:
        click.echo(_wrap(f"{ex.domain} — {ex.title}: {ex.text}"))
    click.echo(f"\n{h('At a glance')} ({e.term} vs {e.comparison.with_})")
    for row in e.comparison.rows:
        click.echo(f"  {row.aspect}: {plain(row.this)} | {plain(row.other)}")
    click.echo(f"\n{h('Why it matters')}\n{_wrap(e.why_it_matters)}")
    click.echo(f"\n{h('Where it is used')}")
    for use in e.where_used:
        click.echo(_wrap(f"{use.name}: {use.text}"))
    click.echo(f"\n{h('Misconceptions')}")
    for m in e.misconceptions:
        click.echo(_wrap(f"Myth: {m.myth}") + "\n" + _wrap(f"Reality: {m.reality}", "    "))
    click.echo(f"\n{h('How people say it')}")
    for p in e.phrases:
        click.echo(_wrap(f"“{p}”"))
    click.echo(f"\n{h('Related')}")
    for r in e.related:
        click.echo(f"  {r.relation.value:12} {r.term}: {plain(r.note)}")
    nxt = learn_next(kb.entries, slug)
    if nxt.prerequisites or nxt.next_steps:
        click.echo(f"\n{h('Learn next')}")
        if nxt.prerequisites:
            click.echo("  first: " + ", ".join(nxt.prerequisites))
        if nxt.next_steps:
            click.echo("  then:  " + ", ".join(nxt.next_steps))


@main.command()
@_root_option
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def export(root: Path, fmt: str, output: Path | None) -> None:
    """Export the whole knowledge base, with the typed relation graph."""
    kb = _load(root)
    for p in kb.errors:
        click.echo(str(p), err=True)
    text = json.dumps(to_json(kb), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        from .fsutil import atomic_write_text

        atomic_write_text(output, text)
        click.echo(f"Wrote {output} ({len(kb.entries)} terms)", err=True)


@main.command()
@_root_option
@click.option("--write", is_flag=True, help="Rewrite glossary/schema.json instead of checking it.")
def schema(root: Path, write: bool) -> None:
    """Check (or --write) glossary/schema.json, generated from the entry model."""
    from .fsutil import atomic_write_text

    path = root / "schema.json"
    text = json.dumps(json_schema(), indent=2) + "\n"
    if write:
        atomic_write_text(path, text)
        click.echo(f"Wrote {path}")
        return
    if not path.exists() or path.read_text("utf-8") != text:
        raise click.ClickException(f"{path} is stale; run: glossary schema --write")
    click.echo(f"{path} is up to date")


if __name__ == "__main__":  # pragma: no cover
    main()
