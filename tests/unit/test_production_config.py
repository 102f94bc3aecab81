"""Production mode's settings and generated files, without any server."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.ops import production
from bot.ops.production_config import AmqpAddress, ProductionSettings, RedisAddress
from bot.server.__main__ import with_api_token
from tests.support.rasa_cli import rasa_arguments

PG = "postgresql://bot:s3cret@db.local:5433/assistant"


@pytest.fixture
def haproxy_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in haproxy executable, so that building the process list does not depend on
    whether this machine ran `make prod-deps`."""
    folder = tmp_path / "bin"
    folder.mkdir()
    executable = folder / "haproxy"
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setattr(production, "SBIN_DIRS", ())
    return executable


def _settings(tmp_path: Path, **env: str) -> ProductionSettings:
    return ProductionSettings.from_env({"DATABASE_URL": PG, "BOT_VAR_DIR": str(tmp_path), **env})


def test_sqlite_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL must be a postgresql:// URL"):
        ProductionSettings.from_env({"DATABASE_URL": "sqlite:///var/rasa.db"})


def test_the_embedded_default_database_is_refused_too() -> None:
    with pytest.raises(ValueError, match="cannot share an SQLite file"):
        ProductionSettings.from_env({})


def test_defaults_two_rasa_processes_on_internal_ports(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert settings.rasa_processes == 2
    assert settings.rasa_ports == [5105, 5106]
    assert settings.base.rasa_port == 5005


@pytest.mark.parametrize(
    "env, variable",
    [
        ({"BOT_RASA_PROCESSES": "0"}, "BOT_RASA_PROCESSES"),
        ({"BOT_RASA_PROCESSES": "two"}, "BOT_RASA_PROCESSES"),
        ({"BOT_REDIS_URL": "localhost:6379"}, "BOT_REDIS_URL"),
        ({"BOT_RABBITMQ_URL": "http://x"}, "BOT_RABBITMQ_URL"),
        ({"BOT_RASA_INTERNAL_PORT": "5055"}, "BOT_RASA_INTERNAL_PORT"),
        ({"BOT_EVENTS_PORT": "8080"}, "BOT_EVENTS_PORT"),
    ],
)
def test_a_bad_value_names_its_variable(tmp_path: Path, env: dict, variable: str) -> None:
    with pytest.raises(ValueError, match=variable):
        _settings(tmp_path, **env)


def test_addresses_are_split_as_rasa_takes_them() -> None:
    assert RedisAddress.parse("redis://:pw@cache:6380/2") == RedisAddress("cache", 6380, 2, "pw")
    amqp = AmqpAddress.parse("amqp://bot:p%40ss@mq:5673/prod")
    assert (amqp.host, amqp.port, amqp.username, amqp.password, amqp.vhost) == (
        "mq",
        5673,
        "bot",
        "p@ss",
        "prod",
    )
    assert AmqpAddress.parse("amqp://guest:guest@127.0.0.1:5672/%2F").vhost == "/"


def test_endpoints_use_postgres_redis_and_pika_and_hold_no_secret(tmp_path: Path) -> None:
    settings = _settings(tmp_path, BOT_REDIS_URL="redis://:redispw@cache:6379/1")
    endpoints = production.endpoints_config(settings)
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["tracker_store"]["url"] == "db.local"
    assert endpoints["lock_store"] == {
        "type": "redis",
        "url": "cache",
        "port": 6379,
        "db": 1,
        "key_prefix": "crossborder",
        "password": "${BOT_SECRET_REDIS_PASSWORD}",
    }
    broker = endpoints["event_broker"]
    assert broker["type"] == "pika" and broker["queues"] == ["crossborder_events"]
    assert broker["exchange_name"] == "crossborder-events"
    text = yaml.safe_dump(endpoints)
    assert "s3cret" not in text and "redispw" not in text and "guest" in text  # user only
    assert production.secret_env(settings)["BOT_SECRET_DB_PASSWORD"] == "s3cret"


def test_haproxy_config_balances_rest_and_sticks_socketio(tmp_path: Path) -> None:
    settings = _settings(tmp_path, BOT_RASA_PROCESSES="3", BOT_RASA_PORT="7005")
    config = production.haproxy_config(settings, tmp_path)
    assert "bind 0.0.0.0:7005" in config
    rest = config.split("\nbackend rasa_rest")[1].split("\nbackend ")[0]
    assert "balance roundrobin" in rest and "GET /webhooks/health/ready" in rest
    assert rest.count("server rasa") == 3 and "127.0.0.1:7107 check" in rest
    socketio = config.split("\nbackend rasa_socketio")[1].split("\nbackend ")[0]
    assert "balance source" in socketio and "track rasa_rest/rasa2" in socketio
    live = config.split("\nbackend rasa_live")[1]
    # The last resort: no health check, so that HAProxy never believes every process down
    # while one is merely slow to answer its checks.
    assert live.count("server rasa") == 3 and "check" not in live.split("\nfrontend")[0]
    assert "option redispatch 1" in config and "retry-on conn-failure" in config
    assert "use_backend rasa_socketio if is_socketio socketio_ready" in config
    actions = config.split("\nbackend actions")[1]
    assert "bind 127.0.0.1:5055" in config and "server actions1 127.0.0.1:5155 check" in actions
    assert "maxconn 32" in actions
    assert "default_backend rasa_live" in config
    assert "${" not in config


def test_haproxy_refuses_a_body_over_the_request_limit(tmp_path: Path) -> None:
    config = production.haproxy_config(_settings(tmp_path), tmp_path)
    public = config.split("\nfrontend rasa_public")[1].split("\nbackend ")[0]
    assert "deny_status 413 if { req.hdr_val(content-length) gt 262144 }" in public
    # The client's address for the limits per client: appended, never taken from the client.
    assert "option forwardfor" in public
    limited = _settings(tmp_path, BOT_MAX_REQUEST_BYTES="65536")
    assert "gt 65536 }" in production.haproxy_config(limited, tmp_path)


def test_write_files_keeps_them_private(tmp_path: Path) -> None:
    files = production.write_files(_settings(tmp_path))
    for path in (files.endpoints, files.haproxy, files.logging):
        assert path.parent == tmp_path / "run" and oct(path.stat().st_mode)[-3:] == "600"
    assert "bot.log.JsonFormatter" in files.logging.read_text()


@pytest.mark.usefixtures("haproxy_on_path")
def test_every_process_gets_production_mode_and_a_readiness_url(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    files = production.write_files(settings)
    found = {s.name: s for s in production.services(settings, tmp_path / "m.tar.gz", files)}
    assert list(found) == ["actions-1", "actions-2", "rasa-1", "rasa-2", "web", "events", "haproxy"]
    assert found["rasa-2"].ready_url == "http://127.0.0.1:5106/webhooks/health/ready"
    assert found["actions-1"].ready_url == "http://127.0.0.1:5155/health"
    assert found["web"].ready_url.endswith(":8080/ready")
    assert found["rasa-1"].env["BOT_MODE"] == "production"
    assert found["rasa-1"].env["BOT_PROCESS_NAME"] == "rasa-1"
    assert "--logging-config-file" in found["rasa-1"].command
    assert "--enable-api" not in found["rasa-1"].command  # no token: no HTTP API


@pytest.mark.usefixtures("haproxy_on_path")
def test_a_token_that_starts_with_a_dash_reaches_every_rasa_process(tmp_path: Path) -> None:
    settings = _settings(tmp_path, RASA_API_TOKEN="-Xk2_generated-token")
    files = production.write_files(settings)
    for service in production.services(settings, tmp_path / "m.tar.gz", files):
        if service.name.startswith("rasa-"):
            # Not on the command line, which ps shows to every user: in the environment.
            assert not any("-Xk2_generated-token" in word for word in service.command)
            argv = with_api_token(service.command, service.env)
            arguments = rasa_arguments(argv)
            assert arguments.auth_token == "-Xk2_generated-token" and arguments.enable_api


def test_dotenv_fills_only_what_the_environment_lacks(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nBOT_RASA_PROCESSES=4\nexport BOT_WEB_PORT='9090'\n\nNOPE\n")
    env = {"BOT_RASA_PROCESSES": "2"}
    assert production.load_dotenv(dotenv, env) == ["BOT_WEB_PORT"]
    assert env == {"BOT_RASA_PROCESSES": "2", "BOT_WEB_PORT": "9090"}


def test_env_example_lists_every_production_variable() -> None:
    example = (Path(production.PROJECT_DIR) / ".env.example").read_text()
    for name in (
        "DATABASE_URL",
        "BOT_RASA_PROCESSES",
        "BOT_RASA_INTERNAL_PORT",
        "BOT_REDIS_URL",
        "BOT_RABBITMQ_URL",
        "BOT_EVENTS_QUEUE",
        "BOT_EVENTS_PORT",
        "BOT_LB_BIND",
        "BOT_LB_CHECK_INTERVAL_MS",
    ):
        assert f"{name}=" in example, name
    loaded: dict[str, str] = {}
    production.load_dotenv(Path(production.PROJECT_DIR) / ".env.example", loaded)
    assert ProductionSettings.from_env(loaded).rasa_processes == 2


@pytest.mark.usefixtures("haproxy_on_path")
def test_every_process_gets_the_sql_pool_of_the_settings(tmp_path: Path) -> None:
    settings = _settings(tmp_path, SQL_POOL_SIZE="3", SQL_MAX_OVERFLOW="4")
    files = production.write_files(settings)
    for service in production.services(settings, tmp_path / "m.tar.gz", files)[:-1]:
        assert (service.env["SQL_POOL_SIZE"], service.env["SQL_MAX_OVERFLOW"]) == ("3", "4")


def test_a_missing_haproxy_is_one_line_that_says_how_to_install_it(tmp_path: Path) -> None:
    assert production.check_haproxy(search_path=str(tmp_path)) == (
        "HAProxy is not installed: run `make prod-deps` (Debian's haproxy package)"
    )
    installed = tmp_path / "haproxy"
    installed.write_text("#!/bin/sh\n")
    installed.chmod(0o755)
    assert production.check_haproxy(search_path=str(tmp_path)) is None
    assert production.find_haproxy(search_path=str(tmp_path)) == str(installed)


def test_the_preflight_says_each_missing_piece_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no haproxy here
    monkeypatch.setattr(production, "SBIN_DIRS", ())
    settings = _settings(
        tmp_path,
        DATABASE_URL="postgresql://bot@127.0.0.1:1/none",
        BOT_REDIS_URL="redis://127.0.0.1:1/0",
        BOT_RABBITMQ_URL="amqp://guest:guest@127.0.0.1:1/%2F",
    )
    problems = production.preflight(settings)
    assert len(problems) == 4
    assert problems[-1] == production.HAPROXY_MISSING
    assert [p.split(" at ")[0] for p in problems[:3]] == ["PostgreSQL", "Redis", "RabbitMQ"]
    files = production.write_files(settings)
    with pytest.raises(RuntimeError, match="make prod-deps"):
        production.services(settings, tmp_path / "m.tar.gz", files)
