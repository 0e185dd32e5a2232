"""The status -> error class table: every place an HTTP status becomes an exception uses it."""

from __future__ import annotations

import pytest

from ostkit.errors import (
    STATUS_ERRORS,
    AuthError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    SpotifyError,
    SpotifyNotFoundError,
    error_class,
    status_error,
)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, BadRequestError),
        (401, AuthError),
        (403, ForbiddenError),
        (404, SpotifyNotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (599, ServerError),
        (409, SpotifyError),
        (418, SpotifyError),
        (None, SpotifyError),
    ],
    ids=str,
)
def test_each_status_has_one_error_class(status: int | None, expected: type[SpotifyError]) -> None:
    assert error_class(status) is expected
    error = status_error(status, "what went wrong", reason="WHY", retry_after=2.0)
    assert type(error) is expected
    assert (str(error), error.status, error.reason, error.retry_after) == (
        "what went wrong",
        status,
        "WHY",
        2.0,
    )


def test_the_table_holds_only_client_errors_and_every_class_is_a_spotify_error() -> None:
    assert all(400 <= status < 500 for status in STATUS_ERRORS)
    assert all(issubclass(cls, SpotifyError) for cls in STATUS_ERRORS.values())
    assert issubclass(SpotifyNotFoundError, NotFoundError)  # `ostkit` treats it as any not-found


def test_rate_limit_error_defaults_to_429() -> None:
    error = RateLimitError("slow down", retry_after=30.0)
    assert (error.status, error.retry_after) == (429, 30.0)
