"""Synchronising 100,000 offers from two sources, and searching them (SQLite).

``run()`` starts a child process (so that its peak memory is the sync's own) that:

1. generates 100,000 invented offers (``scripts/generate_vacancies.py``, seeded) and serves
   them from a local aiohttp server as two feeds of 50,000: ``demo-bench-a`` in the
   project's JSON format, ``demo-bench-b`` as schema.org JobPosting JSON-LD;
2. synchronises both into a fresh SQLite database (``bot.vacancies.sync``: fetch, read,
   store, remove), timing each;
3. synchronises them again after 1 % of ``demo-bench-a``'s offers were withdrawn and 1 %
   changed (the daily case: updates and removals);
4. times the search mix of :mod:`benchmarks.vacancies` on the 100,000 synchronised offers.

Targets: search p95 under 50 ms.

    .venv/bin/python -m benchmarks.vacancy_sync       # prints the figures as JSON
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from benchmarks import vacancies
from bot import gazetteer
from bot.storage import db, migrate
from bot.vacancies.sources.local import LocalVacancySource
from bot.vacancies.sync import FeedSync, SyncReport, sync

COUNT = 100_000
SEED = 2027
TARGET_P95_MS = 50.0


def _jobposting(row: dict[str, Any]) -> dict[str, Any]:
    """One generated row as a schema.org JobPosting."""
    place = gazetteer.place(row["place"])
    assert place is not None
    posted = date.today() - timedelta(days=row["posted_days_ago"])
    return {
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "value": row["id"]},
        "title": row["title"],
        "description": row["description"],
        "datePosted": posted.isoformat(),
        "validThrough": (posted + timedelta(days=row["expires_in_days"])).isoformat(),
        "employmentType": "PART_TIME" if row["working_time"] == "part" else "FULL_TIME",
        "hiringOrganization": {"@type": "Organization", "name": row["employer"]},
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": place.name_fr,
                "postalCode": place.postcode,
                "addressCountry": place.country,
            },
        },
        "occupationalCategory": row["occupation"],
        "url": row["url"],
    }


class _Server:
    """The two feeds on a local aiohttp server, in a thread of its own."""

    def __init__(self, feeds: dict[str, tuple[str, str]]) -> None:
        self.feeds = feeds  # name -> (content type, body)
        self.port = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._serve, daemon=True).start()
        self._ready.wait(30)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def feed(request: web.Request) -> web.Response:
            content_type, body = self.feeds[request.match_info["name"]]
            return web.Response(text=body, content_type=content_type)

        app = web.Application()
        app.router.add_get("/{name}", feed)
        runner = web.AppRunner(app)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self._loop.run_forever()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


def _feeds(rows: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    half = len(rows) // 2
    return {
        "demo-bench-a": ("application/json", json.dumps({"vacancies": rows[:half]})),
        "demo-bench-b": (
            "application/ld+json",
            json.dumps([_jobposting(r) for r in rows[half:]]),
        ),
    }


def _timed_sync(engine: Any, server: _Server, name: str) -> tuple[SyncReport, float]:
    started = time.perf_counter()
    report = asyncio.run(sync(engine, FeedSync(name, server.url(name))))
    return report, round(time.perf_counter() - started, 1)


def _figures(report: SyncReport, seconds: float) -> dict[str, Any]:
    return {
        "seconds": seconds,
        "added": report.added,
        "updated": report.updated,
        "removed": report.removed,
        "rejected": len(report.rejected),
    }


def child(workdir: Path, count: int = COUNT) -> dict[str, Any]:
    """The measurements, in this process (see the module's docstring)."""
    rows = vacancies._generator().generate(count, SEED)
    for row in rows:
        row["id"] = row["id"].replace("demo-", "bench-")
    server = _Server(_feeds(rows))
    url = f"sqlite:///{workdir / 'sync.db'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    first = {name: _timed_sync(engine, server, name) for name in server.feeds}
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    half = len(rows) // 2
    kept = rows[half // 100 : half]  # 1 % withdrawn
    for row in kept[: half // 100]:  # 1 % changed
        row["title"] += " (m/v/x)"
    server.feeds["demo-bench-a"] = ("application/json", json.dumps({"vacancies": kept}))
    again, again_s = _timed_sync(engine, server, "demo-bench-a")
    timings, empty = asyncio.run(vacancies._timed(LocalVacancySource(engine), vacancies.queries()))
    engine.dispose()
    ordered = sorted(timings)
    return {
        "offers": count,
        "first_sync": {name: _figures(*first[name]) for name in first},
        "peak_rss_mb": round(rss_mb),
        "resync_a_1pct_changed_1pct_withdrawn": _figures(again, again_s),
        "search": {
            "searches": len(ordered),
            "without_results": empty,
            "p50_ms": round(ordered[len(ordered) // 2], 2),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
            "max_ms": round(ordered[-1], 2),
        },
        "target_p95_ms": TARGET_P95_MS,
    }


def run() -> dict[str, Any]:
    """The figures, measured in a child process."""
    with tempfile.TemporaryDirectory(prefix="vacancy-sync-bench-") as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.vacancy_sync", "--child", tmp],
            check=True,
            capture_output=True,
            text=True,
        )
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


def report(figures: dict[str, Any]) -> list[str]:
    lines = [
        "## Vacancy sync (100,000 offers from two sources, SQLite)",
        "",
        "| step | seconds | added | updated | removed | rejected |",
        "|---|---|---|---|---|---|",
    ]
    steps = {
        **{f"first sync {n}": f for n, f in figures["first_sync"].items()},
        "re-sync demo-bench-a (1 % changed, 1 % withdrawn)": figures[
            "resync_a_1pct_changed_1pct_withdrawn"
        ],
    }
    for name, f in steps.items():
        lines.append(
            f"| {name} | {f['seconds']} | {f['added']} | {f['updated']} | {f['removed']} |"
            f" {f['rejected']} |"
        )
    search = figures["search"]
    return [
        *lines,
        "",
        f"Peak memory of the syncing process: {figures['peak_rss_mb']} MB (RSS). Search over"
        f" the {figures['offers']:,} synchronised offers: p50 {search['p50_ms']} ms, p95"
        f" {search['p95_ms']} ms, max {search['max_ms']} ms (target: p95 under"
        f" {figures['target_p95_ms']:.0f} ms).",
        "",
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        json.dump(child(Path(sys.argv[2]), *map(int, sys.argv[3:4])), sys.stdout)
    else:
        json.dump(run(), sys.stdout, indent=2)
        print()
