"""Errors that the CLI shows as one clear line, without a traceback."""

from __future__ import annotations

import click


class EngineError(click.ClickException):
    """A problem with the user's input or files: printed as ``Error: <message>``, exit code 1."""

    exit_code = 1
