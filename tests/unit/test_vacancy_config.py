"""The external vacancy API settings read from the environment."""

from __future__ import annotations

import pytest

from bot.config import Settings


def test_vacancy_api_is_off_unless_its_url_is_set() -> None:
    assert Settings.from_env({}).vacancy_api is None


def test_vacancy_api_settings_come_from_the_environment() -> None:
    api = Settings.from_env(
        {
            "VACANCY_API_URL": "https://jobs.example/api/vacancies",
            "VACANCY_API_TOKEN": "t0ken-value",
            "VACANCY_API_NAME": "Partner API",
            "VACANCY_API_TIMEOUT": "1.5",
            "VACANCY_API_RETRIES": "3",
            "VACANCY_API_CACHE_TTL": "0",
        }
    ).vacancy_api
    assert api is not None
    assert (api.url, api.name, api.timeout_s, api.retries, api.cache_ttl_s) == (
        "https://jobs.example/api/vacancies",
        "Partner API",
        1.5,
        3,
        0,
    )
    assert str(api.token) == "t0ken-value"
    assert "t0ken" not in repr(api) and "t0ken" not in repr(Settings.from_env({}))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VACANCY_API_URL", "ftp://jobs.example"),
        ("VACANCY_API_TIMEOUT", "soon"),
        ("VACANCY_API_TIMEOUT", "0"),
        ("VACANCY_API_BREAKER_FAILURES", "0"),
        ("VACANCY_API_RETRIES", "-1"),
    ],
)
def test_bad_vacancy_api_value_names_the_variable(name: str, value: str) -> None:
    environ = {"VACANCY_API_URL": "https://jobs.example", name: value}
    with pytest.raises(ValueError, match=name):
        Settings.from_env(environ)


def test_sources_are_the_local_database_then_the_api_when_configured(tmp_path) -> None:
    from bot.vacancies.sources import build_sources

    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    assert [s.name for s in build_sources(Settings.from_env(database))] == ["local"]
    with_api = {**database, "VACANCY_API_URL": "https://jobs.example", "VACANCY_API_NAME": "X"}
    assert [s.name for s in build_sources(Settings.from_env(with_api))] == ["local", "X"]


def test_synchronised_feeds_and_their_interval_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "VACANCY_FEEDS": "forem=https://a.example/feed.xml\n vdab=https://b.example/jobs",
            "VACANCY_SYNC_INTERVAL": "15",
        }
    )
    assert settings.vacancy_feeds == (
        ("forem", "https://a.example/feed.xml"),
        ("vdab", "https://b.example/jobs"),
    )
    assert settings.vacancy_sync_interval_s == 900 and not settings.france_travail_sync
    assert Settings.from_env({}).vacancy_feeds == ()


@pytest.mark.parametrize(
    "value", ["forem", "forem=ftp://a.example/x", "a=https://x.example a=https://y.example"]
)
def test_a_bad_feed_list_names_the_variable(value: str) -> None:
    with pytest.raises(ValueError, match="VACANCY_FEEDS"):
        Settings.from_env({"VACANCY_FEEDS": value})
