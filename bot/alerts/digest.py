"""The alerts' e-mails of new offers: ``python -m bot.manage send-alerts`` and the same,
every ``ALERT_SEND_INTERVAL`` minutes, in the running web app.

Each confirmed alert whose last digest is at least a day old (or that never had one) gets
the offers added since it last looked (``vacancies.id`` above its cursor) that match its
search, nearest first, at most :data:`MAX_OFFERS` of them (and how many more). An alert
with nothing new gets no e-mail; its cursor moves on. A digest that cannot be sent is
tried again at the next round (its cursor stays).

One pass reads the due alerts and the offers added since the oldest cursor once, groups
the offers by occupation, and ranks each alert's candidates in memory with the search's
own rules (:func:`bot.vacancies.rank`), so that 10,000 alerts cost one read of the new
offers, not 10,000 searches. Sending is the slow part: one SMTP connection per message.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import gazetteer
from bot.alerts import mail
from bot.alerts.links import link_key
from bot.alerts.subscriptions import Alert, from_row, newest_vacancy_id
from bot.config import Settings
from bot.mailer import Mailer
from bot.storage import db, migrate
from bot.storage import vacancies as vacancy_table
from bot.storage.alerts import job_alerts
from bot.vacancies.model import Vacancy
from bot.vacancies.search import rank

log = logging.getLogger(__name__)
MAX_OFFERS = 10
EVERY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DigestReport:
    due: int  # confirmed alerts whose last digest was at least a day ago
    sent: int  # digests sent
    failed: int  # digests that could not be sent (tried again next round)
    offers: int  # offers in the digests sent

    def summary(self) -> str:
        return (
            f"{self.due} alerts due, {self.sent} e-mails sent ({self.offers} offers), "
            f"{self.failed} not sent"
        )


def due_alerts(conn: Connection, now: dt.datetime) -> list[Alert]:
    a = job_alerts.c
    rows = conn.execute(
        select(job_alerts)
        .where(
            a.status == "confirmed", or_(a.last_sent_at.is_(None), a.last_sent_at <= now - EVERY)
        )
        .order_by(a.id)
    )
    return [from_row(row) for row in rows]


def _new_offers(conn: Connection, after: int) -> list[tuple[int, Vacancy]]:
    columns = [
        vacancy_table.vacancies.c.id,
        *(vacancy_table.vacancies.c[n] for n in vacancy_table.FIELDS),
    ]
    rows = conn.execute(
        select(*columns)
        .where(vacancy_table.vacancies.c.id > after)
        .order_by(vacancy_table.vacancies.c.id)
    )
    found = []
    for row in rows:
        values = dict(row._mapping)
        vacancy_id = int(values.pop("id"))
        found.append((vacancy_id, vacancy_table.from_row(values)))
    return found


def send_digests(
    engine: Engine,
    mailer: Mailer,
    public_url: str,
    key: bytes,
    now: dt.datetime | None = None,
) -> DigestReport:
    """One round: e-mail every due alert its new offers (blocking)."""
    moment = now or dt.datetime.now(dt.timezone.utc)
    today = moment.date()
    with db.reading(engine) as conn:
        alerts = due_alerts(conn, moment)
        if not alerts:
            return DigestReport(0, 0, 0, 0)
        newest = newest_vacancy_id(conn)
        offers = _new_offers(conn, min(alert.last_vacancy_id for alert in alerts))
    pool = _Pool([(i, v) for i, v in offers if v.is_open(today)])
    sent, failed, offered = [], 0, 0
    quiet: list[int] = []
    with mailer.batch() as batch:
        for alert in alerts:
            outcome = _digest_one(alert, pool, today, batch, public_url, key)
            if outcome is None:
                quiet.append(alert.id)
            elif outcome:
                sent.append(alert.id)
                offered += outcome
            else:
                failed += 1
    with db.transaction(engine) as conn:
        _advance(conn, sent, newest, moment)
        _advance(conn, quiet, newest, None)
    report = DigestReport(len(alerts), len(sent), failed, offered)
    log.info("job alerts: %s", report.summary())
    return report


def _digest_one(
    alert: Alert,
    pool: _Pool,
    today: dt.date,
    mailer: Mailer,
    public_url: str,
    key: bytes,
) -> int | None:
    """E-mail ``alert`` its new offers: how many were sent, 0 when sending failed, None when
    there was nothing new."""
    assert alert.search is not None
    candidates = pool.candidates(alert)
    ids = {v.key: i for i, v in candidates}
    results = rank([v for _i, v in candidates], alert.search.query(today)) if candidates else []
    if not results:
        return None
    shown = [(ids[r.vacancy.key], r) for r in results[:MAX_OFFERS]]
    message = mail.digest_email(
        alert, shown, sender=mailer.sender, public_url=public_url, key=key,
        more=len(results) - len(shown),
    )  # fmt: skip
    if mailer.deliver(message, about=f"digest of job alert {alert.id}"):
        return len(shown)
    return 0


Where = tuple[float, float] | None  # an offer's location (None: not placed)


class _Pool:
    """The round's open new offers, grouped by occupation, then by location.

    An alert's occupations are looked at in turn (an offer has one occupation: none is
    taken twice); its country or region is left to :func:`rank`, as in a search.

    :meth:`candidates` keeps an alert's new offers within its radius and of its contract
    types, looking at each location once (offers share a few hundred) with each distance
    from a town to a location computed once in the round (10,000 alerts share a few
    hundred towns): :func:`rank` then applies every rule again, on a handful of offers
    instead of thousands."""

    def __init__(self, offers: list[tuple[int, Vacancy]]) -> None:
        self._groups: dict[str | None, dict[Where, list[tuple[int, Vacancy]]]] = {}
        for item in offers:  # in id order
            vacancy = item[1]
            where = (
                None if vacancy.lat is None or vacancy.lon is None else (vacancy.lat, vacancy.lon)
            )
            groups = self._groups.setdefault(vacancy.occupation_id, defaultdict(list))
            groups[where].append(item)
        self._km: dict[tuple[str, float, float], float] = {}

    def candidates(self, alert: Alert) -> list[tuple[int, Vacancy]]:
        search = alert.search
        assert search is not None
        groups = (
            [self._groups.get(o, {}) for o in search.occupation_ids]
            if search.occupation_ids
            else list(self._groups.values())  # any occupation: every group
        )
        origin = gazetteer.place(search.place_id) if search.place_id else None
        radius = search.radius_km if origin is not None else None
        cursor, contracts = alert.last_vacancy_id, search.contract_types
        kept = []
        for where, items in (entry for group in groups for entry in group.items()):
            if origin is not None and radius is not None:
                if (
                    where is None
                    or self._distance(origin.id, origin.lat, origin.lon, where) > radius
                ):
                    continue
            kept += [
                (i, v)
                for i, v in items
                if i > cursor and (not contracts or v.contract_type in contracts)
            ]
        kept.sort(key=lambda item: item[0])
        return kept

    def _distance(self, town: str, lat: float, lon: float, where: tuple[float, float]) -> float:
        key = (town, *where)
        distance = self._km.get(key)
        if distance is None:
            distance = self._km[key] = gazetteer.distance_km(lat, lon, *where)
        return distance


def _advance(
    conn: Connection, alert_ids: list[int], newest: int, sent_at: dt.datetime | None
) -> None:
    """Move the cursors of these alerts to ``newest`` (and note the sending)."""
    if not alert_ids:
        return
    a = job_alerts.c
    values: dict[str, object] = {"last_vacancy_id": newest}
    if sent_at is not None:
        values["last_sent_at"] = sent_at
    statement = (
        update(job_alerts)
        .where(a.id == bindparam("alert_id"), a.status == "confirmed")
        .values(**values)
    )
    conn.execute(statement, [{"alert_id": alert_id} for alert_id in alert_ids])


async def run_scheduled(
    engine: Engine, mailer: Mailer, settings: Settings, stop: asyncio.Event
) -> None:
    """A round every ``settings.alert_send_interval_s`` until ``stop``; a failed round is
    logged and the next one runs (each alert still gets at most one e-mail a day)."""
    key = link_key(settings)
    while not stop.is_set():
        try:
            await asyncio.to_thread(send_digests, engine, mailer, settings.public_url, key)
        except SQLAlchemyError:
            log.exception("job alerts: database error, next round later")
        except Exception:  # the task must live on
            log.exception("job alerts: round failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.alert_send_interval_s)
        except asyncio.TimeoutError:
            pass


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The ``send-alerts`` command of ``python -m bot.manage``."""
    parser = commands.add_parser(
        "send-alerts", help="e-mail each confirmed job alert its new offers (once a day at most)"
    )
    parser.set_defaults(handler=_run)


def _run(settings: Settings, _args: argparse.Namespace) -> int:
    mailer = Mailer.from_settings(settings)
    if mailer is None:
        print("[send-alerts] no mail server: set SMTP_HOST (job alerts are e-mails)")
        return 2
    migrate.upgrade(settings.database_url)
    engine = db.engine_for(settings.database_url)
    report = send_digests(engine, mailer, settings.public_url, link_key(settings))
    print(f"[send-alerts] {report.summary()}")
    return 0 if report.failed == 0 else 1
