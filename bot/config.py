"""Settings read once from the environment, with the embedded defaults of the product brief."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Secret(str):
    """A string whose repr never shows its value (it may end up in a log line)."""

    def __repr__(self) -> str:
        return "Secret('**********')"


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


def _public_url(env: Mapping[str, str], web_port: int) -> str:
    url = (env.get("BOT_PUBLIC_URL") or f"http://localhost:{web_port}").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"BOT_PUBLIC_URL must start with http:// or https://, got {url!r}")
    return url


@dataclass(frozen=True)
class Settings:
    """Everything the launcher needs; build it with :meth:`from_env`."""

    rasa_port: int = 5005
    actions_port: int = 5055
    web_port: int = 8080
    database_url: str = f"sqlite:///{PROJECT_DIR / 'var' / 'rasa.db'}"
    rasa_api_token: Secret | None = field(default=None, repr=False)
    var_dir: Path = PROJECT_DIR / "var"
    models_dir: Path = PROJECT_DIR / "models"
    # Base of the links the assistant sends (privacy notice, calendar invites).
    public_url: str = "http://localhost:8080"
    smtp: SmtpSettings | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``BOT_RASA_PORT``, ``BOT_ACTIONS_PORT``, ``BOT_WEB_PORT``, ``DATABASE_URL``...

        A bad value raises ``ValueError`` naming the variable, so that a typo fails at
        start rather than half-way through a conversation.
        """
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("BOT_VAR_DIR", str(PROJECT_DIR / "var"))).resolve()
        token = env.get("RASA_API_TOKEN") or None
        web_port = _port(env, "BOT_WEB_PORT", 8080)
        return cls(
            rasa_port=_port(env, "BOT_RASA_PORT", 5005),
            actions_port=_port(env, "BOT_ACTIONS_PORT", 5055),
            web_port=web_port,
            database_url=env.get("DATABASE_URL") or f"sqlite:///{var_dir / 'rasa.db'}",
            rasa_api_token=Secret(token) if token else None,
            var_dir=var_dir,
            models_dir=Path(env.get("BOT_MODELS_DIR", str(PROJECT_DIR / "models"))).resolve(),
            public_url=_public_url(env, web_port),
            smtp=SmtpSettings.from_env(env),
        )
