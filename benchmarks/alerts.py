"""The job alert round: 10,000 confirmed alerts over 100,000 new offers (SQLite).

``run()`` imports the generated benchmark feed (:func:`benchmarks.vacancies.bench_feed`)
into a fresh database, stores 10,000 confirmed alerts (a border town and an occupation of
the gazetteer, 30 km, a contract type for one in ten) whose cursors are before every offer
(the worst case: all 100,000 are new for every alert), and times one
:func:`bot.alerts.digest.send_digests` round, every digest delivered to the local SMTP
test server (one connection per message, as in production).

Target: under 60 s.

    .venv/bin/python -m benchmarks.alerts       # prints the figures as JSON
"""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.vacancies import _BORDER, bench_feed
from bot import gazetteer
from bot.alerts.digest import send_digests
from bot.config import SmtpSettings
from bot.mailer import Mailer
from bot.storage import db, migrate
from bot.storage.alerts import job_alerts
from bot.vacancies.importer import import_feed
from tests.smtp_server import smtp_server

ALERTS = 10_000
SEED = 11
TARGET_S = 60.0


def _alerts(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    border = [p.id for p in gazetteer.places() if p.subdivision in _BORDER]
    jobs = [o.id for o in gazetteer.occupations()]
    now = dt.datetime.now(dt.timezone.utc)
    return [
        {
            "status": "confirmed",
            "email": f"candidat{n}@alerts-bench.be",
            "language": rng.choice(["fr", "nl"]),
            "occupation_id": rng.choice(jobs),
            "place_id": rng.choice(border),
            "radius_km": 30.0,
            "contract_types": "permanent" if rng.random() < 0.1 else "",
            "consented_at": now - dt.timedelta(days=2),
            "confirmed_at": now - dt.timedelta(days=2),
            "last_vacancy_id": 0,
        }
        for n in range(count)
    ]


def measure(workdir: Path, alerts: int = ALERTS) -> dict[str, Any]:
    url = f"sqlite:///{workdir / 'alerts.db'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    imported = import_feed(engine, bench_feed())
    with db.transaction(engine) as conn:
        conn.execute(job_alerts.insert(), _alerts(alerts, SEED))
    with smtp_server() as server:
        mailer = Mailer(SmtpSettings(host="127.0.0.1", sender="alertes@bench.be",
                                     port=server.port, security="none"))  # fmt: skip
        started = time.perf_counter()
        report = send_digests(engine, mailer, "https://assistant.example.be", b"k" * 32)
        seconds = time.perf_counter() - started
        received = len(server.received)
        again_started = time.perf_counter()
        again = send_digests(engine, mailer, "https://assistant.example.be", b"k" * 32)
        again_s = time.perf_counter() - again_started
    engine.dispose()
    return {
        "offers": imported.inserted,
        "alerts": alerts,
        "due": report.due,
        "sent": report.sent,
        "received_by_smtp": received,
        "offers_in_digests": report.offers,
        "failed": report.failed,
        "seconds": round(seconds, 1),
        "second_round_due": again.due,
        "second_round_s": round(again_s, 2),
        "target_s": TARGET_S,
    }


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        return measure(Path(tmp))


def report(figures: dict[str, Any]) -> list[str]:
    return [
        "## Job alerts (10,000 confirmed alerts over 100,000 new offers, SQLite)",
        "",
        f"One round: {figures['due']:,} alerts due, {figures['sent']:,} digests sent to the local"
        f" SMTP test server ({figures['offers_in_digests']:,} offers, {figures['failed']} not"
        f" sent) in {figures['seconds']} s (target: under {figures['target_s']:.0f} s). The"
        f" round right after finds {figures['second_round_due']} alerts due (once a day) in"
        f" {figures['second_round_s']} s.",
        "",
    ]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
