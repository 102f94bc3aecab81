"""``python -m bot.server.action_server ...``: rasa-sdk's action server (same arguments as
``python -m rasa_sdk``), listening on ``BOT_ACTIONS_HOST`` (127.0.0.1 by default) and
answering ``/webhook`` and ``/actions`` only to a request that carries the shared secret
``BOT_ACTIONS_SECRET`` in the ``X-Action-Secret`` header (Rasa sends it: the endpoints file
names the variable). Anyone else gets 401: the action server runs any action with any slots.
``/health`` stays open for the launcher's readiness check.
"""

from __future__ import annotations

import hmac
import logging
import os
from typing import Any

from bot.config import ACTIONS_SECRET_ENV as SECRET_ENV
from bot.config import ACTIONS_SECRET_HEADER as SECRET_HEADER

OPEN_PATHS = ("/health",)

log = logging.getLogger(__name__)


def secret_matches(given: str | None, secret: str) -> bool:
    """True when the request's header is the shared secret (compared in constant time)."""
    return bool(secret) and hmac.compare_digest((given or "").encode(), secret.encode())


def guard(app: Any, secret: str) -> Any:
    """Add the secret check to rasa-sdk's Sanic ``app``."""
    from sanic import response

    @app.middleware("request")
    async def require_secret(request: Any) -> Any:
        if request.path in OPEN_PATHS or secret_matches(request.headers.get(SECRET_HEADER), secret):
            return None
        log.warning("action server: request without the shared secret refused")
        return response.json({"error": "unauthorized"}, status=401)

    return app


def main() -> None:
    from rasa_sdk import endpoint
    from rasa_sdk.__main__ import main as sdk_main

    from bot.config import Settings

    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        raise SystemExit(f"{SECRET_ENV} is not set: the action server would be open to all")
    os.environ.setdefault("SANIC_HOST", Settings.from_env().actions_host)
    create_app = endpoint.create_app

    def create_guarded_app(*args: Any, **kwargs: Any) -> Any:
        return guard(create_app(*args, **kwargs), secret)

    endpoint.create_app = create_guarded_app
    sdk_main()


if __name__ == "__main__":
    main()
