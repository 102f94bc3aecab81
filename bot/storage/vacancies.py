"""The ``vacancies`` table and the queries on it (SQLAlchemy Core, SQLite or PostgreSQL).

Data functions take the connection they are given; the caller owns the transaction
(``with db.transaction(engine) as connection:``).

Search reads only what a page needs, through indexes (see :func:`search`): offers sit at
a few hundred distinct locations (the gazetteer's towns, plus any coordinates a feed
gives), so ranking locations by distance in Python and then reading each location's newest
offers from an index costs the same with 300 or 100,000 offers. The SQL is plain
comparisons, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from bot.gazetteer import Place, distance_km
from bot.storage.db import metadata
from bot.vacancies.model import CONTRACT_TYPES, WORKING_TIMES, SearchQuery, Vacancy

KM_PER_DEGREE_LAT = 111.2
BATCH = 1000

vacancies = Table(
    "vacancies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("source_id", String(128), nullable=False),
    Column("title", String(300), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("language", String(2), nullable=False),
    Column("occupation_id", String(64), nullable=True),
    Column("isco08", String(4), nullable=True),
    Column("employer", String(200), nullable=False),
    Column("place_id", String(64), nullable=True),
    Column("town", String(120), nullable=False),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("country", String(2), nullable=True),
    Column("contract_type", String(20), nullable=False),
    Column("working_time", String(4), nullable=False),
    Column("required_languages", String(32), nullable=False, server_default=""),
    Column("url", String(500), nullable=False),
    Column("posted_on", Date, nullable=False),
    Column("expires_on", Date, nullable=True),
    Column("demo", Boolean(create_constraint=False), nullable=False, server_default=false()),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    # The offer's id at the public service that first published it ("francetravail:199TSTA"),
    # shared by the sources that relay it: the same offer is shown once.
    Column("official_id", String(160), nullable=True),
    UniqueConstraint("source", "source_id", name="uq_vacancies_source_source_id"),
    CheckConstraint("language IN ('fr', 'nl')", name="language"),
    CheckConstraint(
        "contract_type IN (" + ", ".join(f"'{c}'" for c in CONTRACT_TYPES) + ")",
        name="contract_type",
    ),
    CheckConstraint(
        "working_time IN (" + ", ".join(f"'{w}'" for w in WORKING_TIMES) + ")",
        name="working_time",
    ),
    # Each serves both steps of a search near a place: the locations with open offers
    # (index-only scan) and then one location's newest offers, read in index order.
    Index(
        "ix_vacancies_occupation_location",
        "occupation_id",
        "lat",
        "lon",
        "posted_on",
        "source_id",
        "expires_on",
    ),
    Index("ix_vacancies_location", "lat", "lon", "posted_on", "source_id", "expires_on"),
    # The newest offers of an occupation anywhere; expired offers for a purge.
    Index("ix_vacancies_occupation_posted", "occupation_id", "posted_on", "source_id"),
    Index("ix_vacancies_expires_on", "expires_on"),
)

# Columns that make up a vacancy (everything but the surrogate key and the import time).
FIELDS = (
    "source",
    "source_id",
    "title",
    "description",
    "language",
    "occupation_id",
    "isco08",
    "employer",
    "place_id",
    "town",
    "lat",
    "lon",
    "country",
    "contract_type",
    "working_time",
    "required_languages",
    "url",
    "posted_on",
    "expires_on",
    "demo",
    "official_id",
)

# The last synchronisation of each source (``sync-vacancies``, the scheduled sync).
vacancy_syncs = Table(
    "vacancy_syncs",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("ok", Boolean(create_constraint=False), nullable=False),
    Column("added", Integer, nullable=False, server_default="0"),
    Column("updated", Integer, nullable=False, server_default="0"),
    Column("removed", Integer, nullable=False, server_default="0"),
    Column("rejected", Integer, nullable=False, server_default="0"),
    Column("error", String(300), nullable=False, server_default=""),
)


@dataclass(frozen=True)
class StoreCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def to_row(vacancy: Vacancy) -> dict[str, Any]:
    """The column values of ``vacancy`` (required languages as "fr,nl")."""
    row = {name: getattr(vacancy, name) for name in FIELDS if name != "required_languages"}
    row["required_languages"] = ",".join(vacancy.required_languages)
    return row


def from_row(row: Row | dict[str, Any]) -> Vacancy:
    values = dict(row._mapping) if isinstance(row, Row) else dict(row)
    languages = tuple(v for v in (values.pop("required_languages") or "").split(",") if v)
    fields = {name: values[name] for name in FIELDS if name != "required_languages"}
    fields["demo"] = bool(fields["demo"])
    return Vacancy(required_languages=languages, **fields)


def store(connection: Connection, found: Iterable[Vacancy], imported_at: datetime) -> StoreCounts:
    """Insert new vacancies, update changed ones, keyed by (source, source id).

    Runs in the caller's transaction: if anything fails midway (the iterable included), the
    rollback leaves the table as it was.
    """
    by_source: dict[str, dict[str, dict[str, Any]]] = {}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    unchanged = 0
    for vacancy in found:
        if vacancy.source not in by_source:
            by_source[vacancy.source] = _existing(connection, vacancy.source)
        row = to_row(vacancy)
        before = by_source[vacancy.source].get(vacancy.source_id)
        if before is None:
            inserts.append({**row, "imported_at": imported_at})
        elif before != row:
            updates.append({**row, "imported_at": imported_at})
        else:
            unchanged += 1
        by_source[vacancy.source][vacancy.source_id] = row
    _insert(connection, inserts)
    _update(connection, updates)
    return StoreCounts(len(inserts), len(updates), unchanged)


def _existing(connection: Connection, source: str) -> dict[str, dict[str, Any]]:
    columns = [vacancies.c[name] for name in FIELDS]
    rows = connection.execute(select(*columns).where(vacancies.c.source == source))
    return {row.source_id: _comparable(dict(row._mapping)) for row in rows}


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    row["demo"] = bool(row["demo"])
    return row


def _insert(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert, or update when a concurrent import inserted the same key meanwhile."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), BATCH):
        statement = dialect.insert(vacancies)
        changes = {name: statement.excluded[name] for name in (*FIELDS, "imported_at")}
        statement = statement.on_conflict_do_update(
            index_elements=["source", "source_id"], set_=changes
        )
        connection.execute(statement, list(rows[start : start + BATCH]))


def _update(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    names = [n for n in (*FIELDS, "imported_at") if n not in ("source", "source_id")]
    statement = (
        update(vacancies)
        .where(vacancies.c.source == bindparam("key_source"))
        .where(vacancies.c.source_id == bindparam("key_source_id"))
        .values({name: bindparam(f"new_{name}") for name in names})
    )
    params = [
        {
            "key_source": r["source"],
            "key_source_id": r["source_id"],
            **{f"new_{name}": r[name] for name in names},
        }
        for r in rows
    ]
    for start in range(0, len(params), BATCH):
        connection.execute(statement, params[start : start + BATCH])


def remove_missing(connection: Connection, source: str, kept: set[str]) -> int:
    """Delete the offers of ``source`` whose id is not in ``kept`` (no longer published);
    how many were deleted."""
    present = connection.execute(
        select(vacancies.c.source_id).where(vacancies.c.source == source)
    ).scalars()
    gone = [source_id for source_id in present if source_id not in kept]
    statement = vacancies.delete().where(vacancies.c.source == source)
    for start in range(0, len(gone), BATCH):
        batch = gone[start : start + BATCH]
        connection.execute(statement.where(vacancies.c.source_id.in_(batch)))
    return len(gone)


def record_sync(connection: Connection, source: str, values: dict[str, Any]) -> None:
    """Keep ``values`` (finished_at, ok, counts, error) as the last sync of ``source``."""
    done = connection.execute(
        update(vacancy_syncs).where(vacancy_syncs.c.source == source).values(**values)
    )
    if done.rowcount == 0:
        connection.execute(vacancy_syncs.insert().values(source=source, **values))


def last_syncs(connection: Connection) -> dict[str, dict[str, Any]]:
    """The last sync of every source that was ever synchronised, by source name."""
    rows = connection.execute(select(vacancy_syncs))
    return {row.source: dict(row._mapping) for row in rows}


def analyze(connection: Connection) -> None:
    """Refresh the planner's statistics after a large import (both databases have ANALYZE)."""
    connection.exec_driver_sql("ANALYZE vacancies")


