"""Settings: OSTKIT_RATE_LIMIT (environment or config.toml) reaches the network policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ostkit.cli import cli
from ostkit.config import DEFAULT_RATE_LIMIT, load_settings
from ostkit.errors import ConfigError
from ostkit.spotify.client import SpotifyClient
from ostkit.spotify.policy import NetPolicy
from ostkit.spotify.tokens import TokenManager


def _env(home: Path, **values: str) -> dict[str, str]:
    return {"OSTKIT_HOME": str(home), "SPOTIPY_CLIENT_ID": "x", **values}


@pytest.mark.parametrize(
    ("value", "rate"),
    [(None, DEFAULT_RATE_LIMIT), ("250", 250.0), (" 2.5 ", 2.5), ("off", None), ("OFF", None)],
)
def test_the_client_built_from_settings_runs_at_the_configured_rate(
    tmp_path: Path, value: str | None, rate: float | None
) -> None:
    env = _env(tmp_path) if value is None else _env(tmp_path, OSTKIT_RATE_LIMIT=value)
    settings = load_settings(env)
    assert settings.rate_limit == rate
    client = SpotifyClient.from_settings(settings)
    assert client.policy.rate_per_second == rate and client.limiter.rate == rate
    # login and status (their token requests and GET /me) run under the same setting
    assert TokenManager.from_settings(settings).policy.rate_per_second == rate


def test_the_default_is_the_network_policy_default(tmp_path: Path) -> None:
    assert load_settings(_env(tmp_path)).rate_limit == NetPolicy().rate_per_second == 10.0


def test_config_file_sets_it_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("OSTKIT_RATE_LIMIT = 4\n", encoding="utf-8")
    assert load_settings(_env(tmp_path)).rate_limit == 4.0
    (tmp_path / "config.toml").write_text('OSTKIT_RATE_LIMIT = "off"\n', encoding="utf-8")
    assert load_settings(_env(tmp_path)).rate_limit is None
    assert load_settings(_env(tmp_path, OSTKIT_RATE_LIMIT="30")).rate_limit == 30.0


@pytest.mark.parametrize("value", ["fast", "0", "-5", "nan", "inf", "10/s", ""])
def test_a_bad_value_is_a_clear_error(tmp_path: Path, value: str) -> None:
    if value == "":  # empty in the environment means unset; in config.toml it is a bad value
        (tmp_path / "config.toml").write_text('OSTKIT_RATE_LIMIT = ""\n', encoding="utf-8")
        env = _env(tmp_path)
    else:
        env = _env(tmp_path, OSTKIT_RATE_LIMIT=value)
    with pytest.raises(ConfigError) as info:
        load_settings(env)
    # from config.toml, the message names the file first
    where = f"{tmp_path / 'config.toml'}: " if value == "" else ""
    assert str(info.value) == where + (
        "OSTKIT_RATE_LIMIT must be a positive number of requests per second or 'off', "
        f"not {value!r}"
    )


def test_a_bad_type_in_config_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("OSTKIT_RATE_LIMIT = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="OSTKIT_RATE_LIMIT must be a number or a string"):
        load_settings(_env(tmp_path))


def test_cli_reports_a_bad_value_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSTKIT_HOME", str(tmp_path))
    monkeypatch.setenv("OSTKIT_RATE_LIMIT", "fast")
    result = CliRunner().invoke(cli, ["match", "--dry-run"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: OSTKIT_RATE_LIMIT must be a positive number of requests per second or 'off', "
        "not 'fast'\n"
    )
