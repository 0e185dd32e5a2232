"""The saved login, ``token.json``: owner-only (0600 from creation, in a 0700 directory) and
replaced atomically, so a crash mid-write keeps the old login and no other user can read it."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from ostkit.errors import LOGIN_AGAIN, AuthError


class TokenCache:
    """``token.json``: created with mode 0600 (os.open, never wider) and replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> dict[str, Any] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AuthError(f"{self.path}: cannot read the saved login ({exc.strerror})") from None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
            raise AuthError(f"{self.path}: the saved login is damaged; {LOGIN_AGAIN}")
        for key in ("expires_at", "obtained_at", "logged_in_at"):
            value = data.get(key)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                data[key] = None  # hand-edited: unknown (an unknown expiry refreshes first)
        return data

    def save(self, info: dict[str, Any]) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise AuthError(f"{self.path}: cannot save the login ({exc.strerror})") from None
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(info, fh, indent=2, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise AuthError(f"{self.path}: cannot save the login ({exc.strerror})") from None
            raise

    def clear(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise AuthError(
                f"{self.path}: cannot remove the saved login ({exc.strerror})"
            ) from None
        return True