def count(connection: Connection, source: str | None = None) -> int:
    statement = select(func.count()).select_from(vacancies)
    if source is not None:
        statement = statement.where(vacancies.c.source == source)
    return int(connection.execute(statement).scalar_one())


def search(connection: Connection, query: SearchQuery) -> list[Vacancy]:
    """The open vacancies that match ``query``, nearest then newest, at most ``query.window``.

    With a place, two steps keep this fast whatever the size of the table: first the
    distinct locations (lat, lon) that have matching offers inside the radius's bounding box,
    with their counts (an index-only scan); then, nearest location first (exact haversine,
    in Python, over a few hundred points), the newest offers of each location until the
    window is full, each read straight from an index in date order.
    """
    conditions = _conditions(query)
    origin = query.origin
    if origin is None:
        return _newest(connection, conditions, query.window)
    found: list[Vacancy] = []
    for lat, lon, count in _locations(connection, conditions, origin, query.radius_km):
        wanted = query.window - len(found)
        if wanted <= 0:
            break
        here = [vacancies.c.lat == lat, vacancies.c.lon == lon]
        found += _newest(connection, [*conditions, *here], min(wanted, count))
    if query.radius_km is None and len(found) < query.window:  # offers without coordinates
        nowhere = [*conditions, vacancies.c.lat.is_(None)]
        found += _newest(connection, nowhere, query.window - len(found))
    return found


