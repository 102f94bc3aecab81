"""The two modes (embedded, production) and what they change in the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops.production_config import ProductionSettings

PG = "postgresql://bot:s3cret@db.local:5433/assistant"


def test_the_embedded_mode_is_the_default_and_has_demo_data() -> None:
    settings = Settings.from_env({})
    assert settings.mode == "embedded" and not settings.production and settings.demo_data


def test_production_mode_has_no_demo_data_unless_asked(tmp_path: Path) -> None:
    env = {"DATABASE_URL": PG, "BOT_VAR_DIR": str(tmp_path)}
    assert ProductionSettings.from_env(env).base.production
    assert not ProductionSettings.from_env(env).base.demo_data
    assert ProductionSettings.from_env({**env, "BOT_DEMO_DATA": "1"}).base.demo_data


def test_processes_started_by_production_mode_know_it_from_bot_mode() -> None:
    assert Settings.from_env({"BOT_MODE": "production"}).production
    assert not Settings.from_env({"BOT_MODE": "production"}).demo_data
    with pytest.raises(ValueError, match="BOT_MODE"):
        Settings.from_env({"BOT_MODE": "prod"})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("Yes", True), ("on", True), ("0", False), ("false", False),
     ("NO", False), ("off", False), ("", True), (" ", True)],
)  # fmt: skip
def test_demo_data_is_read_one_way_in_both_modes(raw: str, expected: bool, tmp_path: Path) -> None:
    assert Settings.from_env({"BOT_DEMO_DATA": raw}).demo_data is expected
    production = {"DATABASE_URL": PG, "BOT_VAR_DIR": str(tmp_path), "BOT_DEMO_DATA": raw}
    assert ProductionSettings.from_env(production).base.demo_data is (
        expected and bool(raw.strip())
    )


def test_a_demo_data_value_that_is_neither_yes_nor_no_is_refused() -> None:
    with pytest.raises(ValueError, match="BOT_DEMO_DATA"):
        Settings.from_env({"BOT_DEMO_DATA": "2"})


def test_the_database_pools_and_timeout_are_settings(tmp_path: Path) -> None:
    env = {"DATABASE_URL": PG, "BOT_VAR_DIR": str(tmp_path)}
    default = ProductionSettings.from_env(env)
    assert (default.sql_pool_size, default.sql_max_overflow) == (5, 10)
    assert default.base.sql_connect_timeout_s == 3
    chosen = ProductionSettings.from_env(
        {**env, "SQL_POOL_SIZE": "3", "SQL_MAX_OVERFLOW": "0", "BOT_SQL_CONNECT_TIMEOUT": "7"}
    )
    assert (chosen.sql_pool_size, chosen.sql_max_overflow) == (3, 0)
    assert chosen.base.sql_connect_timeout_s == 7
    with pytest.raises(ValueError, match="SQL_POOL_SIZE"):
        ProductionSettings.from_env({**env, "SQL_POOL_SIZE": "many"})


def test_redis_is_one_setting_for_production_mode_and_its_processes(tmp_path: Path) -> None:
    env = {"DATABASE_URL": PG, "BOT_VAR_DIR": str(tmp_path)}
    assert Settings.from_env({}).redis_url is None
    assert ProductionSettings.from_env(env).redis_url == "redis://127.0.0.1:6379/0"
    chosen = {**env, "BOT_REDIS_URL": "redis://cache:6380/1"}
    assert ProductionSettings.from_env(chosen).redis_url == "redis://cache:6380/1"
    assert ProductionSettings.from_env(chosen).base.redis_url == "redis://cache:6380/1"
