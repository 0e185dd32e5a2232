"""What every command needs: settings built once, the store opened on demand."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ostkit.config import Settings


@dataclass
class AppContext:
    db: str | None = None
    _settings: Settings | None = field(default=None, repr=False)
    _warned: bool = field(default=False, repr=False)

    def _load(self) -> Settings:
        if self._settings is None:
            from ostkit.config import load_settings

            settings = load_settings(db=self.db, lenient=True)
            folder = settings.db_path.parent
            if self.db is not None and not folder.is_dir():
                # The default home is made on first use; a folder named by hand is likely a typo,
                # and a new empty catalog there would hide that.
                from ostkit.errors import CatalogError

                raise CatalogError(f"--db {self.db}: folder {folder} does not exist")
            self._settings = settings
        return self._settings

    @property
    def settings(self) -> Settings:
        """The settings of a command that needs nothing from config.toml: a broken file is one
        warning line on stderr, and the command goes on without it."""
        settings = self._load()
        if settings.config_error and not self._warned:
            from ostkit.cli.output import terminal_text

            self._warned = True
            click.echo(
                f"Warning: {terminal_text(settings.config_error)} (left out: this command "
                "does not need it)",
                err=True,
            )
        return settings

    @property
    def spotify_settings(self) -> Settings:
        """The settings of a command that talks to Spotify: a broken config.toml stops it, with
        the file (and line) at fault."""
        settings = self._load()
        if settings.config_error:
            from ostkit.errors import ConfigError

            raise ConfigError(settings.config_error)
        return settings


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within: SIGINT and SIGTERM raise ``KeyboardInterrupt``, so that `kill` stops a command as
    cleanly as Ctrl-C (work saved, exit 130). SIGINT too: a shell starts background jobs
    (`ostkit ... &`) with SIGINT ignored, and Python then never turns it into
    ``KeyboardInterrupt``, so `kill -INT` would do nothing."""

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
