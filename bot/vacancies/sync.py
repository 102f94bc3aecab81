"""Synchronising sources into the database: ``python -m bot.manage sync-vacancies [--source X]``
and the same, every ``VACANCY_SYNC_INTERVAL`` minutes, in the running web app.

A sync source gives a *snapshot*: every offer it publishes now. The sync then, in one
transaction per source, adds the new offers, updates the changed ones and **removes the
offers of that source it no longer publishes**, and records the sync (``vacancy_syncs``).
A failed fetch writes nothing but the failure; a snapshot known to be incomplete (a France
Travail search with more than the 3150 offers the API shows) adds and updates but removes
nothing. The report says what was added, updated, removed and rejected, with the reasons.

Sources: each feed of ``VACANCY_FEEDS`` (``name=url``, any format the import reads: the
whole feed is the snapshot), and France Travail when ``FRANCE_TRAVAIL_SYNC`` is on: the
offers of the gazetteer's occupations (ROME codes, in batches) in the gazetteer's
départements, a batch split in two when it has more offers than the API shows. France
Travail can also be synchronised incrementally (``--published-within 1``: the offers
published in the last day, through the API's ``publieeDepuis``), which adds and updates
but removes nothing; a full sync removes what is no longer published.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import gazetteer
from bot.config import Settings
from bot.errors import InvalidFeed, SourceUnavailable
from bot.storage import db, migrate
from bot.storage import vacancies as table
from bot.vacancies.feed import read_text
from bot.vacancies.model import Vacancy
from bot.vacancies.pull import fetch_feed
from bot.vacancies.sources.france_travail import FranceTravailSource
from bot.vacancies.sources.france_travail_offers import DEPARTMENTS

log = logging.getLogger(__name__)
ROME_BATCH = 10  # ROME codes asked in one France Travail search
PUBLISHED_WITHIN_DAYS = (1, 3, 7, 14, 31)  # the values of the API's publieeDepuis


@dataclass
class Snapshot:
    """Every offer a source publishes now, those left out (id or position, reason), and
    whether it is known to be whole (only then are missing offers removed)."""

    vacancies: list[Vacancy] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    complete: bool = True


class SyncSource(Protocol):
    name: str

    async def snapshot(self, today: date) -> Snapshot:
        """Raises: SourceUnavailable or InvalidFeed when nothing usable came."""
        ...


@dataclass(frozen=True)
class SyncReport:
    source: str
    ok: bool
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: tuple[tuple[str, str], ...] = ()
    complete: bool = True
    error: str = ""

    def summary(self) -> str:
        if not self.ok:
            return f"source {self.source!r}: failed ({self.error}); nothing changed"
        partial = "" if self.complete else " (incomplete snapshot: nothing removed)"
        return (
            f"source {self.source!r}: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.removed} removed, "
            f"{len(self.rejected)} rejected{partial}"
        )


class FeedSync:
    """A feed pulled from a URL; the whole feed is the snapshot."""

    def __init__(self, name: str, url: str) -> None:
        self.name = name
        self._url = url

    async def snapshot(self, today: date) -> Snapshot:
        content, suffix = await fetch_feed(self._url, self.name)
        feed = read_text(content, suffix, source=self.name, today=today)
        return Snapshot(
            [v for _line, v in feed.vacancies], [(str(e.line), e.reason) for e in feed.errors]
        )


class FranceTravailSync:
    """France Travail's offers of the gazetteer's occupations in its départements."""

    def __init__(
        self,
        source: FranceTravailSource,
        departments: Sequence[str] = tuple(sorted(set(DEPARTMENTS.values()))),
        rome_codes: Sequence[str] | None = None,
        published_within_days: int | None = None,
    ) -> None:
        if published_within_days not in (None, *PUBLISHED_WITHIN_DAYS):
            raise ValueError(f"published_within_days must be one of {PUBLISHED_WITHIN_DAYS}")
        self.name = source.name
        self._source = source
        self._departments = departments
        self._published_within = published_within_days
        codes = rome_codes or sorted({o.rome for o in gazetteer.occupations() if o.rome})
        self._codes = list(codes)
        self._batches = [list(codes[i : i + ROME_BATCH]) for i in range(0, len(codes), ROME_BATCH)]

    async def snapshot(self, today: date) -> Snapshot:
        """Every offer; only those published in the last days when incremental (then the
        snapshot is incomplete: nothing is removed)."""
        snapshot = Snapshot(complete=self._published_within is None)
        for department in self._departments:
            for batch in self._batches:
                await self._collect(department, batch, snapshot)
        return snapshot

    async def _collect(self, department: str, codes: list[str], snapshot: Snapshot) -> None:
        params = {"departement": department, "codeROME": ",".join(codes), "sort": "1"}
        if self._published_within is not None:
            params["publieeDepuis"] = str(self._published_within)
        fetched = await self._source.fetch(params, stop_when_over=len(codes) > 1)
        if not fetched.complete and len(codes) > 1:
            middle = len(codes) // 2
            await self._collect(department, codes[:middle], snapshot)
            await self._collect(department, codes[middle:], snapshot)
            return
        snapshot.vacancies += fetched.vacancies
        snapshot.rejected += fetched.rejected
        snapshot.complete = snapshot.complete and fetched.complete

    def incremental(self, days: int) -> FranceTravailSync:
        """The same sync, of the offers published in the last ``days`` only."""
        return FranceTravailSync(self._source, self._departments, self._codes, days)

    async def close(self) -> None:
        await self._source.close()


def sync_source_names(settings: Settings) -> list[str]:
    """The names of the sources :func:`sync_sources` gives, without building them."""
    names = [name for name, _url in settings.vacancy_feeds]
    if settings.france_travail is not None and settings.france_travail_sync:
        names.append(settings.france_travail.name)
    return names


def sync_sources(settings: Settings) -> list[SyncSource]:
    """The sources ``settings`` asks to synchronise: the feeds, then France Travail."""
    sources: list[SyncSource] = [FeedSync(name, url) for name, url in settings.vacancy_feeds]
    if settings.france_travail is not None and settings.france_travail_sync:
        sources.append(FranceTravailSync(FranceTravailSource(settings.france_travail)))
    return sources


async def sync(engine: Engine, source: SyncSource, today: date | None = None) -> SyncReport:
    """Synchronise one source (see the module's docstring); never raises for the source's
    failures, which the report and ``vacancy_syncs`` carry.

    Raises:
        SQLAlchemyError: the database could not be written (nothing was).
    """
    now = datetime.now(timezone.utc)
    try:
        snapshot = await source.snapshot(today or date.today())
    except (SourceUnavailable, InvalidFeed) as exc:
        reason = exc.reason if isinstance(exc, SourceUnavailable) else str(exc)
        report = SyncReport(source.name, ok=False, error=reason[:300])
        await asyncio.to_thread(_record, engine, report, now)
        return report
    return await asyncio.to_thread(_write, engine, source.name, snapshot, now)


def _write(engine: Engine, name: str, snapshot: Snapshot, now: datetime) -> SyncReport:
    offers = {v.source_id: v for v in snapshot.vacancies if v.source == name}
    with db.transaction(engine) as connection:
        counts = table.store(connection, offers.values(), now)
        removed = table.remove_missing(connection, name, set(offers)) if snapshot.complete else 0
        report = SyncReport(
            name,
            ok=True,
            added=counts.inserted,
            updated=counts.updated,
            unchanged=counts.unchanged,
            removed=removed,
            rejected=tuple(snapshot.rejected),
            complete=snapshot.complete,
        )
        table.record_sync(connection, name, _sync_row(report, now))
    log.info("synchronised vacancies: %s", report.summary())
    return report


def _record(engine: Engine, report: SyncReport, now: datetime) -> None:
    with db.transaction(engine) as connection:
        table.record_sync(connection, report.source, _sync_row(report, now))
    log.warning("vacancy sync failed: %s", report.summary())


def _sync_row(report: SyncReport, now: datetime) -> dict[str, object]:
    return {
        "finished_at": now,
        "ok": report.ok,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "rejected": len(report.rejected),
        "error": report.error,
    }


async def run_scheduled(
    engine: Engine, sources: Sequence[SyncSource], interval_s: float, stop: asyncio.Event
) -> None:
    """Synchronise each source whose last sync is older than ``interval_s``, then wait; the
    last syncs come from ``vacancy_syncs``, so a restart does not sync again at once."""
    while not stop.is_set():
        try:
            last = await asyncio.to_thread(_last_syncs, engine)
        except SQLAlchemyError:  # the next round retries
            log.exception("scheduled vacancy sync: database error")
            last = {source.name: datetime.now(timezone.utc) for source in sources}
        for source in sources:
            finished = last.get(source.name)
            if finished is not None and _age_s(finished) < interval_s:
                continue
            try:
                await sync(engine, source)
            except Exception:  # one source's failure must not stop the others or the task
                log.exception("scheduled vacancy sync of %s failed", source.name)
        try:
            await asyncio.wait_for(stop.wait(), timeout=_next_wait(interval_s))
        except asyncio.TimeoutError:
            pass


def _last_syncs(engine: Engine) -> dict[str, datetime]:
    with db.reading(engine) as connection:
        return {name: row["finished_at"] for name, row in table.last_syncs(connection).items()}


def _age_s(finished: datetime) -> float:
    if finished.tzinfo is None:  # SQLite gives naive datetimes back
        finished = finished.replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - finished) / timedelta(seconds=1)


def _next_wait(interval_s: float) -> float:
    return max(1.0, min(interval_s / 10, 300.0))


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The ``sync-vacancies`` command of ``python -m bot.manage``."""
    parser = commands.add_parser(
        "sync-vacancies", help="synchronise the configured sources (adds, updates, removes)"
    )
    parser.add_argument("--source", help="only this source (a VACANCY_FEEDS name, francetravail)")
    parser.add_argument(
        "--published-within",
        type=int,
        choices=PUBLISHED_WITHIN_DAYS,
        help="France Travail: only the offers published in the last N days (incremental: "
        "adds and updates, removes nothing)",
    )
    parser.set_defaults(handler=_run)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    sources = [s for s in sync_sources(settings) if args.source in (None, s.name)]
    if args.published_within is not None:
        sources = [
            s.incremental(args.published_within) if isinstance(s, FranceTravailSync) else s
            for s in sources
        ]
    if not sources:
        print("[sync-vacancies] no such source: set VACANCY_FEEDS or FRANCE_TRAVAIL_SYNC")
        return 2
    migrate.upgrade(settings.database_url)
    engine = db.engine_for(settings.database_url)
    reports = [asyncio.run(_sync_and_close(engine, source)) for source in sources]
    for report in reports:
        for where, reason in report.rejected:
            print(f"[sync-vacancies] {report.source}: {where}: rejected: {reason}")
        print(f"[sync-vacancies] {report.summary()}")
    return 0 if all(r.ok for r in reports) else 1


async def _sync_and_close(engine: Engine, source: SyncSource) -> SyncReport:
    try:
        return await sync(engine, source)
    finally:
        if isinstance(source, FranceTravailSync):
            await source.close()
