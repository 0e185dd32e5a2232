"""Questions on the terminal, ended the same way in every command.

click turns both Ctrl-C and the end of input at a prompt into ``Abort``; ostkit tells them
apart: Ctrl-C is an interruption (exit 130, like Ctrl-C anywhere else) and the end of input
(stdin closed, a script that gave too few answers) is an error naming the unanswered question
(exit 1), never a silent "no" or "quit".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from ostkit.errors import InputError

T = TypeVar("T")


def answer(ask: Callable[[], T], no_answer: str) -> T:
    """``ask()`` (a ``click.prompt``/``confirm`` call); Ctrl-C there raises ``KeyboardInterrupt``
    and the end of input an ``InputError`` saying ``no_answer``."""
    try:
        return ask()
    except click.Abort as exc:
        click.echo(err=True)  # end the prompt's line
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        raise InputError(no_answer) from None
