"""AI Glossary core: the entry model, the loader and its checks, the relation graph and export.

Nothing here imports MkDocs; the MkDocs plugin in :mod:`aiglossary.mkdocs_plugin` is a thin layer on top.
"""

from .export import entry_plain_text, to_json
from .graph import learn_next, learning_path
from .loader import KnowledgeBase, load_knowledge_base, slugify
from .model import Entry, RelationKind
from .problems import Problem

__all__ = [
    "Entry",
    "KnowledgeBase",
    "Problem",
    "RelationKind",
    "entry_plain_text",
    "learn_next",
    "learning_path",
    "load_knowledge_base",
    "slugify",
    "to_json",
]

__version__ = "0.1.0"
