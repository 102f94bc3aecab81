"""Hand idle takeovers back to the assistant: nobody is left talking to nobody.

A consultant who took a conversation and then went to lunch leaves a candidate whose
messages nobody reads: the bot is paused. A takeover in which neither side wrote for
``BOT_TAKEOVER_IDLE_MINUTES`` (``settings.handoff.takeover_idle_s``) is handed back: the
candidate reads why in their language (``handoff.takeover.idle``), the live request is done,
the audit trail says ``takeover_idle`` (actor ``system``, the holder as ``previous``), and
the caller tells the consultant (the console's live stream).

The console's background task calls :func:`hand_back_idle` every few seconds; it is safe to
run in several processes at once (bot.console.takeovers.release_idle is one conditional
DELETE: one process wins each takeover).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from bot import handoff
from bot.config import Settings
from bot.console import audit, conversations, takeovers
from bot.console.takeovers import HeldConversation
from bot.console.users import now_utc
from bot.errors import ConversationNotFound, HandoffError
from bot.storage import db, rasa_events

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IdleHandBack:
    """A takeover handed back: the conversation's console number and who held it."""

    number: int | None
    consultant: str


def _find(engine: Engine, cutoff: dt.datetime) -> list[HeldConversation]:
    if not rasa_events.exists(engine):
        return []
    with db.reading(engine) as conn:
        return takeovers.idle(conn, cutoff)


def _release(engine: Engine, held: HeldConversation, cutoff: dt.datetime) -> bool:
    with db.transaction(engine) as conn:
        return takeovers.release_idle(conn, held, cutoff)


def _restore(engine: Engine, held: HeldConversation) -> None:
    with db.transaction(engine) as conn:
        takeovers.restore(conn, held)


def _done(engine: Engine, held: HeldConversation) -> int | None:
    """The live request is done, the audit trail says why; the conversation's number."""
    with db.transaction(engine) as conn:
        number = conversations.numbers_for(conn, [held.sender_id]).get(held.sender_id)
        handoff.live_request_follows(conn, held.sender_id, "done", held.consultant)
        audit.record(conn, "system", "takeover_idle", conversation=number, previous=held.consultant)
    return number


async def hand_back_idle(
    engine: Engine, settings: Settings, now: dt.datetime | None = None
) -> list[IdleHandBack]:
    """Hand back every takeover idle for ``takeover_idle_s``; those handed back.

    A takeover Rasa cannot be reached for is held again as it was, and retried next time; one
    whose conversation Rasa no longer knows (erased) is simply released.
    """
    cutoff = (now or now_utc()) - dt.timedelta(seconds=settings.handoff.takeover_idle_s)
    handed: list[IdleHandBack] = []
    for held in await asyncio.to_thread(_find, engine, cutoff):
        if not await asyncio.to_thread(_release, engine, held, cutoff):
            continue  # someone wrote, took it over or released it meanwhile
        try:
            await handoff.hand_back(settings, held.sender_id, idle=True)
        except ConversationNotFound:
            pass
        except HandoffError:
            log.warning("idle takeover not handed back: Rasa unreachable; retrying later")
            await asyncio.to_thread(_restore, engine, held)
            continue
        number = await asyncio.to_thread(_done, engine, held)
        log.info("idle takeover of conversation %s handed back to the assistant", number)
        handed.append(IdleHandBack(number, held.consultant))
    return handed
