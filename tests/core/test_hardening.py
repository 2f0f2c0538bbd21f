"""Issue 12 on the glossary side: linear text checks, terminal-safe output, names resolved like slugs,
and clean one-line errors (with nothing half-written) when a write fails.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from _timing import best_times
from aiglossary import load_knowledge_base
from aiglossary.cli import main
from aiglossary.model import check_markdown
from aiglossary.text import code_spans, strip_code, visible
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


# -- 7. code spans in linear time -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("a `b` c", ["`b`"]),
        ("``a ` b`` c", ["``a ` b``"]),
        ("`a`` b", []),  # no run of the same length closes it
        ("`a` and `b`", ["`a`", "`b`"]),
        ("``` ` ```", ["``` ` ```"]),
        ("`` ` `a`", ["` `"]),  # the lone `` is text; the next runs pair
        ("no code", []),
    ],
)
def test_code_spans(text: str, spans: list[str]) -> None:
    assert [text[a:b] for a, b in code_spans(text)] == spans
    assert len(strip_code(text)) == len(text)


@pytest.mark.parametrize("text", ["`" * 3000, "`a" * 2000, "``x`" * 1000, "`" * 1500 + "a" + "`" * 1499])
def test_check_markdown_is_fast_on_backticks(text: str) -> None:
    """check_markdown took 108 s at 2,000 backticks (a backtracking regex)."""
    plain = ("word `code` " * (len(text) // 12 + 1))[: len(text)]  # ordinary prose of the same length
    slow, baseline = best_times(lambda: check_markdown(text), lambda: check_markdown(plain))
    assert slow < 10 * baseline, f"{slow * 1000:.2f} ms against {baseline * 1000:.2f} ms for plain text"


def test_raw_html_scan_is_fast_on_spaces() -> None:
    from aiglossary.model import _HTML_RE

    def scan(spaces: int) -> None:
        assert _HTML_RE.search(("<" + " " * spaces + "1") * 10) is None

    quarter, whole = best_times(lambda: scan(5_000), lambda: scan(20_000))
    assert whole < 8 * quarter, f"4× the spaces took {whole / quarter:.1f}× as long (linear: 4×, quadratic: 16×)"


# -- 4. control characters: refused by check, escaped on output ----------------------------------


def test_visible_escapes_controls_and_invisibles() -> None:
    assert visible("plain text\nnext\tline") == "plain text\nnext\tline"
    assert visible("\x1b[2J\x1b]0;title\x07 \x9b") == "\\x1b[2J\\x1b]0;title\\x07 \\x9b"
    assert visible("Bat\u200bch \u202e") == "Bat\\u200bch \\u202e"


def test_check_prints_control_characters_escaped(mini_glossary: Path) -> None:
    text = (mini_glossary / "delta-term.yaml").read_text("utf-8")
    # An enum error quotes the value it got: it must not reach the terminal raw.
    text = re.sub(r"difficulty: \w+", 'difficulty: "\\\\e]52;c;ZXZpbA==\\\\a\\\\e[2J"', text)
    (mini_glossary / "delta-term.yaml").write_text(text, "utf-8")
    code, out = run("check", "--root", str(mini_glossary))
    assert code == 1
    assert "\x1b" not in out and "\x07" not in out
    assert "'\\x1b]52;c;ZXZpbA==\\x07\\x1b[2J' is not one of" in out


def test_list_and_show_print_no_raw_control_characters(mini_glossary: Path) -> None:
    text = (mini_glossary / "delta-term.yaml").read_text("utf-8")
    text = re.sub(r"summary: .*", lambda _: 'summary: "\\e[2J Delta term, cleared."', text)
    (mini_glossary / "delta-term.yaml").write_text(text, "utf-8")
    kb = load_knowledge_base(mini_glossary)
    assert any("control character U+001B" in str(p) for p in kb.errors)
    for args in (("list",), ("show", "gamma-term"), ("export",)):
        code, out = run(*args, "--root", str(mini_glossary))
        assert code == 0, out
        assert "\x1b" not in out, args


# -- glossary show / check accept names wherever a slug is accepted -------------------------------


@pytest.mark.parametrize("name", ["LLM", "LLMs", "large language models", "Large Language Model", "llm"])
def test_show_accepts_aliases_and_plurals(name: str) -> None:
    code, out = run("show", name, "--root", str(ROOT / "glossary"))
    assert code == 0, out
    assert out.startswith("Large language model")


def test_show_suggests_names_too() -> None:
    code, out = run("show", "Fine tunning", "--root", str(ROOT / "glossary"))
    assert code == 2 and re.search(r"no term 'Fine tunning' \(did you mean '(?i:fine[ -]tuning)'\?\)", out), out


def test_show_says_an_entry_was_left_out(mini_glossary: Path) -> None:
    (mini_glossary / "delta-term.yaml").write_text("term: [broken\n", "utf-8")
    code, out = run("show", "delta-term", "--root", str(mini_glossary))
    assert code == 2
    assert "'delta-term' was left out because of its errors (see glossary/delta-term.yaml)" in out
    assert "run: glossary check delta-term" in out


def test_check_accepts_terms(mini_glossary: Path) -> None:
    (mini_glossary / "delta-term.yaml").write_text("term: [broken\n", "utf-8")
    code, out = run("check", "--root", str(mini_glossary), "Alpha term")
    assert code == 1, out  # alpha relates to nothing broken, but beta... only alpha's problems count
    assert all(line.startswith("glossary/alpha-term.yaml") for line in out.splitlines()[:-1]), out
    code, out = run("check", "--root", str(mini_glossary), "delta-term")
    assert code == 1 and "glossary/delta-term.yaml:2:1: YAML syntax error" in out
    assert "beta-term.yaml" not in out
    code, out = run("check", "--root", str(mini_glossary), "nope")
    assert code == 2 and "no term 'nope'" in out


def test_new_advice_works_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scaffold said `glossary check gradient-clipping`, which check refused (extra argument)."""
    (tmp_path / "glossary").mkdir()
    (tmp_path / "glossary" / "_categories.yaml").write_text("ml-fundamentals: {title: ML, description: Basics.}\n")
    monkeypatch.chdir(tmp_path)
    code, out = run("new", "Gradient clipping")
    assert code == 0, out
    advice = out.strip().rsplit("then run: ", 1)[1]
    scaffold = (tmp_path / "glossary" / "gradient-clipping.yaml").read_text("utf-8")
    assert f"then run `{advice}`" in scaffold
    assert advice == "glossary check gradient-clipping"
    code, out = run(*advice.split()[1:])
    assert "Got unexpected extra argument" not in out and "Usage:" not in out
    assert code == 1 and "glossary/gradient-clipping.yaml" in out and "TODO" in out


