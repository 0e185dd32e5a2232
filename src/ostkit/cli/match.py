"""`ostkit` commands: match."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
