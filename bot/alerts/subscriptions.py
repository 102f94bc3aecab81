"""Job alerts: subscribe (double opt-in), confirm, unsubscribe, and the candidate's rights.

An alert is a saved search (occupations, place, radius, contract types, country or region)
with an e-mail address, the candidate's language, the moment they consented and whether
they confirmed the link sent to that address. Only confirmed alerts get e-mails
(:mod:`bot.alerts.digest`). An alert that ends (unsubscribed, erased, expired by the
retention rules) loses its address, its conversation id and its place; the row stays for the
console's counts.

Data functions take the caller's connection (``with db.transaction(engine) as conn``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Connection, Row

from bot.contact import normalise_email
from bot.errors import AlertLimitReached
from bot.storage.alerts import job_alerts
from bot.storage.vacancies import vacancies
from bot.vacancies.areas import Area
from bot.vacancies.model import CONTRACT_TYPES, DEFAULT_RADIUS_KM, SearchQuery

ACTIVE = ("pending", "confirmed")
PENDING_DAYS = 7  # an alert not confirmed within a week is deleted
MAX_ACTIVE_PER_EMAIL = 5
MAX_ACTIVE_PER_CONVERSATION = 5


@dataclass(frozen=True)
class SavedSearch:
    """What the alert looks for: the search the candidate made in the chat."""

    occupation_id: str | None = None
    place_id: str | None = None
    radius_km: float | None = DEFAULT_RADIUS_KM
    contract_types: tuple[str, ...] = ()
    # The search's other occupations ("soudeur ou chaudronnier": chaudronnier here).
    other_occupation_ids: tuple[str, ...] = ()
    # The country or region the search was limited to or excluded ("seulement en Belgique"),
    # as the vacancy_area slot holds it (bot.vacancies.areas.Area.as_slot).
    area: str | None = None

    def __post_init__(self) -> None:
        unknown = set(self.contract_types) - set(CONTRACT_TYPES)
        if unknown:
            raise ValueError(f"unknown contract types: {sorted(unknown)}")
        if not self.occupation_id and not self.place_id:
            raise ValueError("an alert needs an occupation or a place")
        if self.other_occupation_ids and not self.occupation_id:
            raise ValueError("other occupations come after a first one")
        if self.area is not None and Area.from_slot(self.area) is None:
            raise ValueError(f"unknown area: {self.area!r}")

    @property
    def occupation_ids(self) -> tuple[str, ...]:
        """Every occupation the alert looks for (none: any occupation near its place)."""
        if not self.occupation_id:
            return ()
        return (self.occupation_id, *self.other_occupation_ids)

    def query(self, today: dt.date) -> SearchQuery:
        return SearchQuery(
            occupation_ids=self.occupation_ids,
            place_id=self.place_id,
            radius_km=self.radius_km,
            contract_types=self.contract_types,
            today=today,
            area=Area.from_slot(self.area),
        )


@dataclass(frozen=True)
class Alert:
    id: int
    status: str
    email: str | None
    sender_id: str | None
    language: str
    search: SavedSearch | None  # None once ended (the place is erased with the address)
    consented_at: dt.datetime
    confirmed_at: dt.datetime | None
    ended_at: dt.datetime | None
    last_sent_at: dt.datetime | None
    last_vacancy_id: int
    last_opened_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def from_row(row: Row[Any]) -> Alert:
    r = row._mapping
    search = None
    if r["status"] in ACTIVE:
        search = SavedSearch(
            occupation_id=r["occupation_id"],
            place_id=r["place_id"],
            radius_km=r["radius_km"],
            contract_types=tuple(c for c in r["contract_types"].split(",") if c),
            other_occupation_ids=tuple(o for o in r["other_occupation_ids"].split(",") if o),
            area=r["area"],
        )
    return Alert(
        id=int(r["id"]),
        status=r["status"],
        email=r["email"],
        sender_id=r["sender_id"],
        language=r["language"],
        search=search,
        consented_at=_aware(r["consented_at"]),
        confirmed_at=_aware_or_none(r["confirmed_at"]),
        ended_at=_aware_or_none(r["ended_at"]),
        last_sent_at=_aware_or_none(r["last_sent_at"]),
        last_vacancy_id=int(r["last_vacancy_id"]),
        last_opened_at=_aware_or_none(r["last_opened_at"]),
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _aware_or_none(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else _aware(moment)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc)


def newest_vacancy_id(conn: Connection) -> int:
    """The cursor of "new offers": offers added later have a higher id."""
    return int(conn.execute(select(func.coalesce(func.max(vacancies.c.id), 0))).scalar_one())


def get(conn: Connection, alert_id: int) -> Alert | None:
    row = conn.execute(select(job_alerts).where(job_alerts.c.id == alert_id)).first()
    return from_row(row) if row else None


def subscribe(
    conn: Connection,
    *,
    email: str,
    language: str,
    search: SavedSearch,
    sender_id: str | None = None,
    now: dt.datetime | None = None,
) -> Alert:
    """A pending alert (the candidate consented just now), or the active one that already
    has this address and this search.

    Raises:
        InvalidEmail: the address is not one (:func:`bot.contact.normalise_email`).
        AlertLimitReached: the address or the conversation already has the most alerts.
    """
    address = normalise_email(email)
    a = job_alerts.c
    same = conn.execute(
        select(job_alerts).where(
            a.email == address,
            a.status.in_(ACTIVE),
            _same(a.occupation_id, search.occupation_id),
            _same(a.place_id, search.place_id),
            _same(a.radius_km, search.radius_km),
            a.contract_types == ",".join(search.contract_types),
            a.other_occupation_ids == ",".join(search.other_occupation_ids),
            _same(a.area, search.area),
        )
    ).first()
    if same is not None:
        return from_row(same)
    _check_limits(conn, address, sender_id)
    moment = _now(now)
    alert_id = conn.execute(
        job_alerts.insert().values(
            status="pending",
            email=address,
            sender_id=sender_id,
            language=language,
            occupation_id=search.occupation_id,
            place_id=search.place_id,
            radius_km=search.radius_km,
            contract_types=",".join(search.contract_types),
            other_occupation_ids=",".join(search.other_occupation_ids),
            area=search.area,
            consented_at=moment,
            last_vacancy_id=newest_vacancy_id(conn),
        )
    ).inserted_primary_key[0]
    found = get(conn, int(alert_id))
    assert found is not None
    return found


def _same(column: Any, value: Any) -> Any:
    return column.is_(None) if value is None else column == value


def _check_limits(conn: Connection, email: str, sender_id: str | None) -> None:
    a = job_alerts.c
    by_email = conn.execute(
        select(func.count()).where(a.email == email, a.status.in_(ACTIVE))
    ).scalar_one()
    if by_email >= MAX_ACTIVE_PER_EMAIL:
        raise AlertLimitReached(MAX_ACTIVE_PER_EMAIL)
    if sender_id:
        by_sender = conn.execute(
            select(func.count()).where(a.sender_id == sender_id, a.status.in_(ACTIVE))
        ).scalar_one()
        if by_sender >= MAX_ACTIVE_PER_CONVERSATION:
            raise AlertLimitReached(MAX_ACTIVE_PER_CONVERSATION)


def confirm(conn: Connection, alert_id: int, now: dt.datetime | None = None) -> Alert | None:
    """Confirm a pending alert (its link was opened); the alert, or None when it ended or
    waited more than :data:`PENDING_DAYS`. A confirmed alert stays as it is (a second
    click changes nothing); digests start with the offers added after the confirmation."""
    moment = _now(now)
    alert = get(conn, alert_id)
    if alert is None or not alert.active:
        return None
    if alert.status == "confirmed":
        return alert
    if alert.consented_at < moment - dt.timedelta(days=PENDING_DAYS):
        return None
    conn.execute(
        update(job_alerts)
        .where(job_alerts.c.id == alert_id, job_alerts.c.status == "pending")
        .values(
            status="confirmed",
            confirmed_at=moment,
            last_opened_at=moment,
            last_vacancy_id=newest_vacancy_id(conn),
        )
    )
    return get(conn, alert_id)


def _end(status: str) -> dict[str, Any]:
    return {"status": status, "email": None, "sender_id": None, "place_id": None}


def unsubscribe(conn: Connection, alert_id: int, now: dt.datetime | None = None) -> bool:
    """End the alert (its address is forgotten); False when it had already ended."""
    a = job_alerts.c
    result = conn.execute(
        update(job_alerts)
        .where(a.id == alert_id, a.status.in_(ACTIVE))
        .values(**_end("unsubscribed"), ended_at=_now(now))
    )
    return bool(result.rowcount)


def opened(
    conn: Connection, alert_id: int, vacancy_id: int, now: dt.datetime | None = None
) -> str | None:
    """The candidate followed an offer's link of a digest: note it (the alert is in use) and
    give the offer's address; None when the alert or the offer is gone."""
    a = job_alerts.c
    result = conn.execute(
        update(job_alerts)
        .where(a.id == alert_id, a.status == "confirmed")
        .values(last_opened_at=_now(now))
    )
    if not result.rowcount:
        return None
    url = conn.execute(select(vacancies.c.url).where(vacancies.c.id == vacancy_id)).scalar()
    return str(url) if url else None


