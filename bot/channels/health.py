"""Liveness and readiness of a Rasa server process, as an input channel.

``/webhooks/health/live`` answers 200 while the process serves HTTP. ``/webhooks/health/ready``
answers 200 only when the model is loaded and the tracker store's database answers a
``SELECT 1`` within a second, else 503 with the failing check: the load balancer sends
traffic only to ready processes (bot/ops/production.py, deploy/haproxy.cfg.template).

Rasa 3.6 has no readiness endpoint of its own: ``GET /`` answers as soon as Sanic listens,
before the model is loaded, and even with the database down.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.base import OnNewMessage

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 1.0


def _sql_engine(tracker_store: Any) -> Any:
    """The SQLAlchemy engine under Rasa's tracker store wrappers, if it has one."""
    store = tracker_store
    for _ in range(3):  # FailSafeTrackerStore -> (AwaitableTrackerStore ->) SQLTrackerStore
        if hasattr(store, "engine"):
            return store.engine
        store = getattr(store, "_tracker_store", None)
    return None


def _select_one(engine: Any) -> None:
    import sqlalchemy as sa

    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


async def readiness(agent: Any) -> dict[str, str]:
    """Each check's verdict: ``ok`` or why not."""
    checks: dict[str, str] = {}
    checks["model"] = "ok" if agent is not None and agent.is_ready() else "not loaded"
    engine = _sql_engine(getattr(agent, "tracker_store", None))
    if engine is None:
        checks["tracker_store"] = "not an SQL tracker store"
        return checks
    try:
        await asyncio.wait_for(asyncio.to_thread(_select_one, engine), CHECK_TIMEOUT_S)
        checks["tracker_store"] = "ok"
    except asyncio.TimeoutError:
        checks["tracker_store"] = "timeout"
    except Exception as exc:  # any driver error means "not ready"; the cause is logged
        log.warning("readiness: tracker store database unreachable (%s)", type(exc).__name__)
        checks["tracker_store"] = f"error: {type(exc).__name__}"
    return checks


class HealthInput(InputChannel):
    """``bot.channels.health.HealthInput`` in credentials (no settings)."""

    @classmethod
    def name(cls) -> str:
        return "health"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        health = Blueprint("crossborder_health", __name__)

        @health.route("/live", methods=["GET"])
        async def live(_: Request) -> HTTPResponse:
            return response.json({"status": "live"})

        @health.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            checks = await readiness(getattr(request.app.ctx, "agent", None))
            ok = all(verdict == "ok" for verdict in checks.values())
            return response.json(
                {"status": "ready" if ok else "not ready", "checks": checks},
                status=200 if ok else 503,
            )

        return health
