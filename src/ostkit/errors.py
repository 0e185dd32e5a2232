"""One error family. Every message says what went wrong and, where it can, what to do.

The CLI turns any ``OstkitError`` into a one-line ``Error: ...`` and exit status 1.
"""

from __future__ import annotations


class OstkitError(Exception):
    """Base of every error ostkit reports to the user."""


class ConfigError(OstkitError):
    """Bad or missing configuration (environment, config.toml, options)."""


class CatalogError(OstkitError):
    """The catalog database refused an operation or is in a state we cannot use."""


class NotFoundError(OstkitError):
    """A named thing (drama, track, artist, playlist) does not exist."""


class InputError(OstkitError):
    """Bad input in a file; names the file and line when known."""

    def __init__(self, reason: str, *, path: str | None = None, line: int | None = None) -> None:
        self.reason = reason
        self.path = path
        self.line = line
        where = path or ""
        if path is not None and line is not None:
            where = f"{path}:{line}"
        super().__init__(f"{where}: {reason}" if where else reason)


class SpotifyIdError(InputError, ValueError):
    """A malformed Spotify id, URI or link; a ``ValueError`` too, so that the file readers, which
    turn a field parser's ``ValueError`` into an error naming the field and line, name it."""


class SpotifyError(OstkitError):
    """A Spotify request failed or was refused; ``status`` is the HTTP status when there was one."""

    def __init__(
        self, message: str, *, status: int | None = None, reason: str | None = None
    ) -> None:
        self.status = status
        self.reason = reason
        super().__init__(message)


class AuthError(SpotifyError):
    """Not logged in, login failed, or the refresh token is no longer valid."""


class RateLimitError(SpotifyError):
    """429 beyond what we are willing to wait for (long Retry-After or QUOTA_EXCEEDED)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        reason: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, status=429, reason=reason)


# --- Spotify layer (added by the SPOTIFY engineer) ----------------------------------------------


class ForbiddenError(SpotifyError):
    """403: no retry. The message names the likely cause (scope, allow-list, Premium, endpoint)."""


class SpotifyNotFoundError(SpotifyError, NotFoundError):
    """404 from Spotify: the track, album or playlist id does not exist (or is not visible)."""


class AmbiguousWriteError(SpotifyError):
    """A non-idempotent write failed in a way that leaves unclear whether Spotify applied it."""


class LimitError(SpotifyError, ValueError):
    """A call would break a documented Spotify limit (search limit 10, 100 URIs per call, ...)."""
