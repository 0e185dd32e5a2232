"""What every command needs: settings built once, the store opened on demand."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ostkit.config import Settings


@dataclass
class AppContext:
    db: str | None = None
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from ostkit.config import load_settings

            self._settings = load_settings(db=self.db)
        return self._settings


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
