"""``make bench``: every benchmark of the project, written to docs/benchmarks.md.

Nothing here is a test: no figure fails the build. Sections: NLU accuracy (held-out and
development sets), the cross-border conversations, the dialogue panel (the whole assistant
held through multi-turn conversations), REST latency and throughput next to a
``rasa init`` baseline, vacancy search latency, the sync of 100,000 offers from two sources
and the search over them, the job alert round (10,000 alerts over 100,000 offers), booking
throughput, the console's list and live updates, training time and memory, and the
production-mode figures that ``make bench-prod`` last wrote (a run of its own, about ten
minutes).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks import (
    alerts,
    bookings,
    console,
    console_live,
    dialogue_panel,
    faq_dialogues,
    nlu,
    prod,
    rest,
    vacancies,
    vacancy_sync,
)
from bot.config import Settings
from bot.ops.cli import PROJECT_DIR, model_path

REPORT = PROJECT_DIR / "docs" / "benchmarks.md"
# A database of its own on the local PostgreSQL server (created if missing); empty: skipped.
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/bench")


def _postgres_ready(url: str) -> bool:
    """Create the benchmark's PostgreSQL database if needed; False when no server answers."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    if not url:
        return False
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    except OperationalError as error:
        print(f"[bench] no PostgreSQL for the booking benchmark: {error.orig}", flush=True)
        return False
    finally:
        admin.dispose()
    return True


def _header() -> list[str]:
    return [
        "# Benchmarks",
        "",
        f"Measured on {date.today().isoformat()} with `make bench` on {os.cpu_count()} cores "
        f"({platform.machine()}, Python {platform.python_version()}).",
        "Figures change from run to run; ratios to a baseline measured in the same run are the"
        " comparable ones.",
        "",
    ]


def _vacancy_report(figures: dict[str, Any]) -> list[str]:
    lines = [
        "## Vacancy search (SQLite, local store, as the search action calls it)",
        "",
        "| feed | vacancies | p50 ms | p95 ms | max ms | import s |",
        "|---|---|---|---|---|---|",
    ]
    for name in ("demo", "generated_100k"):
        f = figures[name]
        lines.append(
            f"| {name} | {f.get('vacancies', '')} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} |"
            f" {f['max_ms']:.1f} | {f.get('import_s', float('nan')):.1f} |"
        )
    return [*lines, "", f"Target: p95 under {figures['target_p95_ms']:.0f} ms per search.", ""]


def _booking_report(runs: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Bookings (bot.sessions.book, each thread its own connection)",
        "",
        "| database | threads | bookings/s | errors |",
        "|---|---|---|---|",
    ]
    for run in runs:
        for row in run["throughput"]:
            lines.append(
                f"| {run['database']} | {row['threads']} | {row['bookings_per_second']} |"
                f" {row['errors']} |"
            )
    lines.append("")
    for run in runs:
        race = run["race"]
        lines.append(
            f"- {run['database']}: {race['attempts']} concurrent attempts on {race['seats']} seats"
            f" gave {race['confirmed']} confirmed, {race['waitlisted']} waitlisted,"
            f" {race['errors']} errors."
        )
    return [*lines, ""]


def _console_report(figures: dict[str, Any]) -> list[str]:
    return [
        "## Console conversation list",
        "",
        f"{figures.get('conversations', 100_000):,} conversations in SQLite; list pages (filters,"
        " search, paging) through the real application, sign-in and projection refresh"
        f" included: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, max"
        f" {figures['max_ms']} ms (target: p95 under {figures['target_p95_ms']:.0f} ms).",
        "",
    ]


def _production_report() -> list[str]:
    """The last ``make bench-prod`` figures, one heading level down, with where they come from."""
    if not prod.REPORT.exists():
        return ["## Production mode", "", "`make bench-prod` has not been run on this machine.", ""]
    body = prod.REPORT.read_text().splitlines()[1:]  # without its own title
    source = prod.REPORT.relative_to(PROJECT_DIR)
    return [
        f"## Production mode (copied from {source}, written by `make bench-prod`)",
        *(f"#{line}" if line.startswith("## ") else line for line in body),
        "",
    ]


def _training_report(base: dict[str, Any]) -> list[str]:
    stamp = json.loads((PROJECT_DIR / "models" / "fingerprint.json").read_text())
    return [
        "## Training",
        "",
        f"- Last `make train`: {stamp.get('training_seconds', 'n/a')} s (Rasa reuses the"
        " components whose inputs did not change, so this is a cold training only on a"
        f" fresh clone); `rasa init` baseline: {base['training_s']:.0f} s on its sample data.",
        "",
    ]


async def main() -> None:
    model = model_path(Settings.from_env())
    print("[bench] NLU on the held-out and development sets...", flush=True)
    nlu_figures = await nlu.nlu_figures(model)
    # Only the development set's misses are printed: the held-out set is not for tuning.
    for language, intent, got, text in nlu_figures["dev"]["misses"]:
        print(f"  dev miss [{language}] {intent} -> {got}: {text}")
    print("[bench] cross-border conversations...", flush=True)
    faq_figures = await faq_dialogues.run(await faq_dialogues.load_agent(model))
    print("[bench] dialogue panel (the whole assistant)...", flush=True)
    panel_figures = await asyncio.to_thread(dialogue_panel.measure)
    print("[bench] vacancy search...", flush=True)
    vacancy_figures = await asyncio.to_thread(vacancies.run)
    print("[bench] vacancy sync of 100,000 offers from two sources...", flush=True)
    sync_figures = await asyncio.to_thread(vacancy_sync.run)
    print("[bench] job alerts: 10,000 alerts over 100,000 offers...", flush=True)
    alert_figures = await asyncio.to_thread(alerts.run)
    print("[bench] bookings on SQLite and PostgreSQL...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        booking_runs = [await asyncio.to_thread(bookings.run, f"sqlite:///{tmp}/bookings.db")]
    if _postgres_ready(POSTGRES_URL):
        booking_runs.append(await asyncio.to_thread(bookings.run, POSTGRES_URL))
    print("[bench] console conversation list...", flush=True)
    console_figures = await asyncio.to_thread(console.run)
    print("[bench] console live updates with 50 consoles...", flush=True)
    live_figures = await asyncio.to_thread(console_live.run)
    with tempfile.TemporaryDirectory() as tmp:
        print("[bench] REST latency of this assistant...", flush=True)
        ours = await rest.measure_ours(Path(tmp))
        base = await rest.measure_baseline(Path(tmp))
    lines = [
        *_header(),
        *nlu.report(nlu_figures),
        *faq_dialogues.report(faq_figures),
        *dialogue_panel.report(panel_figures),
        *rest.report(ours, base),
        *_vacancy_report(vacancy_figures),
        *vacancy_sync.report(sync_figures),
        *alerts.report(alert_figures),
        *_booking_report(booking_runs),
        *_console_report(console_figures),
        *console_live.report(live_figures),
        *_training_report(base),
        *_production_report(),
    ]
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    asyncio.run(main())