def for_conversation(conn: Connection, sender_id: str) -> list[Alert]:
    """The active alerts made in this conversation, oldest first."""
    a = job_alerts.c
    rows = conn.execute(
        select(job_alerts).where(a.sender_id == sender_id, a.status.in_(ACTIVE)).order_by(a.id)
    )
    return [from_row(row) for row in rows]


def stop_for_conversation(
    conn: Connection, sender_id: str, now: dt.datetime | None = None
) -> list[Alert]:
    """End every active alert made in this conversation; the alerts as they were."""
    stopped = for_conversation(conn, sender_id)
    for alert in stopped:
        unsubscribe(conn, alert.id, now)
    return stopped


# The candidate's rights (bot.privacy.FEATURES) ------------------------------------------


def _candidate(email: str | None, sender_id: str | None) -> Any:
    a = job_alerts.c
    conditions = []
    if email:
        conditions.append(a.email == email.strip().lower())
    if sender_id:
        conditions.append(a.sender_id == sender_id)
    if not conditions:
        return None
    return or_(*conditions)


def alerts_for_candidate(
    conn: Connection,
    email: str | None = None,
    phone: str | None = None,
    sender_id: str | None = None,
) -> list[Alert]:
    """The alerts holding this address or made in this conversation (alerts keep no phone)."""
    condition = _candidate(email, sender_id)
    if condition is None:
        return []
    rows = conn.execute(select(job_alerts).where(condition).order_by(job_alerts.c.id))
    return [from_row(row) for row in rows]


