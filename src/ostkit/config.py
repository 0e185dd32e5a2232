"""Settings built once from the environment, ``$OSTKIT_HOME/config.toml`` and defaults.

Nothing else in ostkit reads the environment: the CLI builds ``Settings`` and passes it down.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ostkit.errors import ConfigError

DEFAULT_API_URL = "https://api.spotify.com/v1/"
DEFAULT_ACCOUNTS_URL = "https://accounts.spotify.com"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8888/callback"
#: Web API requests per second of the run-wide token bucket (the network policy's default)
DEFAULT_RATE_LIMIT = 10.0
RATE_LIMIT_KEY = "OSTKIT_RATE_LIMIT"

# Keys that may appear in config.toml (same names as the environment variables).
CONFIG_KEYS = (
    "SPOTIPY_CLIENT_ID",
    "SPOTIPY_REDIRECT_URI",
    "OSTKIT_SPOTIFY_API_URL",
    "OSTKIT_SPOTIFY_ACCOUNTS_URL",
    "OSTKIT_SPOTIFY_REFRESH_TOKEN",
    RATE_LIMIT_KEY,
)


@dataclass(frozen=True)
class Settings:
    home: Path
    db_path: Path
    client_id: str | None = None
    redirect_uri: str = DEFAULT_REDIRECT_URI
    api_url: str = DEFAULT_API_URL
    accounts_url: str = DEFAULT_ACCOUNTS_URL
    refresh_token: str | None = None
    #: requests per second for the shared rate limiter; None: no limit (OSTKIT_RATE_LIMIT=off)
    rate_limit: float | None = DEFAULT_RATE_LIMIT
    #: why config.toml was left out (``load_settings(lenient=True)``); None: read, or no file
    config_error: str | None = None

    @property
    def token_path(self) -> Path:
        return self.home / "token.json"


def default_home() -> Path:
    # Imported here so that `ostkit --help` stays fast.
    from platformdirs import user_data_dir

    return Path(user_data_dir("ostkit", appauthor=False))


def load_settings(
    env: Mapping[str, str] | None = None, db: str | Path | None = None, *, lenient: bool = False
) -> Settings:
    """Build settings: environment wins over config.toml, which wins over defaults.

    A broken config.toml is a ``ConfigError`` naming the file (and line); with ``lenient`` the
    file is left out instead and ``config_error`` says why, for commands that need none of it.
    """
    env = os.environ if env is None else env
    home = Path(env["OSTKIT_HOME"]).expanduser() if env.get("OSTKIT_HOME") else default_home()
    config_file = home / "config.toml"
    config_error = None
    try:
        values = read_config_file(config_file)
    except ConfigError as exc:
        if not lenient:
            raise
        values, config_error = {}, str(exc)
    for key in CONFIG_KEYS:
        if env.get(key):
            values[key] = env[key]
    return Settings(
        home=home,
        db_path=Path(db).expanduser() if db is not None else home / "catalog.db",
        client_id=values.get("SPOTIPY_CLIENT_ID"),
        redirect_uri=values.get("SPOTIPY_REDIRECT_URI", DEFAULT_REDIRECT_URI),
        api_url=values.get("OSTKIT_SPOTIFY_API_URL", DEFAULT_API_URL),
        accounts_url=values.get("OSTKIT_SPOTIFY_ACCOUNTS_URL", DEFAULT_ACCOUNTS_URL),
        refresh_token=values.get("OSTKIT_SPOTIFY_REFRESH_TOKEN"),
        rate_limit=parse_rate_limit(values.get(RATE_LIMIT_KEY)),
        config_error=config_error,
    )


def read_config_file(config_file: Path) -> dict[str, str]:
    """The known keys of config.toml (none when there is no file); ``ConfigError`` if broken."""
    values: dict[str, str] = {}
    if not config_file.exists():
        return values
    try:
        data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{config_file}: cannot read it: {exc.strerror or exc}") from None
    for key, value in data.items():
        if key not in CONFIG_KEYS:
            raise ConfigError(
                f"{config_file}: unknown key {key!r} (known: {', '.join(CONFIG_KEYS)})"
            )
        if key == RATE_LIMIT_KEY and type(value) in (int, float):
            value = str(value)  # a number is fine here: OSTKIT_RATE_LIMIT = 5
        if not isinstance(value, str):
            kind = "a number or a string" if key == RATE_LIMIT_KEY else "a string"
            raise ConfigError(f"{config_file}: {key} must be {kind}")
        if key == RATE_LIMIT_KEY:
            try:
                parse_rate_limit(value)
            except ConfigError as exc:
                raise ConfigError(f"{config_file}: {exc}") from None
        values[key] = value
    return values


def parse_rate_limit(value: str | None) -> float | None:
    """``OSTKIT_RATE_LIMIT``: requests per second (a positive number), or ``off`` for no limit;
    unset means the default (10)."""
    if value is None:
        return DEFAULT_RATE_LIMIT
    text = value.strip().lower()
    if text == "off":
        return None
    try:
        rate = float(text)
    except ValueError:
        rate = math.nan
    if not (math.isfinite(rate) and rate > 0):
        raise ConfigError(
            f"{RATE_LIMIT_KEY} must be a positive number of requests per second or 'off', "
            f"not {value!r}"
        )
    return rate
