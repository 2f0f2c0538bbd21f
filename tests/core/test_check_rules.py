"""Rules of `glossary check` about sources, difficulty order and names (issue 9).

Each case edits the four-entry fixture glossary and asserts the exact problem line; the warnings
fail `glossary check --strict` and the errors fail it always.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aiglossary import load_knowledge_base
from aiglossary.cli import main
from click.testing import CliRunner


def _edit(glossary: Path, slug: str, old: str, new: str) -> None:
    path = glossary / f"{slug}.yaml"
    text = path.read_text("utf-8")
    assert old in text, f"fixture {slug} has no {old!r}"
    path.write_text(text.replace(old, new, 1), "utf-8")


CASES = {
    "definition-source-missing": (
        [("alpha-term", "definition_source: docs\n", "")],
        "glossary/alpha-term.yaml:9:13: definition_source: warning: no source supports the definition; add "
        "`definition_source:` with the id of a source (book, docs, paper, standard, survey)",
    ),
    "definition-source-unknown": (
        [("alpha-term", "definition_source: docs\n", "definition_source: dosc\n")],
        "glossary/alpha-term.yaml:39:20: definition_source: unknown source id 'dosc' (did you mean 'docs'?)",
    ),
    "definition-source-article": (
        [("alpha-term", "  kind: docs\n", "  kind: article\n")],
        "glossary/alpha-term.yaml:39:20: definition_source: warning: source 'docs' is of kind 'article', which "
        "cannot back a definition; use one of: book, docs, paper, standard, survey",
    ),
    "where-used-without-source": (
        [
            (
                "alpha-term",
                "  text: The tests load this glossary.\n  source: docs\n",
                "  text: The tests load this glossary.\n",
            )
        ],
        "glossary/alpha-term.yaml:36:3: where_used[0]: warning: 'Test suite' names no source; add `source:` with "
        "the id of a source that shows it",
    ),
    "prerequisite-harder": (
        [
            (
                "alpha-term",
                "- term: delta-term\n  relation: see-also\n",
                "- term: delta-term\n  relation: prerequisite\n",
            )
        ],
        "glossary/alpha-term.yaml:64:13: related[2].relation: warning: prerequisite 'delta-term' (advanced) is "
        "harder than 'alpha-term' (beginner); a prerequisite cannot be harder than the entry that needs it "
        "(make it see-also, or change a level)",
    ),
    "alias-equals-term-other-case-and-width": (
        [("beta-term", "- beta\n", "- ＡＬＰＨＡ TERM\n")],
        "glossary/beta-term.yaml:4:3: aliases[0]: 'ＡＬＰＨＡ TERM' is already used by glossary/alpha-term.yaml (term)",
    ),
    "alias-equals-alias-after-nfc": (
        [("alpha-term", "- AT\n", "- Café\n"), ("beta-term", "- beta\n", "- Cafe\u0301\n")],
        "glossary/beta-term.yaml:4:3: aliases[0]: 'Cafe\u0301' is already used by glossary/alpha-term.yaml (aliases[0])",
    ),
    "alias-equals-automatic-plural": (
        [("beta-term", "- beta\n", "- alpha terms\n")],
        "glossary/beta-term.yaml:4:3: aliases[0]: 'alpha terms' is the plural of term of glossary/alpha-term.yaml; "
        "a name links to one entry only",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_rule_reports_exact_line(case: str, mini_glossary: Path) -> None:
    edits, expected = CASES[case]
    for slug, old, new in edits:
        _edit(mini_glossary, slug, old, new)
    kb = load_knowledge_base(mini_glossary)
    lines = [str(p) for p in kb.problems]
    assert expected in lines, "\n".join(lines)
    strict = CliRunner().invoke(main, ["check", "--strict", "--root", str(mini_glossary)])
    assert strict.exit_code == 1, strict.output
    if ": warning: " in str(expected):
        assert CliRunner().invoke(main, ["check", "--root", str(mini_glossary)]).exit_code == 0


def test_next_step_to_an_easier_entry(mini_glossary: Path) -> None:
    """delta-term (advanced) naming alpha-term (beginner) as its next step would teach alpha after delta."""
    _edit(
        mini_glossary,
        "delta-term",
        "- term: alpha-term\n  relation: see-also\n",
        "- term: alpha-term\n  relation: next-step\n",
    )
    lines = [str(p) for p in load_knowledge_base(mini_glossary).problems]
    assert any("next step 'alpha-term' (beginner) is easier than 'delta-term' (advanced)" in line for line in lines), (
        lines
    )


def test_fixture_is_clean(mini_glossary: Path) -> None:
    assert [str(p) for p in load_knowledge_base(mini_glossary).problems] == []
