"""Vacancy search latency on the demo feed and on a generated 100,000-vacancy feed (SQLite).

``run()`` imports each feed into a fresh SQLite database under a temporary directory, then
times a fixed, seeded mix of searches through :func:`bot.vacancies.search` with the local
source, as an action would call it (worker thread included):

- 50 % occupation near a place (default 30 km radius), 15 % a place only ("jobs in
  Tournai"), 10 % an occupation anywhere from a place (no radius, still ranked by distance),
  10 % an occupation with no place, 10 % with a contract-type filter, 5 % the second page;
- searches that find nothing also compute their suggestions, as the dialogue would.

Target: p95 under 50 ms per search. The 100,000-vacancy feed is generated once by
``scripts/generate_vacancies.py`` into ``var/bench/`` (not committed) and reused.

    .venv/bin/python -m benchmarks.vacancies          # prints the figures as JSON
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot import gazetteer
from bot.storage import db, migrate
from bot.vacancies.importer import import_feed
from bot.vacancies.model import SearchQuery
from bot.vacancies.search import search
from bot.vacancies.sources.local import LocalVacancySource

ROOT = Path(__file__).resolve().parents[1]
DEMO_FEED = ROOT / "bot" / "resources" / "demo" / "vacancies.json"
BENCH_FEED = ROOT / "var" / "bench" / "vacancies-100k.json"
BENCH_COUNT = 100_000
SEARCHES = 400
TARGET_P95_MS = 50.0
SEED = 7


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location(
        "generate_vacancies", ROOT / "scripts" / "generate_vacancies.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_feed(path: Path = BENCH_FEED, count: int = BENCH_COUNT) -> Path:
    """The generated benchmark feed, written on first use (deterministic for a seed)."""
    if not path.exists():
        _generator().main(["--count", str(count), "--source", "demo-bench", "--out", str(path)])
    return path


def queries(count: int = SEARCHES, seed: int = SEED) -> list[SearchQuery]:
    """A fixed mix of searches over the border area's places and the gazetteer's jobs."""
    rng = random.Random(seed)
    border = [p.id for p in gazetteer.places() if p.subdivision in _BORDER]
    jobs = [o.id for o in gazetteer.occupations()]
    mix: list[SearchQuery] = []
    for _ in range(count):
        roll, job, town = rng.random(), (rng.choice(jobs),), rng.choice(border)
        if roll < 0.50:
            mix.append(SearchQuery(occupation_ids=job, place_id=town))
        elif roll < 0.65:
            mix.append(SearchQuery(place_id=town))
        elif roll < 0.75:
            mix.append(SearchQuery(occupation_ids=job, place_id=town, radius_km=None))
        elif roll < 0.85:
            mix.append(SearchQuery(occupation_ids=job, radius_km=None))
        elif roll < 0.95:
            contract = (rng.choice(["permanent", "temp_agency", "fixed_term"]),)
            mix.append(SearchQuery(occupation_ids=job, place_id=town, contract_types=contract))
        else:
            mix.append(SearchQuery(place_id=town, offset=3))
    return mix


_BORDER = {"Nord", "Pas-de-Calais", "West-Vlaanderen", "Hainaut", "Oost-Vlaanderen"}


def measure(feed: Path, workdir: Path, searches: list[SearchQuery]) -> dict[str, Any]:
    """Import ``feed`` into a fresh SQLite database and time ``searches`` on it."""
    url = f"sqlite:///{workdir / (feed.stem + '.db')}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    started = time.perf_counter()
    report = import_feed(engine, feed)
    import_s = time.perf_counter() - started
    timings, empty = asyncio.run(_timed(LocalVacancySource(engine), searches))
    engine.dispose()
    ordered = sorted(timings)
    return {
        "vacancies": report.inserted + report.updated + report.unchanged,
        "import_s": round(import_s, 2),
        "searches": len(timings),
        "without_results": empty,
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max_ms": round(ordered[-1], 2),
    }


async def _timed(
    source: LocalVacancySource, searches: list[SearchQuery]
) -> tuple[list[float], int]:
    await search(searches[0], [source])  # warm-up: connection, gazetteer, caches
    timings, empty = [], 0
    for query in searches:
        started = time.perf_counter()
        page = await search(query, [source])
        timings.append((time.perf_counter() - started) * 1000)
        empty += not page.results
    return timings, empty


def run() -> dict[str, Any]:
    """Search latency figures for the demo feed and the 100,000-vacancy feed."""
    searches = queries()
    with tempfile.TemporaryDirectory(prefix="vacancy-bench-") as tmp:
        figures = {
            "demo": measure(DEMO_FEED, Path(tmp), searches),
            "generated_100k": measure(bench_feed(), Path(tmp), searches),
        }
    figures["target_p95_ms"] = TARGET_P95_MS
    figures["meets_target"] = all(
        f["p95_ms"] < TARGET_P95_MS for f in (figures["demo"], figures["generated_100k"])
    )
    return figures


if __name__ == "__main__":
    json.dump(run(), sys.stdout, indent=2)
    print()
