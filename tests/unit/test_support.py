"""Settings, tracker store wiring, fallback choices and the package's import rules."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from bot.config import Settings
from bot.knowledge.fallback import hesitation, likely_intents
from bot.ops.tracker_store import STORE_CLASS, tracker_store_config
from bot.server.__main__ import with_api_token
from tests.support.rasa_cli import rasa_arguments

BOT = Path(__file__).resolve().parents[2] / "bot"


def test_settings_defaults_are_the_embedded_ones() -> None:
    settings = Settings.from_env({})
    assert (settings.rasa_port, settings.actions_port, settings.web_port) == (5005, 5055, 8080)
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith(
        "var/rasa.db"
    )
    assert settings.rasa_api_token is None


def test_bad_port_names_the_variable() -> None:
    with pytest.raises(ValueError, match="BOT_RASA_PORT"):
        Settings.from_env({"BOT_RASA_PORT": "fifty"})
    with pytest.raises(ValueError, match="BOT_ACTIONS_PORT"):
        Settings.from_env({"BOT_ACTIONS_PORT": "70000"})


def test_api_token_is_masked_in_repr() -> None:
    settings = Settings.from_env({"RASA_API_TOKEN": "s3cret-value"})
    assert str(settings.rasa_api_token) == "s3cret-value"
    assert "s3cret" not in repr(settings) and "s3cret" not in repr(settings.rasa_api_token)


def test_postgres_url_becomes_rasa_tracker_store_settings() -> None:
    config = tracker_store_config("postgresql://bot:pw@db.local:5433/assistant")
    assert config == {
        "type": STORE_CLASS,
        "dialect": "postgresql",
        "url": "db.local",
        "port": 5433,
        "db": "assistant",
        "username": "bot",
        "password": "pw",
    }


def test_sqlite_url_becomes_a_file_tracker_store() -> None:
    assert tracker_store_config("sqlite:////tmp/x/rasa.db") == {
        "type": STORE_CLASS,
        "dialect": "sqlite",
        "db": "/tmp/x/rasa.db",
    }


@pytest.mark.parametrize("url", ["sqlite://", "mysql://root@localhost/test"])
def test_unusable_database_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        tracker_store_config(url)


def test_fallback_offers_at_most_three_labelled_intents_best_first() -> None:
    ranking = [
        {"name": n, "confidence": c}
        for n, c in [
            ("nlu_fallback", 0.6),
            ("help", 0.2),
            ("out_of_scope", 0.1),
            ("greet", 0.08),
            ("ask_human", 0.07),
            ("thank", 0.06),
            ("goodbye", 0.01),
        ]
    ]
    offerable = {"help", "greet", "ask_human", "thank", "goodbye", "out_of_scope"}
    assert [c.intent for c in likely_intents(ranking, offerable)] == ["help", "greet", "ask_human"]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_business_code_does_not_import_rasa() -> None:
    adapters = {"nlu", "channels", "server"}
    offenders = [
        str(path.relative_to(BOT))
        for path in BOT.rglob("*.py")
        if not adapters & set(path.relative_to(BOT).parts)
        and _imports(path) & {"rasa", "rasa_sdk", "actions", "sanic"}
    ]
    assert offenders == []


def _uses_aiohttp_server(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "aiohttp":
            if any(alias.name in {"web", "web_request", "web_response"} for alias in node.names):
                return True
        names = (
            [a.name for a in node.names] if isinstance(node, ast.Import | ast.ImportFrom) else []
        )
        module = node.module if isinstance(node, ast.ImportFrom) else None
        if any(n.startswith("aiohttp.web") for n in [*names, module or ""]):
            return True
    return False


def test_only_the_web_package_uses_aiohttp_server_side() -> None:
    offenders = [
        str(path.relative_to(BOT))
        for path in BOT.rglob("*.py")
        if "web" not in path.relative_to(BOT).parts and _uses_aiohttp_server(path)
    ]
    assert offenders == []


def test_launcher_starts_the_web_app_with_its_health_url(tmp_path: Path) -> None:
    from bot.ops import cli

    settings = Settings(rasa_port=5999, actions_port=5998, web_port=8999, var_dir=tmp_path)
    commands = cli.server_commands(settings, tmp_path / "model.tar.gz", tmp_path / "c.yml")
    command, url = commands["web server"]
    assert command[1:] == ["-m", "bot.web"] and url == "http://127.0.0.1:8999/health"
    rasa = commands["rasa server"][0]
    assert rasa[rasa.index("--credentials") + 1] == str(tmp_path / "c.yml")


def test_launcher_writes_credentials_with_only_the_enabled_channels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.ops import cli

    for name in ("FACEBOOK_APP_SECRET", "FACEBOOK_PAGE_ACCESS_TOKEN", "FACEBOOK_VERIFY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER"):
        monkeypatch.delenv(name, raising=False)
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.setenv(name, "123:x")
    path, names = cli.write_channels(Settings(var_dir=tmp_path))
    assert path == tmp_path / "run" / "credentials.yml"
    assert names == ["rest", "health", "socketio", "telegram"]
    assert "${TELEGRAM_BOT_TOKEN}" in path.read_text() and "123:x" not in path.read_text()


def test_the_three_ports_must_differ() -> None:
    with pytest.raises(ValueError, match="BOT_WEB_PORT"):
        Settings.from_env({"BOT_WEB_PORT": "5005"})


@pytest.mark.parametrize("url", ["chat.example.org", "ftp://chat.example.org", "https://"])
def test_public_rasa_url_must_be_http(url: str) -> None:
    with pytest.raises(ValueError, match="BOT_RASA_PUBLIC_URL"):
        Settings.from_env({"BOT_RASA_PUBLIC_URL": url})


def test_trusted_proxies_are_addresses_or_networks() -> None:
    settings = Settings.from_env({"BOT_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/8,::1 ,"})
    assert [str(n) for n in settings.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert Settings.from_env({}).trusted_proxies == ()
    for bad in ("10.0.0.300", "proxy.local", "10.0.0.1/8"):
        with pytest.raises(ValueError, match="BOT_TRUSTED_PROXIES"):
            Settings.from_env({"BOT_TRUSTED_PROXIES": bad})


def test_public_rasa_url_loses_its_trailing_slash() -> None:
    settings = Settings.from_env({"BOT_RASA_PUBLIC_URL": "https://chat.example.org/"})
    assert settings.rasa_public_url == "https://chat.example.org"


def test_launcher_generates_an_api_token_once_and_keeps_it_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.ops import cli

    monkeypatch.setenv("RASA_API_TOKEN", "")  # restored after the test
    settings = Settings(var_dir=tmp_path)
    first = cli.ensure_api_token(settings)
    token = str(first.rasa_api_token)
    assert len(token) >= 40 and os.environ["RASA_API_TOKEN"] == token
    path = tmp_path / cli.API_TOKEN_FILE
    assert path.read_text().strip() == token and (path.stat().st_mode & 0o777) == 0o600
    assert str(cli.ensure_api_token(settings).rasa_api_token) == token  # kept across starts
    rasa = cli.server_commands(first, tmp_path / "m.tar.gz", tmp_path / "c.yml")["rasa server"][0]
    # Not on the command line (ps shows it to every user): in the environment it inherits.
    assert "--enable-api" in rasa and not any(token in word for word in rasa)
    assert rasa_arguments(with_api_token(rasa, os.environ)).auth_token == token


def test_a_token_that_starts_with_a_dash_reaches_rasa(tmp_path: Path) -> None:
    from bot.ops import cli

    # secrets.token_urlsafe draws "-" as the first character once in 64 tokens.
    token = "-Xk2_generated-token"
    settings = Settings.from_env({"RASA_API_TOKEN": token, "BOT_VAR_DIR": str(tmp_path)})
    rasa = cli.server_commands(settings, tmp_path / "m.tar.gz", tmp_path / "c.yml")["rasa server"][
        0
    ]
    assert not any(token in word for word in rasa)
    assert rasa_arguments(with_api_token(rasa, {"RASA_API_TOKEN": token})).auth_token == token


def test_configured_api_token_is_used_as_it_is(tmp_path: Path) -> None:
    from bot.ops import cli

    settings = Settings.from_env({"RASA_API_TOKEN": "chosen-token", "BOT_VAR_DIR": str(tmp_path)})
    assert cli.ensure_api_token(settings) is settings
    assert not (tmp_path / cli.API_TOKEN_FILE).exists()


def test_var_is_created_and_kept_owner_only(tmp_path: Path) -> None:
    from bot.ops import cli

    fresh = cli.private_dir(tmp_path / "var")
    assert oct(fresh.stat().st_mode & 0o777) == "0o700"
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    assert oct(cli.private_dir(shared).stat().st_mode & 0o777) == "0o700"


@pytest.mark.parametrize(
    "ranking, expected",
    [
        (
            [("cancel_booking", 0.44), ("faq", 0.3), ("book_info_session", 0.2)],
            ("cancel_booking", "book_info_session"),
        ),
        ([("stop", 0.5), ("ask_human", 0.45)], ("stop", "ask_human")),
        ([("cancel_booking", 0.81), ("book_info_session", 0.1)], None),
        ([("faq", 0.5), ("cancel_booking", 0.3), ("book_info_session", 0.2)], None),
        (
            [("nlu_fallback", 0.3), ("book_info_session", 0.29), ("cancel_booking", 0.25)],
            ("book_info_session", "cancel_booking"),
        ),
        ([("book_info_session", 0.9)], None),
    ],
)
def test_hesitation_is_between_two_close_acting_intents(ranking, expected) -> None:
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    assert hesitation(entries) == expected


def test_the_production_booker_types_the_place_of_its_session_in_the_list_shown() -> None:
    # As people do (issue 21): "2" or "de 2de" for the second session shown, whatever its id;
    # the button only when the session is not among those shown.
    from bot.sessions.search import match_sessions
    from tests.factories import info_session_value
    from tests.support.production import Booker

    shown = [info_session_value(id=i) for i in (5, 9, 2)]
    answers = [{"text": "…", "buttons": [
        {"title": f"{n}.", "payload": f'/inform{{"session_id": "{s.id}"}}'}
        for n, s in enumerate(shown, start=1)]}]  # fmt: skip
    booker = Booker.__new__(Booker)  # no domain file needed to choose
    for who in range(8):
        for language in ("fr", "nl"):
            typed = booker.choose(answers, language, 9, who)
            assert not typed.startswith("/"), typed
            assert match_sessions(typed, shown) == [shown[1]], typed
    assert booker.choose(answers, "fr", 42, 0) == '/inform{"session_id": "42"}'
