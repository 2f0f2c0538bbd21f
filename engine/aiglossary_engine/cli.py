"""The ``engine`` command: one subcommand per module in ``aiglossary_engine.commands``."""

from __future__ import annotations

import click

from aiglossary_engine import __version__
from aiglossary_engine.commands.ask import ask
from aiglossary_engine.commands.build_ask import build_ask
from aiglossary_engine.commands.build_demos import build_demos
from aiglossary_engine.commands.classify import classify
from aiglossary_engine.commands.demo import demo
from aiglossary_engine.commands.export import export
from aiglossary_engine.commands.finetune import finetune
from aiglossary_engine.commands.generate import generate
from aiglossary_engine.commands.info import info
from aiglossary_engine.commands.list import list_
from aiglossary_engine.commands.pretrain import pretrain

COMMANDS: dict[str, click.Command] = {
    "pretrain": pretrain,
    "finetune": finetune,
    "export": export,
    "generate": generate,
    "classify": classify,
    "list": list_,
    "info": info,
    "build-demos": build_demos,
    "demo": demo,
    "build-ask": build_ask,
    "ask": ask,
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="engine")
def cli() -> None:
    """Pre-train and fine-tune tiny models, export them to ONNX and run them."""


for _name, _command in COMMANDS.items():
    cli.add_command(_command, _name)


def main() -> None:
    cli()
