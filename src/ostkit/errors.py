"""One error family. Every message says what went wrong and, where it can, what to do.

The CLI turns any ``OstkitError`` into a one-line ``Error: ...`` with the class's ``exit_code``:
1 for errors, 2 for a bad command-line value (``UsageError``), 130 for a stop asked by the user
(``CancelledError``, as after Ctrl-C).
"""

from __future__ import annotations


class OstkitError(Exception):
    """Base of every error ostkit reports to the user."""

    #: the process exit status when this error ends a command
    exit_code = 1


class UsageError(OstkitError):
    """A command-line value that ostkit itself checks is bad (``add --part abc``): exit 2, like
    the values click checks."""

    exit_code = 2


class CancelledError(OstkitError):
    """The user stopped the command (Ctrl-C at a prompt or wait): exit 130, like a shell."""

    exit_code = 130


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
    """A Spotify request failed or was refused; ``status`` is the HTTP status when there was one,
    ``retry_after`` the seconds Spotify asked to wait (429, sometimes 503)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        reason: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.retry_after = retry_after
        super().__init__(message)


class BadRequestError(SpotifyError):
    """400: Spotify refused the request as malformed or beyond a limit; repeating it cannot help."""


class AuthError(SpotifyError):
    """Not logged in, login failed, or the refresh token is no longer valid."""


class ForbiddenError(SpotifyError):
    """403: no retry. The message names the likely cause (scope, allow-list, Premium, endpoint)."""


class SpotifyNotFoundError(SpotifyError, NotFoundError):
    """404 from Spotify: the track, album or playlist id does not exist (or is not visible)."""


class RateLimitError(SpotifyError):
    """429 beyond what we are willing to wait for (long Retry-After or QUOTA_EXCEEDED)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 429,
        retry_after: float | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message, status=status, reason=reason, retry_after=retry_after)


class ServerError(SpotifyError):
    """5xx: Spotify (or something in front of it) kept failing after the retries."""


class AmbiguousWriteError(SpotifyError):
    """A non-idempotent write failed in a way that leaves unclear whether Spotify applied it."""


class LimitError(SpotifyError, ValueError):
    """A call would break a documented Spotify limit (search limit 10, 100 URIs per call, ...)."""


#: HTTP status -> the error it becomes, wherever a Spotify answer turns into an exception (Web
#: API calls and token requests alike); 5xx and other statuses are handled by ``status_error``.
STATUS_ERRORS: dict[int, type[SpotifyError]] = {
    400: BadRequestError,
    401: AuthError,
    403: ForbiddenError,
    404: SpotifyNotFoundError,
    429: RateLimitError,
}


def error_class(status: int | None) -> type[SpotifyError]:
    """The ``SpotifyError`` subclass for an HTTP status (None: no answer, a network failure)."""
    if status is None:
        return SpotifyError
    if 500 <= status < 600:
        return ServerError
    return STATUS_ERRORS.get(status, SpotifyError)


def status_error(
    status: int | None,
    message: str,
    *,
    reason: str | None = None,
    retry_after: float | None = None,
) -> SpotifyError:
    """The error for an HTTP status, built from the table above."""
    return error_class(status)(message, status=status, reason=reason, retry_after=retry_after)


#: what to do when a login no longer works; ends many messages
LOGIN_AGAIN = "log in again: ostkit auth login"
