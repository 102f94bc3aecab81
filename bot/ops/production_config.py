"""Settings of production mode (``make run-prod``), read once from the environment.

No Rasa import: the launcher, the event consumer and the tests read these before any Rasa
process starts. ``.env.example`` lists every variable with its default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import make_url

from bot.config import PRODUCTION, Settings

MAX_RASA_PROCESSES = 16


@dataclass(frozen=True)
class RedisAddress:
    """``redis://[:password@]host:port/db`` in the pieces Rasa's lock store takes."""

    host: str
    port: int
    db: int
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> RedisAddress:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss") or not parts.hostname:
            raise ValueError(f"BOT_REDIS_URL must be a redis:// URL, got {url!r}")
        path = parts.path.strip("/")
        if path and not path.isdigit():
            raise ValueError(f"BOT_REDIS_URL: the database must be a number, got {path!r}")
        return cls(parts.hostname, parts.port or 6379, int(path or 0), parts.password)


@dataclass(frozen=True)
class AmqpAddress:
    """``amqp://user:password@host:port/vhost`` in the pieces Rasa's pika broker takes."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    vhost: str = "/"

    @classmethod
    def parse(cls, url: str) -> AmqpAddress:
        parts = urlsplit(url)
        if parts.scheme not in ("amqp", "amqps") or not parts.hostname:
            raise ValueError(f"BOT_RABBITMQ_URL must be an amqp:// URL, got {url!r}")
        vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
        return cls(
            parts.hostname,
            parts.port or 5672,
            unquote(parts.username or "guest"),
            unquote(parts.password or "guest"),
            vhost,
        )


def _int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name) or str(default)
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def require_postgresql(database_url: str) -> None:
    """Production mode keeps conversations and bookings in PostgreSQL only.

    Raises:
        ValueError: for SQLite or anything else, saying why.
    """
    backend = make_url(database_url).get_backend_name()
    if backend != "postgresql":
        raise ValueError(
            f"DATABASE_URL must be a postgresql:// URL in production mode, got {backend!r}:"
            " several Rasa processes cannot share an SQLite file"
        )


@dataclass(frozen=True)
class ProductionSettings:
    """Everything ``make run-prod`` needs beyond the embedded :class:`Settings`."""

    base: Settings
    rasa_processes: int = 2
    # Rasa processes listen on consecutive internal ports from here; the public
    # BOT_RASA_PORT is the load balancer's.
    rasa_internal_port: int = 5105
    redis_url: str = field(default="redis://127.0.0.1:6379/0", repr=False)
    rabbitmq_url: str = field(default="amqp://guest:guest@127.0.0.1:5672/%2F", repr=False)
    events_queue: str = "crossborder_events"
    # Rasa publishes to a fanout exchange: every queue bound to it gets every event, so each
    # deployment sharing a RabbitMQ needs an exchange of its own (Rasa's default name,
    # "rasa-exchange", would mix them).
    events_exchange: str = "crossborder-events"
    events_port: int = 5180
    lb_bind: str = "0.0.0.0"
    lb_check_interval_ms: int = 1000
    # REST requests in flight per Rasa process; more wait in the load balancer's queue.
    lb_server_maxconn: int = 8
    # Action servers on internal ports from here; BOT_ACTIONS_PORT is the load balancer's.
    # Two, so that one killed or restarting leaves the other to answer (benchmarks/prod_faults.py:
    # with one, 40 of 320 messages got no answer while it restarted).
    actions_processes: int = 2
    actions_internal_port: int = 5155
    actions_maxconn: int = 32
    # Rasa's SQL tracker store connections per Rasa process (its defaults, 50 + 100, would
    # exhaust PostgreSQL's 100 connections with a few processes).
    sql_pool_size: int = 5
    sql_max_overflow: int = 10
    # How long a conversation's lock outlives a process that died holding it (Rasa's
    # TICKET_LOCK_LIFETIME; its default, 60 s, held that candidate's next message a minute
    # after a Rasa process was killed). Longer than any message takes to process.
    lock_lifetime_s: int = 15

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ProductionSettings:
        """Read ``BOT_RASA_PROCESSES``, ``BOT_REDIS_URL``, ``BOT_RABBITMQ_URL``...

        Raises:
            ValueError: naming the variable, for a bad value or a database not PostgreSQL.
        """
        env = os.environ if environ is None else environ
        base = Settings.from_env(env, mode=PRODUCTION)
        require_postgresql(base.database_url)
        processes = _int(env, "BOT_RASA_PROCESSES", 2, 1, MAX_RASA_PROCESSES)
        first = _int(env, "BOT_RASA_INTERNAL_PORT", base.rasa_port + 100, 1, 65535 - processes)
        settings = cls(
            base=base,
            rasa_processes=processes,
            rasa_internal_port=first,
            redis_url=base.redis_url or cls.redis_url,
            rabbitmq_url=env.get("BOT_RABBITMQ_URL") or cls.rabbitmq_url,
            events_queue=env.get("BOT_EVENTS_QUEUE") or cls.events_queue,
            events_exchange=env.get("BOT_EVENTS_EXCHANGE") or cls.events_exchange,
            events_port=_int(env, "BOT_EVENTS_PORT", 5180, 1, 65535),
            lb_bind=env.get("BOT_LB_BIND") or cls.lb_bind,
            lb_check_interval_ms=_int(env, "BOT_LB_CHECK_INTERVAL_MS", 1000, 100, 60_000),
            lb_server_maxconn=_int(env, "BOT_LB_SERVER_MAXCONN", 8, 1, 10_000),
            actions_processes=_int(env, "BOT_ACTIONS_PROCESSES", 2, 1, MAX_RASA_PROCESSES),
            actions_internal_port=_int(
                env, "BOT_ACTIONS_INTERNAL_PORT", base.actions_port + 100, 1, 65000
            ),
            actions_maxconn=_int(env, "BOT_ACTIONS_MAXCONN", 32, 1, 10_000),
            sql_pool_size=_int(env, "SQL_POOL_SIZE", 5, 1, 1000),
            sql_max_overflow=_int(env, "SQL_MAX_OVERFLOW", 10, 0, 1000),
            lock_lifetime_s=_int(env, "BOT_LOCK_LIFETIME_S", 15, 5, 3600),
        )
        RedisAddress.parse(settings.redis_url)
        AmqpAddress.parse(settings.rabbitmq_url)
        settings.check_ports()
        return settings

    @property
    def actions_ports(self) -> list[int]:
        """The internal port of each action server."""
        return [self.actions_internal_port + i for i in range(self.actions_processes)]

    @property
    def rasa_ports(self) -> list[int]:
        """The internal port of each Rasa process."""
        return [self.rasa_internal_port + i for i in range(self.rasa_processes)]

    def check_ports(self) -> None:
        """Every process needs a port of its own.

        Raises:
            ValueError: naming the variables whose ports collide.
        """
        public = {
            "BOT_RASA_PORT": self.base.rasa_port,
            "BOT_ACTIONS_PORT": self.base.actions_port,
            "BOT_WEB_PORT": self.base.web_port,
            "BOT_EVENTS_PORT": self.events_port,
        }
        taken = set(public.values())
        if len(taken) < len(public):
            raise ValueError(f"{', '.join(public)} must be different ports, got {public}")
        internal = [*self.rasa_ports, *self.actions_ports]
        if len(set(internal)) < len(internal):
            raise ValueError(
                "BOT_RASA_INTERNAL_PORT, BOT_ACTIONS_INTERNAL_PORT: the internal ports"
                f" {self.rasa_ports} and {self.actions_ports} overlap"
            )
        clash = taken.intersection(internal)
        if clash:
            raise ValueError(
                "BOT_RASA_INTERNAL_PORT, BOT_ACTIONS_INTERNAL_PORT: the internal ports"
                f" {internal} overlap {sorted(clash)}"
            )
