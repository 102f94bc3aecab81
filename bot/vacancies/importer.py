"""``python -m bot.manage import-vacancies FILE|URL [--source NAME]``: load a feed.

FILE or URL: the project's feed formats, schema.org JobPosting (JSON-LD, HTML) or HR-XML
(:mod:`bot.vacancies.feed`, :mod:`bot.vacancies.standard_feeds`); a URL is fetched first.

The import is idempotent: a vacancy is identified by (source, source id), so importing the
same feed again updates what changed and never duplicates anything. Bad rows are reported
with their line number and skipped (``--strict`` refuses the whole file instead). Everything
is written in one transaction: a crash midway leaves the database as it was.

Exit status: 0 when every row was imported, 1 when some rows were skipped, 2 when nothing
was written (unreadable file, ``--strict`` with bad rows, database error).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings
from bot.errors import InvalidFeed, SourceUnavailable
from bot.storage import db, migrate
from bot.storage import vacancies as table
from bot.vacancies.feed import Feed, RowError, read_feed, read_text
from bot.vacancies.pull import fetch_feed

log = logging.getLogger(__name__)
# Imports that change more rows than this refresh the query planner's statistics.
ANALYZE_AFTER = 1000


@dataclass(frozen=True)
class ImportReport:
    source: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    errors: tuple[RowError, ...]
    written: bool

    @property
    def skipped(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        state = "" if self.written else " (nothing written)"
        return (
            f"source {self.source!r}: {self.rows} rows, {self.inserted} inserted, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped{state}"
        )


def import_feed(
    engine: Engine,
    path: Path,
    source: str | None = None,
    strict: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Import the vacancies of ``path`` (see :mod:`bot.vacancies.feed` for the format).

    Raises:
        InvalidFeed: the file cannot be read; nothing is written.
    """
    return store_feed(engine, read_feed(path, source=source, today=today), strict)


def import_url(
    engine: Engine,
    url: str,
    source: str,
    strict: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Import the feed at ``url`` (any format :func:`bot.vacancies.feed.read_text` reads).

    Raises:
        SourceUnavailable: the feed could not be fetched; nothing is written.
        InvalidFeed: it cannot be read; nothing is written.
    """
    content, suffix = asyncio.run(fetch_feed(url, source))
    return store_feed(engine, read_text(content, suffix, source=source, today=today), strict)


def store_feed(engine: Engine, feed: Feed, strict: bool = False) -> ImportReport:
    """Write the checked vacancies of ``feed`` in one transaction (none with ``strict`` and
    bad rows)."""
    if strict and feed.errors:
        return _report(feed, table.StoreCounts(), written=False)
    with db.transaction(engine) as connection:
        counts = table.store(
            connection, (v for _line, v in feed.vacancies), datetime.now(timezone.utc)
        )
        if counts.inserted + counts.updated > ANALYZE_AFTER:
            table.analyze(connection)
    log.info("imported vacancies of %s: %s", feed.source, counts)
    return _report(feed, counts, written=True)


def _report(feed: Feed, counts: table.StoreCounts, written: bool) -> ImportReport:
    return ImportReport(
        source=feed.source,
        rows=feed.rows,
        inserted=counts.inserted,
        updated=counts.updated,
        unchanged=counts.unchanged,
        errors=tuple(feed.errors),
        written=written,
    )


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The ``import-vacancies`` command of ``python -m bot.manage``."""
    parser = commands.add_parser(
        "import-vacancies", help="load a JSON or CSV vacancy feed (idempotent)"
    )
    parser.add_argument(
        "file",
        help="feed file or http(s) URL: .json, .jsonl, .csv, schema.org JobPosting "
        "(.jsonld, .html), HR-XML (.xml)",
    )
    parser.add_argument("--source", help="source name (default: the feed's 'source')")
    parser.add_argument("--strict", action="store_true", help="import nothing if any row is bad")
    parser.set_defaults(handler=_run)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    migrate.upgrade(settings.database_url)
    engine = db.engine_for(settings.database_url)
    try:
        if args.file.startswith(("http://", "https://")):
            if not args.source:
                print("[import-vacancies] a URL needs --source NAME; nothing written")
                return 2
            report = import_url(engine, args.file, args.source, strict=args.strict)
        else:
            report = import_feed(engine, Path(args.file), source=args.source, strict=args.strict)
    except (InvalidFeed, SourceUnavailable) as exc:
        print(f"[import-vacancies] {args.file}: {exc}; nothing written")
        return 2
    except SQLAlchemyError as exc:
        print(f"[import-vacancies] database error ({type(exc).__name__}); nothing written")
        return 2
    for error in report.errors:
        print(f"[import-vacancies] {args.file}:{error.line}: skipped: {error.reason}")
    print(f"[import-vacancies] {args.file}: {report.summary()}")
    if not report.written:
        return 2
    return 1 if report.errors else 0