# -- glossary schema --root /nonexistent ----------------------------------------------------------


@pytest.mark.parametrize("write", [False, True])
def test_schema_names_a_missing_folder(tmp_path: Path, write: bool) -> None:
    code, out = run("schema", "--root", str(tmp_path / "nope"), *(["--write"] if write else []))
    assert code == 2 and "does not exist" in out and "stale" not in out
    assert not (tmp_path / "nope").exists()


# -- writes: one clean line, nothing half-written ---------------------------------------------------


def _unwritable(tmp_path: Path) -> dict[str, Path]:
    file = tmp_path / "a-file"
    file.write_text("x")
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)
    if os.geteuid() == 0:  # root writes into a 0o555 folder; sysfs refuses even root
        readonly = Path("/sys/kernel")
    return {"under a file": file / "out", "proc": Path("/proc/version/out"), "read-only": readonly / "out"}


@pytest.mark.parametrize("where", ["under a file", "proc", "read-only"])
def test_export_output_error_is_one_line(mini_glossary: Path, tmp_path: Path, where: str) -> None:
    target = _unwritable(tmp_path)[where]
    code, out = run("export", "--root", str(mini_glossary), "-o", str(target / "kb.json"))
    assert code == 1 and "Traceback" not in out
    assert out.strip().splitlines()[-1].startswith(f"Error: cannot write {target / 'kb.json'}: ")


def test_export_onto_a_directory_is_one_line(mini_glossary: Path, tmp_path: Path) -> None:
    code, out = run("export", "--root", str(mini_glossary), "-o", str(tmp_path))
    assert code == 2 and "is a directory" in out and "Traceback" not in out


@pytest.mark.parametrize("where", ["under a file", "proc"])
def test_new_and_schema_write_errors_are_one_line(tmp_path: Path, where: str) -> None:
    root = _unwritable(tmp_path)[where] / "glossary"
    code, out = run("new", "Gradient clipping", "--root", str(root))
    assert code == 1 and "Traceback" not in out and out.startswith(f"Error: cannot create folder {root}: "), out
    code, out = run("schema", "--write", "--root", str(root))
    assert code == 2 and "does not exist" in out


def test_schema_write_error_is_one_line(tmp_path: Path) -> None:
    root = tmp_path / "glossary"
    root.mkdir()
    (root / "schema.json").mkdir()  # a folder where the file goes: os.replace refuses
    code, out = run("schema", "--write", "--root", str(root))
    assert code == 1 and out.startswith(f"Error: cannot write {root / 'schema.json'}: "), out
    assert [p.name for p in root.iterdir()] == ["schema.json"]  # no temporary file left behind


def test_new_with_a_300_character_name(mini_glossary: Path) -> None:
    code, out = run("new", "word " * 60, "--root", str(mini_glossary))
    assert code == 2 and "Traceback" not in out
    assert "makes a 299-character file name; a slug has at most 100" in out
    assert sorted(p.name for p in mini_glossary.iterdir()) == sorted(
        ["_categories.yaml", "alpha-term.yaml", "beta-term.yaml", "delta-term.yaml", "gamma-term.yaml"]
    )


