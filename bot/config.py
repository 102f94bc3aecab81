"""Settings read once from the environment, with the embedded defaults of the product brief."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Secret(str):
    """A string whose repr never shows its value (it may end up in a log line)."""

    def __repr__(self) -> str:
        return "Secret('**********')"


# The secret Rasa sends the action server (bot/server/action_server.py) and its header.
ACTIONS_SECRET_ENV = "BOT_ACTIONS_SECRET"
ACTIONS_SECRET_HEADER = "X-Action-Secret"

SMTP_SECURITY = ("starttls", "ssl", "none")
_DEFAULT_SMTP_PORT = {"starttls": 587, "ssl": 465, "none": 25}


def _port(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, str(default))
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a port number, got {raw!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"{name} must be between 1 and 65535, got {port}")
    return port


def _public_url(environ: Mapping[str, str], name: str) -> str | None:
    raw = (environ.get(name) or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{name} must be an http:// or https:// URL, got {raw!r}")
    return raw.rstrip("/")


def _number(environ: Mapping[str, str], name: str, default: float, minimum: float = 0) -> float:
    raw = environ.get(name) or str(default)
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum:g}, got {raw!r}")
    return value


def _secret_key(environ: Mapping[str, str]) -> Secret | None:
    raw = environ.get("BOT_SECRET_KEY") or None
    if raw is not None and len(raw) < 32:
        raise ValueError("BOT_SECRET_KEY must be at least 32 characters long")
    return Secret(raw) if raw else None


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(environ: Mapping[str, str], name: str) -> tuple[IPNetwork, ...]:
    """Comma-separated addresses or networks ("127.0.0.1, 10.0.0.0/8, ::1")."""
    networks = []
    for part in (environ.get(name) or "").split(","):
        if not part.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip()))
        except ValueError:
            raise ValueError(
                f"{name} must list IP addresses or networks (10.0.0.0/8), got {part.strip()!r}"
            ) from None
    return tuple(networks)


def _confidence(environ: Mapping[str, str], name: str, default: float) -> float:
    value = _number(environ, name, default)
    if value > 1:
        raise ValueError(f"{name} must be between 0 and 1, got {value:g}")
    return value


@dataclass(frozen=True)
class VacancyApiSettings:
    """An external vacancy API (``VACANCY_API_*``); the source is off when the URL is unset."""

    url: str
    token: Secret | None = field(default=None, repr=False)
    name: str = "api"
    timeout_s: float = 3.0  # per request
    retries: int = 2  # after the first attempt, on timeouts and 5xx answers
    backoff_s: float = 0.2  # first wait between attempts, doubled each time
    breaker_failures: int = 5  # consecutive failed searches that open the circuit
    breaker_cooldown_s: float = 30.0  # before one trial search is let through
    cache_ttl_s: float = 60.0  # how long an answer is reused for the same query

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> VacancyApiSettings | None:
        url = environ.get("VACANCY_API_URL") or None
        if url is None:
            return None
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"VACANCY_API_URL must be an http(s) URL, got {url!r}")
        token = environ.get("VACANCY_API_TOKEN") or None
        return cls(
            url=url,
            token=Secret(token) if token else None,
            name=environ.get("VACANCY_API_NAME") or "api",
            timeout_s=_number(environ, "VACANCY_API_TIMEOUT", 3.0, minimum=0.01),
            retries=int(_number(environ, "VACANCY_API_RETRIES", 2)),
            backoff_s=_number(environ, "VACANCY_API_BACKOFF", 0.2),
            breaker_failures=int(_number(environ, "VACANCY_API_BREAKER_FAILURES", 5, minimum=1)),
            breaker_cooldown_s=_number(environ, "VACANCY_API_BREAKER_COOLDOWN", 30.0),
            cache_ttl_s=_number(environ, "VACANCY_API_CACHE_TTL", 60.0),
        )


FRANCE_TRAVAIL_TOKEN_URL = (
    "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=/partenaire"
)
FRANCE_TRAVAIL_API_URL = "https://api.francetravail.io/partenaire"


@dataclass(frozen=True)
class FranceTravailSettings:
    """France Travail's "Offres d'emploi v2" API (``FRANCE_TRAVAIL_*``); on when the client
    id and secret are set. Both URLs can point at a local fake server in tests."""

    client_id: str
    client_secret: Secret = field(repr=False)
    token_url: str = FRANCE_TRAVAIL_TOKEN_URL
    api_url: str = FRANCE_TRAVAIL_API_URL  # up to /partenaire
    name: str = "francetravail"
    timeout_s: float = 5.0  # per request
    retries: int = 2  # after the first attempt, on timeouts, 5xx and 429 answers
    backoff_s: float = 0.5  # first wait between attempts, doubled each time
    max_wait_s: float = 10.0  # the longest Retry-After honoured; longer: the source fails
    breaker_failures: int = 5
    breaker_cooldown_s: float = 30.0
    cache_ttl_s: float = 300.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> FranceTravailSettings | None:
        client_id = (environ.get("FRANCE_TRAVAIL_CLIENT_ID") or "").strip()
        secret = environ.get("FRANCE_TRAVAIL_CLIENT_SECRET") or ""
        if not client_id and not secret:
            return None
        if not client_id or not secret:
            raise ValueError(
                "FRANCE_TRAVAIL_CLIENT_ID and FRANCE_TRAVAIL_CLIENT_SECRET must be set together"
            )
        token_url = environ.get("FRANCE_TRAVAIL_TOKEN_URL") or FRANCE_TRAVAIL_TOKEN_URL
        api_url = (environ.get("FRANCE_TRAVAIL_API_URL") or FRANCE_TRAVAIL_API_URL).rstrip("/")
        for name, url in (
            ("FRANCE_TRAVAIL_TOKEN_URL", token_url),
            ("FRANCE_TRAVAIL_API_URL", api_url),
        ):
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{name} must be an http(s) URL, got {url!r}")
        return cls(
            client_id=client_id,
            client_secret=Secret(secret),
            token_url=token_url,
            api_url=api_url,
            timeout_s=_number(environ, "FRANCE_TRAVAIL_TIMEOUT", 5.0, minimum=0.01),
        )


def _feeds(environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """``VACANCY_FEEDS``: ``name=url`` pairs separated by spaces or new lines."""
    feeds = []
    for part in (environ.get("VACANCY_FEEDS") or "").split():
        name, _, url = part.partition("=")
        if not name or not url.startswith(("http://", "https://")):
            raise ValueError(f"VACANCY_FEEDS must list name=https://... pairs, got {part!r}")
        feeds.append((name, url))
    if len({name for name, _url in feeds}) < len(feeds):
        raise ValueError("VACANCY_FEEDS names a source twice")
    return tuple(feeds)


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OFFICE_HOURS_OVERRIDES = ("open", "closed", "metadata")


def _office_days(environ: Mapping[str, str]) -> tuple[int, ...]:
    """``BOT_OFFICE_DAYS``: "mon-fri", "mon,tue,thu" or "mon-wed,fri" (0 is Monday)."""
    raw = (environ.get("BOT_OFFICE_DAYS") or "mon-fri").strip().lower()
    days: set[int] = set()
    try:
        for part in raw.split(","):
            first, _, last = part.strip().partition("-")
            start, end = _WEEKDAYS.index(first), _WEEKDAYS.index(last or first)
            if end < start:
                raise ValueError
            days.update(range(start, end + 1))
    except ValueError:
        raise ValueError(f"BOT_OFFICE_DAYS must look like 'mon-fri', got {raw!r}") from None
    return tuple(sorted(days))


def _office_hours(environ: Mapping[str, str]) -> tuple[time, time]:
    """``BOT_OFFICE_HOURS``: opening and closing time, "09:00-17:00"."""
    raw = (environ.get("BOT_OFFICE_HOURS") or "09:00-17:00").strip()
    try:
        opens, closes = (time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError:
        raise ValueError(f"BOT_OFFICE_HOURS must look like '09:00-17:00', got {raw!r}") from None
    if closes <= opens:
        raise ValueError(f"BOT_OFFICE_HOURS must close after it opens, got {raw!r}")
    return opens, closes


_YES = ("1", "true", "yes", "on")
_NO = ("0", "false", "no", "off")


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """A yes/no variable: ``1``, ``true``, ``yes``, ``on`` or ``0``, ``false``, ``no``,
    ``off`` (any case); unset or empty: ``default``."""
    raw = (environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw not in _YES + _NO:
        raise ValueError(f"{name} must be 1 or 0 (true/false, yes/no, on/off), got {raw!r}")
    return raw in _YES


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    raw = (environ.get(name) or "").strip().lower() or None
    if raw is not None and raw not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


@dataclass(frozen=True)
class HandoffSettings:
    """Office hours of the consultants and the way to Rasa's HTTP API (live takeover).

    ``closed_days`` adds closures to the public holidays: "MM-DD" every year (the Flemish
    community's 11 July, the Walloon 27 September) or "YYYY-MM-DD" once (a bridge day).
    ``office_hours_override`` is for tests: "open" or "closed" whatever the clock, or
    "metadata" to let a conversation's message metadata say ``office_hours: open|closed``.
    """

    timezone: str = "Europe/Brussels"
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    opens: time = time(9)
    closes: time = time(17)
    holiday_countries: tuple[str, ...] = ("BE", "FR")
    closed_days: tuple[str, ...] = ()
    office_hours_override: str | None = None
    # None: Rasa on this machine, http://127.0.0.1:<BOT_RASA_PORT>.
    rasa_api_url: str | None = None
    rasa_api_timeout_s: float = 5.0
    # A live takeover with no message either way for this long goes back to the assistant
    # (``BOT_TAKEOVER_IDLE_MINUTES``): the candidate is not left talking to nobody.
    takeover_idle_s: float = 15 * 60.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> HandoffSettings:
        zone = (environ.get("BOT_OFFICE_TIMEZONE") or "Europe/Brussels").strip()
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"BOT_OFFICE_TIMEZONE: unknown time zone {zone!r}") from None
        raw_countries = environ.get("BOT_OFFICE_HOLIDAYS", "BE,FR")
        countries = tuple(c.strip().upper() for c in raw_countries.split(",") if c.strip())
        if any(country not in ("BE", "FR") for country in countries):
            raise ValueError(f"BOT_OFFICE_HOLIDAYS lists BE and/or FR, got {raw_countries!r}")
        closed = tuple(
            d.strip() for d in (environ.get("BOT_OFFICE_CLOSED_DAYS") or "").split(",") if d.strip()
        )
        for day in closed:
            _check_closed_day(day)
        opens, closes = _office_hours(environ)
        return cls(
            timezone=zone,
            days=_office_days(environ),
            opens=opens,
            closes=closes,
            holiday_countries=countries,
            closed_days=closed,
            office_hours_override=_choice(
                environ, "BOT_OFFICE_HOURS_OVERRIDE", OFFICE_HOURS_OVERRIDES
            ),
            rasa_api_url=_public_url(environ, "BOT_RASA_API_URL"),
            rasa_api_timeout_s=_number(environ, "BOT_RASA_API_TIMEOUT", 5.0, minimum=0.1),
            takeover_idle_s=60 * _number(environ, "BOT_TAKEOVER_IDLE_MINUTES", 15, minimum=0.01),
        )


def _check_closed_day(day: str) -> None:
    try:
        date.fromisoformat(day if len(day) == 10 else f"2000-{day}")
    except ValueError:
        raise ValueError(
            f"BOT_OFFICE_CLOSED_DAYS lists MM-DD or YYYY-MM-DD dates, got {day!r}"
        ) from None


@dataclass(frozen=True)
class SmtpSettings:
    """Where confirmation e-mails go out; absent (``SMTP_HOST`` unset) means no e-mail."""

    host: str
    sender: str
    port: int = 587
    security: str = "starttls"
    user: str | None = None
    password: Secret | None = field(default=None, repr=False)
    timeout_s: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SmtpSettings | None:
        """``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_FROM``, ``SMTP_SECURITY``, ``SMTP_USER``...

        ``SMTP_SECURITY`` is ``starttls`` (default, port 587), ``ssl`` (465) or ``none``
        (25, for a relay on the same machine).
        """
        host = env.get("SMTP_HOST") or None
        if host is None:
            return None
        security = env.get("SMTP_SECURITY", "starttls").lower()
        if security not in SMTP_SECURITY:
            raise ValueError(f"SMTP_SECURITY must be one of {SMTP_SECURITY}, got {security!r}")
        sender = env.get("SMTP_FROM") or ""
        if "@" not in sender:
            raise ValueError(
                f"SMTP_FROM must be an e-mail address when SMTP_HOST is set, got {sender!r}"
            )
        raw_timeout = env.get("SMTP_TIMEOUT", "10")
        try:
            timeout = float(raw_timeout)
        except ValueError:
            raise ValueError(
                f"SMTP_TIMEOUT must be a number of seconds, got {raw_timeout!r}"
            ) from None
        password = env.get("SMTP_PASSWORD") or None
        return cls(
            host=host,
            sender=sender,
            port=_port(env, "SMTP_PORT", _DEFAULT_SMTP_PORT[security]),
            security=security,
            user=env.get("SMTP_USER") or None,
            password=Secret(password) if password else None,
            timeout_s=timeout,
        )


def _site_url(env: Mapping[str, str], web_port: int) -> str:
    """``BOT_PUBLIC_URL``: the website as candidates reach it (links in messages)."""
    return _public_url(env, "BOT_PUBLIC_URL") or f"http://localhost:{web_port}"


def privacy_url(public_url: str, language: str | None = None) -> str:
    """The website's privacy notice: its page in ``language``; without a language, the
    address that sends each visitor to the page in their browser's language."""
    return f"{public_url}/{language}/privacy" if language else f"{public_url}/privacy"


EMBEDDED = "embedded"
PRODUCTION = "production"
MODES = (EMBEDDED, PRODUCTION)


@dataclass(frozen=True)
class Settings:
    """Everything the launcher needs; build it with :meth:`from_env`."""

    # ``embedded`` (``make run``: one process of each, SQLite by default) or ``production``
    # (``make run-prod``, which sets ``BOT_MODE=production`` for every process it starts).
    mode: str = EMBEDDED
    # Demo vacancies and information sessions on an empty database (``BOT_DEMO_DATA``): on
    # by default in embedded mode, off in production mode.
    demo_data: bool = True
    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int = 8080
    database_url: str = f"sqlite:///{PROJECT_DIR / 'var' / 'rasa.db'}"
    rasa_api_token: Secret | None = field(default=None, repr=False)
    # The Rasa server as the visitor's browser reaches it (socket.io of the chat widget);
    # unset: the page's own host name on ``rasa_port``.
    rasa_public_url: str | None = None
    var_dir: Path = PROJECT_DIR / "var"
    models_dir: Path = PROJECT_DIR / "models"
    vacancy_api: VacancyApiSettings | None = None
    france_travail: FranceTravailSettings | None = None
    # Feeds pulled and synchronised into the database (``VACANCY_FEEDS``: name=url ...),
    # France Travail synchronised too when ``FRANCE_TRAVAIL_SYNC`` is on, every
    # ``VACANCY_SYNC_INTERVAL`` minutes by the running web app (0: only by the command).
    vacancy_feeds: tuple[tuple[str, str], ...] = ()
    france_travail_sync: bool = False
    vacancy_sync_interval_s: float = 3600.0
    # Job alerts: the web app e-mails due alerts every ``ALERT_SEND_INTERVAL`` minutes (0:
    # only by ``send-alerts``; each alert gets one e-mail a day at most), and an alert whose
    # links were not used for ``ALERT_IDLE_DAYS`` ends at the retention purge.
    alert_send_interval_s: float = 3600.0
    alert_idle_days: int = 180
    # Base of the links the assistant sends (privacy notice, calendar invites).
    public_url: str = "http://localhost:8080"
    smtp: SmtpSettings | None = None
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    # Encrypts the console's session cookies; unset: a key generated once under var/.
    secret_key: Secret | None = field(default=None, repr=False)
    # Conversations idle for longer are purged (console, purge-conversations, privacy page).
    retention_days: int = 180
    # Bookings (after their session) and callback requests (after they were closed) keep
    # name, e-mail and phone this many days, then are anonymised by the same purge.
    records_retention_days: int = 90
    # Abuse limits: upcoming bookings (not cancelled) one conversation, one e-mail address
    # may hold at once.
    max_bookings_per_conversation: int = 3
    max_bookings_per_email: int = 3
    # And one client address (the website's; a library's or an agency's computers share one).
    max_bookings_per_client: int = 10
    # Open callback requests one conversation, one phone number may have at once.
    max_open_callbacks: int = 2
    max_open_callbacks_per_client: int = 5
    # Unknown booking references one conversation may try in the chat within 15 minutes.
    max_failed_references: int = 5
    # Per client address: a library's or an agency's computers share one.
    max_failed_references_per_client: int = 20
    # With e-mail configured, a chat booking is held this long for the candidate to confirm
    # it from the e-mail (double opt-in); 0: no confirmation asked.
    booking_hold_minutes: int = 30
    # The console's inbox collects user messages understood with less confidence.
    inbox_confidence: float = 0.6
    # And this share of the confidently understood ones, drawn at random: confident mistakes.
    inbox_sample: float = 0.02
    # Reverse proxies in front of the web app whose X-Forwarded-For names the client.
    trusted_proxies: tuple[IPNetwork, ...] = ()
    # Seconds the SQL tracker store waits for a new PostgreSQL connection.
    sql_connect_timeout_s: int = 3
    # Redis of production mode (lock store, the channels' memories, socket.io's rooms);
    # ``BOT_REDIS_URL``, unset in embedded mode.
    redis_url: str | None = field(default=None, repr=False)
    # A user message longer than this (characters) is refused before NLU, on every channel,
    # with a short answer: NLU's cost grows faster than the length (docs/security.md).
    max_message_chars: int = 2000
    # The largest request body the Rasa server and the web app read (bytes); larger: 413.
    max_request_bytes: int = 256 * 1024
    # Where the servers listen: Rasa and the action server on the loopback interface only
    # unless told otherwise (a reverse proxy in front); the web app on every interface.
    rasa_host: str = "127.0.0.1"
    actions_host: str = "127.0.0.1"
    web_host: str = "0.0.0.0"
    # The REST webhook's bearer secret (``BOT_REST_SECRET``); production mode switches the
    # REST channel off without it.
    rest_secret: Secret | None = field(default=None, repr=False)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, mode: str | None = None
    ) -> Settings:
        """Read ``BOT_RASA_PORT``, ``BOT_WEB_PORT``, ``BOT_RASA_PUBLIC_URL``, ``DATABASE_URL``...

        ``mode`` is the launcher's own (production mode passes it); otherwise ``BOT_MODE``
        says it, embedded when unset. A bad value raises ``ValueError`` naming the variable,
        so that a typo fails at start rather than half-way through a conversation.
        """
        env = os.environ if environ is None else environ
        mode = mode or _choice(env, "BOT_MODE", MODES) or EMBEDDED
        var_dir = Path(env.get("BOT_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()
        token = env.get("RASA_API_TOKEN") or None
        ports = {
            name: _port(env, name, default)
            for name, default in (
                ("BOT_RASA_PORT", 5005),
                ("BOT_ACTIONS_PORT", 5055),
                ("BOT_WEB_PORT", 8080),
            )
        }
        if len(set(ports.values())) < len(ports):
            raise ValueError(f"{', '.join(ports)} must be three different ports, got {ports}")
        return cls(
            mode=mode,
            demo_data=_flag(env, "BOT_DEMO_DATA", default=mode == EMBEDDED),
            rasa_port=ports["BOT_RASA_PORT"],
            actions_port=ports["BOT_ACTIONS_PORT"],
            web_port=ports["BOT_WEB_PORT"],
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'rasa.db'}",
            rasa_api_token=Secret(token) if token else None,
            rasa_public_url=_public_url(env, "BOT_RASA_PUBLIC_URL"),
            var_dir=var_dir,
            models_dir=Path(env.get("BOT_MODELS_DIR", str(PROJECT_DIR / "models"))).resolve(),
            vacancy_api=VacancyApiSettings.from_env(env),
            france_travail=FranceTravailSettings.from_env(env),
            vacancy_feeds=_feeds(env),
            france_travail_sync=_flag(env, "FRANCE_TRAVAIL_SYNC", default=False),
            vacancy_sync_interval_s=60 * _number(env, "VACANCY_SYNC_INTERVAL", 60),
            alert_send_interval_s=60 * _number(env, "ALERT_SEND_INTERVAL", 60),
            alert_idle_days=int(_number(env, "ALERT_IDLE_DAYS", 180, minimum=1)),
            public_url=_site_url(env, ports["BOT_WEB_PORT"]),
            smtp=SmtpSettings.from_env(env),
            handoff=HandoffSettings.from_env(env),
            secret_key=_secret_key(env),
            retention_days=int(_number(env, "BOT_RETENTION_DAYS", 180, minimum=1)),
            max_bookings_per_conversation=int(
                _number(env, "BOT_MAX_BOOKINGS_PER_CONVERSATION", 3, minimum=1)
            ),
            max_bookings_per_email=int(_number(env, "BOT_MAX_BOOKINGS_PER_EMAIL", 3, minimum=1)),
            max_open_callbacks=int(_number(env, "BOT_MAX_OPEN_CALLBACKS", 2, minimum=1)),
            max_bookings_per_client=int(_number(env, "BOT_MAX_BOOKINGS_PER_CLIENT", 10, minimum=1)),
            max_open_callbacks_per_client=int(
                _number(env, "BOT_MAX_OPEN_CALLBACKS_PER_CLIENT", 5, minimum=1)
            ),
            booking_hold_minutes=int(_number(env, "BOT_BOOKING_HOLD_MINUTES", 30, minimum=0)),
            max_failed_references=int(_number(env, "BOT_MAX_FAILED_REFERENCES", 5, minimum=1)),
            max_failed_references_per_client=int(
                _number(env, "BOT_MAX_FAILED_REFERENCES_PER_CLIENT", 20, minimum=1)
            ),
            records_retention_days=int(_number(env, "BOT_RECORDS_RETENTION_DAYS", 90, minimum=1)),
            inbox_confidence=_confidence(env, "BOT_INBOX_CONFIDENCE", 0.6),
            inbox_sample=_confidence(env, "BOT_INBOX_SAMPLE", 0.02),
            trusted_proxies=_networks(env, "BOT_TRUSTED_PROXIES"),
            sql_connect_timeout_s=int(_number(env, "BOT_SQL_CONNECT_TIMEOUT", 3, minimum=1)),
            redis_url=env.get("BOT_REDIS_URL") or None,
            max_message_chars=int(_number(env, "BOT_MAX_MESSAGE_CHARS", 2000, minimum=1)),
            max_request_bytes=int(
                _number(env, "BOT_MAX_REQUEST_BYTES", 256 * 1024, minimum=16 * 1024)
            ),
            rasa_host=(env.get("BOT_RASA_HOST") or "127.0.0.1").strip(),
            actions_host=(env.get("BOT_ACTIONS_HOST") or "127.0.0.1").strip(),
            web_host=(env.get("BOT_WEB_HOST") or "0.0.0.0").strip(),
            rest_secret=Secret(env["BOT_REST_SECRET"]) if env.get("BOT_REST_SECRET") else None,
        )

    @property
    def production(self) -> bool:
        """True in production mode (several Rasa processes, PostgreSQL, Redis, RabbitMQ)."""
        return self.mode == PRODUCTION

    @property
    def site_origins(self) -> tuple[str, ...]:
        """The origins the website is served from: ``BOT_PUBLIC_URL``'s, and on this machine
        (no public URL set) ``localhost`` and ``127.0.0.1`` on the web port. Rasa's CORS
        allows these only."""
        parts = urlsplit(self.public_url)
        origins = [f"{parts.scheme}://{parts.netloc}"]
        if self.public_url == f"http://localhost:{self.web_port}":
            origins.append(f"http://127.0.0.1:{self.web_port}")
        return tuple(origins)

    @property
    def page_hosts(self) -> frozenset[str]:
        """Host names a page may name in its Rasa URL when ``BOT_RASA_PUBLIC_URL`` is unset:
        this machine's and ``BOT_PUBLIC_URL``'s; any other Host header is not trusted."""
        own = urlsplit(self.public_url).hostname or "localhost"
        return frozenset({own, "localhost", "127.0.0.1", "::1"})

    @property
    def rasa_api_url(self) -> str:
        """Rasa's HTTP API as this machine reaches it (``BOT_RASA_API_URL``)."""
        return self.handoff.rasa_api_url or f"http://127.0.0.1:{self.rasa_port}"
