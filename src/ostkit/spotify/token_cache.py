"""The saved login, ``token.json``: owner-only (0600 from creation, in a 0700 directory) and
replaced atomically, so a crash mid-write keeps the old login and no other user can read it.

Spotify may rotate the refresh token on every refresh, and the old one stops working: the answer
must reach the disk before anything else happens. ``save`` is called first thing after a token
answer; it holds Ctrl-C and SIGTERM back until the file is in place (and synced, directory
included), then lets them through. Only a SIGKILL or a power cut in that moment loses the new
token; the next command may then find the old one refused and ask to log in again.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
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
        """Write ``info`` durably; a Ctrl-C or SIGTERM arriving meanwhile acts once it is saved."""
        with _signals_held():
            self._write(info)

    def _write(self, info: dict[str, Any]) -> None:
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
            _sync_dir(self.path.parent)
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


def _sync_dir(folder: Path) -> None:
    """Make the rename durable too (where the system allows opening a directory)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


_HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while the body runs, then deliver them to the handlers that
    were in place. Handlers belong to the main thread; elsewhere the body just runs (signals go
    to the main thread, and the process waits for this thread before it exits)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        arrived.append(signum)

    # getsignal is None for a handler set outside Python: that one is left alone.
    previous = {sig: h for sig in _HELD if (h := signal.getsignal(sig)) is not None}
    for sig in previous:
        signal.signal(sig, hold)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for signum in dict.fromkeys(arrived):
            signal.raise_signal(signum)
