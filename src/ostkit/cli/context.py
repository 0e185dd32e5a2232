"""What every command needs: settings built once, the store opened on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
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
