"""Settings built once from the environment, ``$OSTKIT_HOME/config.toml`` and defaults.

Nothing else in ostkit reads the environment: the CLI builds ``Settings`` and passes it down.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ostkit.errors import ConfigError

DEFAULT_API_URL = "https://api.spotify.com/v1/"
DEFAULT_ACCOUNTS_URL = "https://accounts.spotify.com"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8888/callback"

# Keys that may appear in config.toml (same names as the environment variables).
CONFIG_KEYS = (
    "SPOTIPY_CLIENT_ID",
    "SPOTIPY_REDIRECT_URI",
    "OSTKIT_SPOTIFY_API_URL",
    "OSTKIT_SPOTIFY_ACCOUNTS_URL",
    "OSTKIT_SPOTIFY_REFRESH_TOKEN",
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

    @property
    def token_path(self) -> Path:
        return self.home / "token.json"

    @property
    def config_path(self) -> Path:
        return self.home / "config.toml"


def default_home() -> Path:
    # Imported here so that `ostkit --help` stays fast.
    from platformdirs import user_data_dir

    return Path(user_data_dir("ostkit", appauthor=False))


def load_settings(env: Mapping[str, str] | None = None, db: str | Path | None = None) -> Settings:
    """Build settings: environment wins over config.toml, which wins over defaults."""
    env = os.environ if env is None else env
    home = Path(env["OSTKIT_HOME"]).expanduser() if env.get("OSTKIT_HOME") else default_home()
    values: dict[str, str] = {}
    config_file = home / "config.toml"
    if config_file.exists():
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_file}: {exc}") from None
        for key, value in data.items():
            if key not in CONFIG_KEYS:
                raise ConfigError(
                    f"{config_file}: unknown key {key!r} (known: {', '.join(CONFIG_KEYS)})"
                )
            if not isinstance(value, str):
                raise ConfigError(f"{config_file}: {key} must be a string")
            values[key] = value
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
    )