def test_new_writes_atomically_and_never_overwrites(mini_glossary: Path) -> None:
    code, _ = run("new", "Epsilon term", "--root", str(mini_glossary))
    assert code == 0
    text = (mini_glossary / "epsilon-term.yaml").read_text("utf-8")
    assert not [p for p in mini_glossary.iterdir() if p.name.startswith(".")]
    code, out = run("new", "Epsilon term", "--root", str(mini_glossary))
    assert code == 1 and "already exists" in out
    assert (mini_glossary / "epsilon-term.yaml").read_text("utf-8") == text


def test_export_json_escapes_nothing_it_should_not(mini_glossary: Path, tmp_path: Path) -> None:
    code, _ = run("export", "--root", str(mini_glossary), "-o", str(tmp_path / "kb.json"))
    assert code == 0
    assert len(json.loads((tmp_path / "kb.json").read_text("utf-8"))["terms"]) == 4


# -- 6. deep nesting: one error at its position, the other entries load -----------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("term: " + "[" * 500 + "]" * 500, "1:38"),  # libyaml composes it; the builder stops at 32
        ("term: " + "[" * 100_000, "1:38"),  # libyaml gives up at 1,000 levels
        ("term: " + "{a: " * 3000 + "x" + "}" * 3000, "1:"),
        ("term:\n" + "".join(" " * i + "- \n" for i in range(1, 200)), "33:"),  # block sequences
        ("term: " + "[" * 2000 + "\x01", "1:"),  # a control character sends it to PyYAML's own reader
    ],
)
def test_deep_nesting_is_one_error_and_fast(mini_glossary: Path, text: str, where: str) -> None:
    from aiglossary.yamlsafe import YamlProblem, parse

    with pytest.raises(YamlProblem) as caught:
        parse(text.encode())
    problem = caught.value

    # Fast: refusing it costs no more than reading a valid, shallow document of the same length.
    shallow = ("term: [" + ", ".join(["[[a, b], {c: d}]"] * (len(text) // 17)) + "]").encode()

    def refuse() -> None:
        with pytest.raises(YamlProblem):
            parse(text.encode())

    deep_s, shallow_s = best_times(refuse, lambda: parse(shallow))
    assert deep_s < 3 * shallow_s, f"refusing took {deep_s * 1000:.2f} ms, a valid document {shallow_s * 1000:.2f} ms"
    if "\x01" not in text:
        assert problem.message == "values nest more than 32 levels deep; entries nest four at most"
        assert f"{problem.line}:{problem.col}".startswith(where)
    (mini_glossary / "epsilon-term.yaml").write_text(text, "utf-8")
    for args in (("check",), ("list",)):
        code, out = run(*args, "--root", str(mini_glossary))
        assert "RecursionError" not in out and "Traceback" not in out
    code, out = run("list", "--root", str(mini_glossary))
    assert code == 0 and len(out.splitlines()) == 4  # the four good entries
    code, out = run("check", "--root", str(mini_glossary))
    assert code == 1 and "glossary/epsilon-term.yaml:" in out and "FAILED: 4 entries" in out


# -- 5. one spelling per name ------------------------------------------------------------------------


def test_slugs_fold_accents(mini_glossary: Path) -> None:
    """ "Café" and "Cafe" + U+0301 made two pages (caf/ and cafe/): both are cafe.yaml now."""
    from aiglossary import slugify

    assert slugify("Café") == slugify("Cafe\u0301") == "cafe"
    assert slugify("Straße") == "strasse"
    text = (mini_glossary / "delta-term.yaml").read_text("utf-8")
    text = text.replace("term: Delta term", 'term: "Delta te\\u0301rm"')
    (mini_glossary / "delta-term.yaml").write_text(text, "utf-8")
    kb = load_knowledge_base(mini_glossary)
    assert "delta-term" in kb.entries  # the file name is the slug of "Delta térm"
    code, out = run("new", "Cafe\u0301", "--root", str(mini_glossary))
    assert code == 0 and (mini_glossary / "cafe.yaml").is_file(), out
    code, out = run("new", "Café", "--root", str(mini_glossary))
    assert code == 1 and "already exists" in out


def test_export_past_the_file_size_limit_is_one_line_and_leaves_nothing(mini_glossary: Path, tmp_path: Path) -> None:
    """A write cut short (here by RLIMIT_FSIZE; a full disk alike) is one line, with no partial file."""
    import resource
    import subprocess
    import sys

    out = tmp_path / "out"
    out.mkdir()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2_000, 2_000))

    proc = subprocess.run(
        [sys.executable, "-m", "aiglossary.cli", "export", "--root", str(mini_glossary), "-o", str(out / "kb.json")],
        preexec_fn=limit,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"Error: cannot write {out / 'kb.json'}: File too large (nothing was written)"
    ]
    assert list(out.iterdir()) == []
