"""Errors that the CLI shows as one clear line, without a traceback."""

from __future__ import annotations

from typing import IO, Any

import click


class EngineError(click.ClickException):
    """A problem with the user's input or files: printed as ``Error: <message>``, exit code 1."""

    exit_code = 1


class Interrupted(click.ClickException):
    """Ctrl-C: one paragraph saying what was saved and how to continue, exit code 130 (as a shell does)."""

    exit_code = 130

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Interrupted: {self.format_message()}", err=True, file=file)
