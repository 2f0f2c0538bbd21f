"""The entry model: one YAML file per term, validated by pydantic.

``glossary/schema.json`` is generated from these models (``glossary schema --write``) so editors
validate while typing; a test fails when it is stale.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from .text import check_markdown_size, check_name, check_text, strip_code

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Raw HTML outside code spans: a tag opener such as <b, </div, <!--, <?php (linear: see text.py).
_HTML_RE = re.compile(r"<\s*(?:/\s*)?[A-Za-z!?]")
_LINK_RE = re.compile(r"\]\(\s*<?\s*([^)\s>]*)")
_SAFE_SCHEMES = ("http:", "https:", "mailto:")


def check_markdown(text: str) -> str:
    """Validate author Markdown: no raw HTML, no links with a dangerous scheme, a bounded size."""
    check_markdown_size(text)
    plain = strip_code(text)
    tag = _HTML_RE.search(plain)
    if tag:
        snippet = plain[tag.start() : tag.start() + 12].split("\n")[0]
        raise ValueError(f"raw HTML is not allowed (found '{snippet}'); put it in `code` or describe it in words")
    for match in _LINK_RE.finditer(plain):
        target = match.group(1).strip().lower()
        if ":" in target.split("/")[0] and not target.startswith(_SAFE_SCHEMES):
            scheme = target.split(":", 1)[0]
            raise ValueError(f"link scheme '{scheme}:' is not allowed; use http(s), mailto or a relative link")
    return text


NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(check_text)]
Markdown = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1),
    AfterValidator(check_text),
    AfterValidator(check_markdown),
]
# A term, alias or plural: no invisible or bidi characters, not a common word ("it", "the").
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(check_name)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_RE.pattern)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s<>\"']+$"), AfterValidator(check_text)]


class Difficulty(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"

    @property
    def rank(self) -> int:
        return list(Difficulty).index(self)


class RelationKind(StrEnum):
    """How a related term relates to the entry that lists it."""

    prerequisite = "prerequisite"  # learn the related term first
    next_step = "next-step"  # learn the related term after this one
    contrast = "contrast"
    broader = "broader"
    narrower = "narrower"
    see_also = "see-also"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Example(_Model):
    """A concrete use of the term in one domain."""

    domain: NonEmpty = Field(description="Field of application, e.g. Language, Vision, Speech.")
    title: NonEmpty = Field(description="Short title of the example.")
    text: Markdown = Field(description="One to three sentences.")


class ComparisonRow(_Model):
    aspect: NonEmpty
    this: Markdown = Field(description="How this term fares on the aspect.")
    other: Markdown = Field(description="How the neighbouring term fares on the aspect.")


class Comparison(_Model):
    """An 'at a glance' table: this term against its nearest neighbour."""

    with_: Slug = Field(alias="with", description="Slug of the neighbouring entry.")
    rows: list[ComparisonRow] = Field(min_length=1)


class Usage(_Model):
    """A named system or practice that relies on the term."""

    name: NonEmpty
    text: Markdown
    source: Slug | None = Field(default=None, description="Id of an item in `sources` backing this claim.")


class SourceKind(StrEnum):
    """What a source is: it decides which claims the source can back."""

    paper = "paper"  # a research paper: what its authors did and found
    survey = "survey"  # a survey or review paper: what a field does
    book = "book"  # a textbook
    standard = "standard"  # a standard or a standards body's publication
    docs = "docs"  # official documentation of a tool, library or product
    model_card = "model-card"  # a model's card or technical report
    article = "article"  # an article, blog post or news report


# Kinds that can back a definition (see `Entry.definition_source`).
DEFINING_KINDS = frozenset({SourceKind.paper, SourceKind.survey, SourceKind.book, SourceKind.standard, SourceKind.docs})


class Source(_Model):
    id: Slug
    kind: SourceKind = Field(description="paper, survey, book, standard, docs, model-card or article.")
    title: NonEmpty
    url: Url


class Misconception(_Model):
    myth: Markdown
    reality: Markdown


class Relation(_Model):
    term: Slug = Field(description="Slug of the related entry.")
    relation: RelationKind
    note: Markdown = Field(description="A short note on how the two relate.")


class Entry(_Model):
    """One glossary term. The file name (without .yaml) is its slug."""

    term: Name = Field(description="The term as people write it.")
    aliases: list[Name] = Field(default_factory=list, description="Other names and abbreviations.")
    plural: list[Name] = Field(default_factory=list, description="Irregular plural forms only.")
    categories: list[Slug] = Field(min_length=1, description="Ids from glossary/_categories.yaml.")
    difficulty: Difficulty
    summary: Markdown = Field(max_length=300, description="One sentence for previews and lists.")
    definition: Markdown = Field(description="Two or three precise sentences.")
    explanation: Markdown = Field(description="Plain language, built on one everyday analogy.")
    analogy: Markdown = Field(description="The analogy the explanation uses, in one or two sentences.")
    examples: list[Example] = Field(min_length=1)
    comparison: Comparison
    why_it_matters: Markdown
    where_used: list[Usage] = Field(min_length=1)
    misconceptions: list[Misconception] = Field(min_length=1)
    phrases: list[Markdown] = Field(min_length=1)
    related: list[Relation] = Field(min_length=1)
    definition_source: Slug | None = Field(
        default=None,
        description="Id of a source (paper, survey, book, standard or docs) that supports the definition.",
    )
    sources: list[Source] = Field(default_factory=list)
    demo: Slug | None = Field(default=None, description="Id of an engine demo shown on the page.")

    def names(self) -> list[str]:
        """The term, its aliases and plurals: every name a mention may use."""
        return [self.term, *self.aliases, *self.plural]


class Category(_Model):
    title: NonEmpty
    description: NonEmpty


TEXT_FIELDS = ("summary", "definition", "explanation", "analogy", "why_it_matters")


def json_schema() -> dict[str, Any]:
    schema = Entry.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "AI Glossary entry"
    return schema