def erase_candidate(
    conn: Connection,
    email: str | None = None,
    phone: str | None = None,
    sender_id: str | None = None,
    now: dt.datetime | None = None,
) -> int:
    """End and anonymise the candidate's alerts; how many."""
    condition = _candidate(email, sender_id)
    if condition is None:
        return 0
    moment = _now(now)
    a = job_alerts.c
    ended = conn.execute(
        update(job_alerts)
        .where(condition, a.status.in_(ACTIVE))
        .values(**_end("erased"), ended_at=moment)
    ).rowcount
    # Ended alerts keep no address; a conversation id could remain on none, but be sure.
    conn.execute(update(job_alerts).where(condition).values(email=None, sender_id=None))
    return int(ended)


def expire(conn: Connection, idle_days: int, now: dt.datetime | None = None) -> int:
    """The retention rules: an alert still unconfirmed after :data:`PENDING_DAYS`, or whose
    links were not used for ``idle_days`` since its confirmation, ends (anonymised); how
    many."""
    moment = _now(now)
    a = job_alerts.c
    unconfirmed = and_(
        a.status == "pending", a.consented_at < moment - dt.timedelta(days=PENDING_DAYS)
    )
    idle = and_(
        a.status == "confirmed",
        func.coalesce(a.last_opened_at, a.confirmed_at) < moment - dt.timedelta(days=idle_days),
    )
    result = conn.execute(
        update(job_alerts).where(or_(unconfirmed, idle)).values(**_end("expired"), ended_at=moment)
    )
    return int(result.rowcount)


@dataclass(frozen=True)
class AlertCounts:
    created: int
    confirmed: int
    unsubscribed: int


def counts(conn: Connection, start: dt.datetime, end: dt.datetime) -> AlertCounts:
    """Alerts created, confirmed and unsubscribed between ``start`` and ``end`` (console)."""
    a = job_alerts.c

    def number(*conditions: Any) -> int:
        return int(conn.execute(select(func.count()).where(*conditions)).scalar_one())

    return AlertCounts(
        created=number(a.consented_at >= start, a.consented_at < end),
        confirmed=number(a.confirmed_at >= start, a.confirmed_at < end),
        unsubscribed=number(a.status == "unsubscribed", a.ended_at >= start, a.ended_at < end),
    )
