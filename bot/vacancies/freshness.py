"""Whether each synchronised vacancy source is fresh, for the console (stale sources flagged).

A source is **stale** when it was never synchronised, when its last sync failed, or when the
last sync is older than twice the interval (one day when only the command syncs): the offers
candidates see may then be out of date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.engine import Connection

from bot.storage import vacancies as table

MANUAL_STALE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class SourceState:
    source: str
    finished_at: datetime | None  # the last sync, failed or not (UTC)
    ok: bool  # the last sync succeeded
    added: int = 0
    updated: int = 0
    removed: int = 0
    rejected: int = 0
    error: str = ""
    stale: bool = True


def source_states(
    connection: Connection, names: Sequence[str], interval_s: float, now: datetime
) -> list[SourceState]:
    """The state of every configured source (``names``) and of any other ever synchronised."""
    last = table.last_syncs(connection)
    limit = 2 * timedelta(seconds=interval_s) if interval_s > 0 else MANUAL_STALE_AFTER
    states = []
    for name in [*names, *sorted(set(last) - set(names))]:
        row = last.get(name)
        if row is None:
            states.append(SourceState(name, None, ok=False))
            continue
        finished = _utc(row["finished_at"])
        states.append(
            SourceState(
                name,
                finished,
                ok=bool(row["ok"]),
                added=row["added"],
                updated=row["updated"],
                removed=row["removed"],
                rejected=row["rejected"],
                error=row["error"],
                stale=not row["ok"] or now - finished > limit,
            )
        )
    return states


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite: naive
