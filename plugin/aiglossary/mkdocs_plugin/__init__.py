"""The MkDocs layer of the glossary: configuration and events. The work lives in :mod:`aiglossary.sitegen`."""

from .config import GlossaryConfig
from .plugin import GlossaryPlugin

__all__ = ["GlossaryConfig", "GlossaryPlugin"]