def _conditions(query: SearchQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        or_(vacancies.c.expires_on.is_(None), vacancies.c.expires_on >= query.day)
    ]
    if query.occupation_ids:
        conditions.append(vacancies.c.occupation_id.in_(query.occupation_ids))
    if query.contract_types:
        conditions.append(vacancies.c.contract_type.in_(query.contract_types))
    if query.area is not None:
        inside = vacancies.c.place_id.in_(sorted(query.area.place_ids()))
        if query.area.excluded:
            conditions.append(or_(vacancies.c.place_id.is_(None), ~inside))
        else:
            conditions.append(inside)
    return conditions


def _newest(
    connection: Connection, conditions: list[ColumnElement[bool]], limit: int
) -> list[Vacancy]:
    columns = [vacancies.c[name] for name in FIELDS]
    statement = (
        select(*columns)
        .where(and_(*conditions))
        .order_by(vacancies.c.posted_on.desc(), vacancies.c.source_id.desc())
        .limit(limit)
    )
    return [from_row(row) for row in connection.execute(statement)]


def _locations(
    connection: Connection,
    conditions: list[ColumnElement[bool]],
    origin: Place,
    radius_km: float | None,
) -> list[tuple[float, float, int]]:
    """(lat, lon, matching offers) of every location within the radius, nearest first."""
    where = [*conditions, vacancies.c.lat.is_not(None), vacancies.c.lon.is_not(None)]
    if radius_km is not None:
        where += _box(origin.lat, origin.lon, radius_km)
    statement = (
        select(vacancies.c.lat, vacancies.c.lon, func.count())
        .where(and_(*where))
        .group_by(vacancies.c.lat, vacancies.c.lon)
    )
    located = []
    for lat, lon, count in connection.execute(statement):
        distance = distance_km(origin.lat, origin.lon, lat, lon)
        if radius_km is None or distance <= radius_km:
            located.append((distance, lat, lon, int(count)))
    return [(lat, lon, count) for _d, lat, lon, count in sorted(located)]


def _box(lat: float, lon: float, radius_km: float) -> list[ColumnElement[bool]]:
    """A latitude/longitude box around the circle, so that an index narrows the rows first."""
    dlat = radius_km / KM_PER_DEGREE_LAT * 1.01
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return [
        vacancies.c.lat.between(lat - dlat, lat + dlat),
        vacancies.c.lon.between(lon - dlon, lon + dlon),
    ]
