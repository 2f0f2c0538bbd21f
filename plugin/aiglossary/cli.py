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
from .fsutil import atomic_write_text
from .graph import learn_next
from .loader import KnowledgeBase, load_knowledge_base, slugify
from .model import Difficulty, json_schema
from .problems import did_you_mean
from .text import visible

DEFAULT_ROOT = "glossary"
# Longest slug `glossary new` writes: file systems refuse names over 255 bytes, and URLs get unwieldy.
MAX_SLUG = 100


def _root_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("GLOSSARY_ROOT", DEFAULT_ROOT),
        show_default="glossary (or $GLOSSARY_ROOT)",
        help="Folder holding one YAML file per term.",
    )(f)


def _require_root(root: Path) -> None:
    if not root.is_dir():
        raise click.UsageError(
            f"glossary folder '{root}' not found (it does not exist); run from the project root or pass --root"
        )


def _load(root: Path) -> KnowledgeBase:
    _require_root(root)
    return load_knowledge_base(root)


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; a failure is one clean line, never a traceback."""
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc} (nothing was written)") from None


def _create(path: Path, text: str) -> None:
    """Write a new file atomically, refusing to replace one that exists (even one made meanwhile)."""
    tmp = path.with_name(f".{path.name}.new")
    try:
        atomic_write_text(tmp, text)
        try:
            os.link(tmp, path)  # fails if path exists: never overwrites
        finally:
            tmp.unlink(missing_ok=True)
    except FileExistsError:
        raise click.ClickException(f"{path} already exists; edit it instead (nothing was written)") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc} (nothing was written)") from None


def resolve(kb: KnowledgeBase, name: str) -> str | None:
    """The slug that ``name`` stands for: a slug, or a term, alias or plural (any case), else None."""
    if name in kb.entries:
        return name
    from .sitegen.autolink import name_forms

    wanted = " ".join(name.split()).casefold()
    for slug, entry in kb.sorted_entries():
        if any(form.casefold() == wanted for form in name_forms(entry)):
            return slug
    slug = slugify(name)
    return slug if slug in kb.entries else None


def _unknown(kb: KnowledgeBase, name: str, param: str) -> click.BadParameter:
    left_out = [d for d in sorted(kb.rejected) if Path(d).stem == slugify(name)]
    if left_out:
        return click.BadParameter(
            f"'{visible(name)}' was left out because of its errors (see {left_out[0]}); "
            f"run: glossary check {Path(left_out[0]).stem}",
            param_hint=param,
        )
    names = [*kb.entries, *(n for e in kb.entries.values() for n in e.names())]
    return click.BadParameter(f"no term '{visible(name)}'{visible(did_you_mean(name, names))}", param_hint=param)


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
    if len(slug) > MAX_SLUG:
        raise click.BadParameter(
            f"makes a {len(slug)}-character file name; a slug has at most {MAX_SLUG} (use a shorter term)",
            param_hint="'TERM'",
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"cannot create folder {root}: {exc.strerror or exc}") from None
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
    _create(path, text)
    where = "" if root == Path(DEFAULT_ROOT) else f" --root {root}"
    click.echo(f"Wrote {path}. Fill in every TODO, then run: glossary check{where} {slug}")


@main.command()
@click.argument("terms", nargs=-1)
@_root_option
@click.option("--strict", is_flag=True, help="Treat warnings (orphans, thin sections) as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(terms: tuple[str, ...], root: Path, strict: bool, fmt: str) -> None:
    """Validate every entry and the relations between them.

    With TERMS (slugs, terms, aliases or plurals), report only the problems of those entries; the
    checks across entries still run on the whole glossary.

    Exit status: 0 clean, 1 errors (or warnings with --strict).
    """
    kb = _load(root)
    if terms:
        files: set[str] = set()
        for name in terms:
            slug = resolve(kb, name)
            if slug is not None:
                files.add(kb.files[slug].display)
                continue
            # An entry left out for its errors has no slug in kb.entries, but its file is there.
            left_out = [d for d in kb.rejected if Path(d).stem == slugify(name)]
            if not left_out:
                raise _unknown(kb, name, "'TERMS'")
            files.update(left_out)
        kb.problems = [p for p in kb.problems if p.file in files]
        kb.entries = {s: e for s, e in kb.entries.items() if kb.files[s].display in files}
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
            click.echo(visible(str(p)), err=True)
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
        click.echo(visible(f"{slug:34} {entry.difficulty.value:12} {plain(entry.summary)}"))


def _wrap(text: str, indent: str = "  ") -> str:
    width = min(100, max(40, shutil.get_terminal_size((100, 24)).columns - 2))
    return "\n".join(
        textwrap.fill(par, width=width, initial_indent=indent, subsequent_indent=indent)
        for par in visible(plain(text)).split("\n\n")
    )


@main.command()
@click.argument("term")
@_root_option
def show(term: str, root: Path) -> None:
    """Print one entry, readably, in the terminal. TERM is a slug, term, alias or plural ("LLMs")."""
    kb = _load(root)
    slug = resolve(kb, term)
    if slug is None:
        raise _unknown(kb, term, "'TERM'")
    e = kb.entries[slug]
    v = visible
    h = lambda s: click.style(s, bold=True)  # noqa: E731
    cats = ", ".join(kb.categories[c].title if c in kb.categories else c for c in e.categories)
    click.echo(click.style(v(e.term), bold=True, underline=True) + f"  [{e.difficulty.value}] {v(cats)}")
    if e.aliases:
        click.echo("  also: " + v(", ".join(e.aliases)))
    for title, text in (
        ("Definition", e.definition),
        ("Plain explanation", e.explanation),
        ("Analogy", e.analogy),
    ):
        click.echo(f"\n{h(title)}\n{_wrap(text)}")
    click.echo(f"\n{h('Examples')}")
    for ex in e.examples:
        click.echo(_wrap(f"{ex.domain} — {ex.title}: {ex.text}"))
    click.echo(f"\n{h('At a glance')} ({v(e.term)} vs {e.comparison.with_})")
    for row in e.comparison.rows:
        click.echo(v(f"  {row.aspect}: {plain(row.this)} | {plain(row.other)}"))
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
        click.echo(v(f"  {r.relation.value:12} {r.term}: {plain(r.note)}"))
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
        click.echo(visible(str(p)), err=True)
    text = json.dumps(to_json(kb), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text)
        click.echo(f"Wrote {output} ({len(kb.entries)} terms)", err=True)


@main.command()
@_root_option
@click.option("--write", is_flag=True, help="Rewrite glossary/schema.json instead of checking it.")
def schema(root: Path, write: bool) -> None:
    """Check (or --write) glossary/schema.json, generated from the entry model."""
    _require_root(root)
    path = root / "schema.json"
    text = json.dumps(json_schema(), indent=2) + "\n"
    if write:
        _write(path, text)
        click.echo(f"Wrote {path}")
        return
    if not path.exists() or path.read_text("utf-8") != text:
        raise click.ClickException(f"{path} is stale; run: glossary schema --write")
    click.echo(f"{path} is up to date")


if __name__ == "__main__":  # pragma: no cover
    main()
