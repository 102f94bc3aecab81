"""The ``vacancies`` table and the queries on it (SQLAlchemy Core, SQLite or PostgreSQL).

Data functions take the connection they are given; the caller owns the transaction
(``with db.transaction(engine) as connection:``).

Search is one indexed query: the occupation codes, a bounding box around the candidate's
place (``lat``/``lon`` ranges the indexes can use), the exact haversine distance, the
expiry date, ordered by distance then date and limited to the page window. The haversine
comparison avoids square roots and arc sines: ``a <= sin²(r / 2R)`` is the same test as
``distance <= r``, so SQL only needs ``sin`` and ``cos``, which PostgreSQL has and SQLite
has when built with its math functions; :func:`prepare` adds them otherwise.
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
    event,
    false,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.elements import ColumnElement

from bot.gazetteer import EARTH_RADIUS_KM
from bot.storage.db import metadata
from bot.vacancies import CONTRACT_TYPES, WORKING_TIMES, SearchQuery, Vacancy

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
    Index("ix_vacancies_occupation_lat_lon", "occupation_id", "lat", "lon"),
    Index("ix_vacancies_lat_lon", "lat", "lon"),
    Index("ix_vacancies_expires_on", "expires_on"),
    Index("ix_vacancies_isco08", "isco08"),
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


def prepare(engine: Engine) -> None:
    """Make ``sin`` and ``cos`` available on SQLite builds without math functions."""
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT sin(0.5), cos(0.5)"))
        return
    except OperationalError:
        pass

    @event.listens_for(engine, "connect")
    def _math(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.create_function("sin", 1, math.sin, deterministic=True)
        dbapi_connection.create_function("cos", 1, math.cos, deterministic=True)

    engine.dispose()  # pooled connections were opened without the functions


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


def count(connection: Connection, source: str | None = None) -> int:
    statement = select(func.count()).select_from(vacancies)
    if source is not None:
        statement = statement.where(vacancies.c.source == source)
    return int(connection.execute(statement).scalar_one())


def search(connection: Connection, query: SearchQuery) -> list[Vacancy]:
    """The open vacancies that match ``query``, nearest then newest, at most ``query.window``."""
    conditions: list[ColumnElement[bool]] = [
        or_(vacancies.c.expires_on.is_(None), vacancies.c.expires_on >= query.day)
    ]
    if query.occupation_ids:
        conditions.append(vacancies.c.occupation_id.in_(query.occupation_ids))
    if query.contract_types:
        conditions.append(vacancies.c.contract_type.in_(query.contract_types))
    order: list[Any] = []
    origin = query.origin
    if origin is not None:
        closeness = _haversine_a(origin.lat, origin.lon)
        order.append(closeness)
        if query.radius_km is not None:
            conditions += _box(origin.lat, origin.lon, query.radius_km)
            conditions.append(closeness <= math.sin(query.radius_km / (2 * EARTH_RADIUS_KM)) ** 2)
    order += [vacancies.c.posted_on.desc(), vacancies.c.source_id]
    columns = [vacancies.c[name] for name in FIELDS]
    statement = select(*columns).where(and_(*conditions)).order_by(*order).limit(query.window)
    return [from_row(row) for row in connection.execute(statement)]


def _haversine_a(lat: float, lon: float) -> ColumnElement[float]:
    """The haversine term ``a`` between each row and (lat, lon): monotonic in the distance."""
    to_radians = math.pi / 180
    half_dlat = (vacancies.c.lat - lat) * (to_radians / 2)
    half_dlon = (vacancies.c.lon - lon) * (to_radians / 2)
    cos_lat = math.cos(lat * to_radians)
    return func.sin(half_dlat) * func.sin(half_dlat) + cos_lat * func.cos(
        vacancies.c.lat * to_radians
    ) * func.sin(half_dlon) * func.sin(half_dlon)


def _box(lat: float, lon: float, radius_km: float) -> list[ColumnElement[bool]]:
    """A latitude/longitude box around the circle, so that an index narrows the rows first."""
    dlat = radius_km / KM_PER_DEGREE_LAT * 1.01
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return [
        vacancies.c.lat.between(lat - dlat, lat + dlat),
        vacancies.c.lon.between(lon - dlon, lon + dlon),
    ]
