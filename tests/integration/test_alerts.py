"""Job alerts on the real databases, the local SMTP server and the real web app: double
opt-in, digests of new offers only and at most once a day, one-click unsubscribe,
erasure, retention, the web app's schedule."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot import alerts, privacy
from bot.alerts import digest
from bot.alerts.links import link_key, sign
from bot.alerts.subscriptions import SavedSearch
from bot.config import Settings
from bot.errors import AlertsNeedEmail, InvalidEmail
from bot.mailer import Mailer
from bot.storage import db
from bot.storage import vacancies as vacancy_table
from bot.storage.alerts import job_alerts
from bot.web.app import create_app
from tests.smtp_server import SmtpServer, smtp_server
from tests.vacancy_factories import make_vacancy

PUBLIC_URL = "https://assistant.example.be"
WELDER_KORTRIJK = SavedSearch(occupation_id="welder", place_id="be-kortrijk", radius_km=30.0)
NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc)


def _settings(database_url: str, tmp_path: Path, port: int, **overrides: str) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": database_url,
            "BOT_VAR_DIR": str(tmp_path),
            "BOT_PUBLIC_URL": PUBLIC_URL,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "SMTP_SECURITY": "none",
            "SMTP_FROM": "alertes@assistant.example.be",
            "SMTP_TIMEOUT": "5",
            "ALERT_SEND_INTERVAL": "0",
            **overrides,
        }
    )


def _mailer(settings: Settings) -> Mailer:
    mailer = Mailer.from_settings(settings)
    assert mailer is not None
    return mailer


def _offers(engine: Engine, *vacancies: object) -> None:
    with db.transaction(engine) as conn:
        vacancy_table.store(conn, vacancies, NOW)  # type: ignore[arg-type]


def _subscribe(engine: Engine, settings: Settings, **fields: object) -> alerts.Subscribed:
    values: dict[str, object] = {
        "email": "jan.peeters@telenet.be",
        "language": "nl",
        "search": WELDER_KORTRIJK,
        "sender_id": "conv-jan",
        "now": NOW,
    }
    values.update(fields)
    return alerts.subscribe_and_send(
        engine,
        _mailer(settings),
        PUBLIC_URL,
        link_key(settings),
        **values,  # type: ignore[arg-type]
    )


def _link(body: str, kind: str) -> str:
    match = re.search(rf"{re.escape(PUBLIC_URL)}(/alerts/{kind}/\S+)", body)
    assert match, f"no {kind} link in {body!r}"
    return match.group(1)


def _body(server: SmtpServer, index: int = -1) -> str:
    return str(server.received[index].message.get_body(("plain",)).get_content())


def _row(engine: Engine, alert_id: int) -> dict[str, object]:
    with db.reading(engine) as conn:
        row = conn.execute(select(job_alerts).where(job_alerts.c.id == alert_id)).one()
    return dict(row._mapping)


async def _confirm(engine: Engine, settings: Settings, alert_id: int) -> None:
    from bot.alerts import use_cases

    token = sign(link_key(settings), alert_id, "confirm")
    assert await asyncio.to_thread(use_cases.confirm_token, engine, link_key(settings), token)


def test_without_a_mail_server_no_alert_is_created(engine: Engine, database_url: str) -> None:
    with pytest.raises(AlertsNeedEmail):
        alerts.subscribe_and_send(
            engine, None, PUBLIC_URL, b"k" * 32, email="jan.peeters@telenet.be",
            language="nl", search=WELDER_KORTRIJK,
        )  # fmt: skip
    with db.reading(engine) as conn:
        assert conn.execute(select(job_alerts)).all() == []


def test_an_invalid_address_is_refused(engine: Engine, database_url: str, tmp_path, smtp) -> None:
    settings = _settings(database_url, tmp_path, smtp.port)
    with pytest.raises(InvalidEmail):
        _subscribe(engine, settings, email="jan.peeters@telenet")
    assert smtp.received == []


async def test_subscribing_sends_a_confirmation_link_in_the_candidates_language(
    engine: Engine, database_url: str, tmp_path: Path, smtp: SmtpServer, aiohttp_client
) -> None:
    settings = _settings(database_url, tmp_path, smtp.port)
    result = _subscribe(engine, settings)
    assert result.sent and result.alert.status == "pending"
    assert len(smtp.received) == 1 and smtp.received[0].recipients == ["jan.peeters@telenet.be"]
    message = smtp.received[0].message
    assert message["Subject"] == "Bevestig je vacaturemelding"
    assert message["Content-Language"] == "nl"
    body = _body(smtp)
    assert "Lasser / Lasster binnen 30 km van Kortrijk" in body
    confirm = _link(body, "confirm")
    client: TestClient = await aiohttp_client(create_app(settings))
    # Opening the link (a mail scanner does) only shows the button.
    page = await client.get(confirm)
    assert page.status == 200 and "Melding bevestigen" in await page.text()
    assert _row(engine, result.alert.id)["status"] == "pending"
    done = await client.post(confirm)
    assert done.status == 200 and "Vacaturemelding bevestigd" in await done.text()
    row = _row(engine, result.alert.id)
    assert row["status"] == "confirmed" and row["confirmed_at"] is not None
    # A second click changes nothing; a forged link is refused.
    again = await client.post(confirm)
    assert (
        again.status == 200 and _row(engine, result.alert.id)["confirmed_at"] == row["confirmed_at"]
    )
    forged = confirm[:-3] + ("AAA" if not confirm.endswith("AAA") else "BBB")
    assert (await client.post(forged)).status == 404
    other = f"/alerts/confirm/{result.alert.id}.unsubscribe.{confirm.rsplit('.', 1)[1]}"
    assert (await client.post(other)).status == 404
    # The same search for the same address is the same alert: no second e-mail.
    assert _subscribe(engine, settings).already_confirmed
    assert len(smtp.received) == 1


async def test_a_digest_has_only_the_new_matching_offers_at_most_once_a_day(
    engine: Engine, database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    settings = _settings(database_url, tmp_path, smtp.port)
    _offers(engine, make_vacancy(title="Lasser oud"))  # before the alert: never sent
    alert = _subscribe(engine, settings).alert
    await _confirm(engine, settings, alert.id)
    _offers(
        engine,
        make_vacancy(title="Lasser TIG nieuw", url="https://www.vdab.be/vacatures/1"),
        make_vacancy(title="Kok nieuw", occupation_id="cook"),  # another occupation
        make_vacancy(title="Lasser Luik", place_id="be-liege"),  # too far
        make_vacancy(title="Lasser interim", contract_type="temp_agency"),
    )
    mailer, key = _mailer(settings), link_key(settings)
    smtp.received.clear()
    report = digest.send_digests(engine, mailer, PUBLIC_URL, key, now=NOW)
    assert (report.due, report.sent, report.offers) == (1, 1, 2)
    message = smtp.received[0].message
    assert message["Subject"] == "2 nieuwe vacatures: Lasser / Lasster binnen 30 km van Kortrijk"
    unsubscribe = f"{PUBLIC_URL}/alerts/unsubscribe/{sign(key, alert.id, 'unsubscribe')}"
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = _body(smtp)
    assert "Lasser TIG nieuw" in body and "Lasser interim" in body
    assert "Lasser oud" not in body and "Kok" not in body and "Luik" not in body
    assert unsubscribe in body and "https://www.vdab.be" not in body  # links go through the site
    # The same day: nothing, even with a new offer.
    _offers(engine, make_vacancy(title="Lasser MIG later"))
    assert (
        digest.send_digests(engine, mailer, PUBLIC_URL, key, now=NOW + dt.timedelta(hours=23)).due
        == 0
    )
    assert len(smtp.received) == 1
    # A day later: only the offer added since.
    report = digest.send_digests(engine, mailer, PUBLIC_URL, key, now=NOW + dt.timedelta(days=1))
    assert (report.sent, report.offers) == (1, 1)
    assert "Lasser MIG later" in _body(smtp) and "Lasser TIG nieuw" not in _body(smtp)
    assert (
        smtp.received[-1].message["Subject"]
        == "1 nieuwe vacature: Lasser / Lasster binnen 30 km van Kortrijk"
    )
    # Nothing new two days later: no e-mail.
    report = digest.send_digests(engine, mailer, PUBLIC_URL, key, now=NOW + dt.timedelta(days=3))
    assert (report.due, report.sent) == (1, 0) and len(smtp.received) == 2


async def test_an_alert_keeps_every_occupation_and_the_country_the_search_named(
    engine: Engine, database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    """ "lasser of kok rond Kortrijk, alleen in België": both occupations, not Halluin (11 km
    away, in France)."""
    settings = _settings(database_url, tmp_path, smtp.port)
    search = SavedSearch(
        "welder", "be-kortrijk", 30.0, other_occupation_ids=("cook",), area="country:BE"
    )
    alert = _subscribe(engine, settings, search=search).alert
    assert alert.search == search  # stored and read back whole
    await _confirm(engine, settings, alert.id)
    _offers(
        engine,
        make_vacancy(title="Lasser Kortrijk"),
        make_vacancy(title="Kok Kortrijk", occupation_id="cook"),
        make_vacancy(title="Soudeur Halluin", place_id="fr-halluin", language="fr"),
        make_vacancy(title="Verpleegkundige Kortrijk", occupation_id="nurse"),
    )
    smtp.received.clear()
    report = digest.send_digests(engine, _mailer(settings), PUBLIC_URL, link_key(settings), now=NOW)
    assert (report.sent, report.offers) == (1, 2)
    assert smtp.received[0].message["Subject"] == (
        "2 nieuwe vacatures: Lasser / Lasster of Kok binnen 30 km van Kortrijk, in België"
    )
    body = _body(smtp)
    assert "Lasser Kortrijk" in body and "Kok Kortrijk" in body
    assert "Halluin" not in body and "Verpleegkundige" not in body
    # The same search is one alert, a search without the country another.
    assert _subscribe(engine, settings, search=search).alert.id == alert.id
    wider = replace(search, area=None)
    assert _subscribe(engine, settings, search=wider).alert.id != alert.id


async def test_a_digest_that_fails_is_sent_at_the_next_round(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with smtp_server() as server:
        settings = _settings(database_url, tmp_path, server.port)
        alert = _subscribe(engine, settings).alert
        await _confirm(engine, settings, alert.id)
    _offers(engine, make_vacancy(title="Lasser"))
    with smtp_server(refuse=True) as refusing:
        refused = _settings(database_url, tmp_path, refusing.port)
        report = digest.send_digests(
            engine, _mailer(refused), PUBLIC_URL, link_key(settings), now=NOW
        )
    assert (report.sent, report.failed) == (0, 1)
    with smtp_server() as server:
        settings = _settings(database_url, tmp_path, server.port)
        report = digest.send_digests(
            engine, _mailer(settings), PUBLIC_URL, link_key(settings), now=NOW
        )
        assert report.sent == 1 and "Lasser" in _body(server)


async def test_unsubscribing_in_one_click_ends_the_alert_and_forgets_the_address(
    engine: Engine, database_url: str, tmp_path: Path, smtp: SmtpServer, aiohttp_client
) -> None:
    settings = _settings(database_url, tmp_path, smtp.port)
    alert = _subscribe(engine, settings, language="fr", email="marie.dubois@orange.fr").alert
    await _confirm(engine, settings, alert.id)
    _offers(engine, make_vacancy(title="Soudeur", language="fr"))
    digest.send_digests(engine, _mailer(settings), PUBLIC_URL, link_key(settings), now=NOW)
    header = smtp.received[-1].message["List-Unsubscribe"].strip("<>")
    client: TestClient = await aiohttp_client(create_app(settings))
    page = await client.get(header.removeprefix(PUBLIC_URL))
    assert page.status == 200 and str(escape("Arrêter l'alerte")) in await page.text()
    # What a mail program sends for List-Unsubscribe-Post (RFC 8058).
    done = await client.post(
        header.removeprefix(PUBLIC_URL), data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert done.status == 200 and str(escape("Alerte emploi arrêtée")) in await done.text()
    row = _row(engine, alert.id)
    assert row["status"] == "unsubscribed" and row["email"] is None and row["sender_id"] is None
    _offers(engine, make_vacancy(title="Soudeur 2", language="fr"))
    report = digest.send_digests(
        engine, _mailer(settings), PUBLIC_URL, link_key(settings), now=NOW + dt.timedelta(days=2)
    )
    assert report.due == 0


async def test_an_offer_link_leads_to_the_offer_and_keeps_the_alert_alive(
    engine: Engine, database_url: str, tmp_path: Path, smtp: SmtpServer, aiohttp_client
) -> None:
    settings = _settings(database_url, tmp_path, smtp.port)
    alert = _subscribe(engine, settings).alert
    await _confirm(engine, settings, alert.id)
    _offers(engine, make_vacancy(url="https://www.vdab.be/vacatures/42"))
    digest.send_digests(engine, _mailer(settings), PUBLIC_URL, link_key(settings), now=NOW)
    link = re.search(rf"{re.escape(PUBLIC_URL)}(/alerts/offer/\S+)", _body(smtp))
    assert link
    before = _row(engine, alert.id)["last_opened_at"]
    client: TestClient = await aiohttp_client(create_app(settings))
    answer = await client.get(link.group(1), allow_redirects=False)
    assert answer.status == 302 and answer.headers["Location"] == "https://www.vdab.be/vacatures/42"
    assert _row(engine, alert.id)["last_opened_at"] != before
    assert (await client.get(link.group(1) + "9", allow_redirects=False)).status == 404


async def test_the_candidates_alerts_are_exported_and_erased_by_address(
    engine: Engine, database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    settings = _settings(database_url, tmp_path, smtp.port)
    mine = _subscribe(engine, settings).alert
    other = _subscribe(engine, settings, email="els.claes@telenet.be", sender_id="conv-els").alert
    query = privacy.CandidateQuery.of(email="Jan.Peeters@telenet.be")
    with db.reading(engine) as conn:
        document = privacy.export(conn, privacy.find(conn, query))
    assert [a["id"] for a in document["job_alerts"]] == [mine.id]
    assert document["job_alerts"][0]["search"]["occupation_id"] == "welder"
    report = privacy.erase_and_notify(engine, None, PUBLIC_URL, query, actor="test")
    assert report.counts["job_alerts"] == 1
    assert _row(engine, mine.id)["email"] is None and _row(engine, mine.id)["status"] == "erased"
    assert _row(engine, other.id)["email"] == "els.claes@telenet.be"


async def test_retention_ends_unconfirmed_and_unused_alerts(
    engine: Engine, database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    settings = _settings(database_url, tmp_path, smtp.port)
    unconfirmed = _subscribe(engine, settings, now=NOW - dt.timedelta(days=8)).alert
    fresh = _subscribe(
        engine, settings, email="els.claes@telenet.be", now=NOW - dt.timedelta(days=6)
    ).alert
    unused = _subscribe(engine, settings, email="piet.jans@skynet.be").alert
    await _confirm(engine, settings, unused.id)
    with db.transaction(engine) as conn:
        privacy.purge(conn, 30, "test", now=NOW.timestamp(), records_days=90, alert_idle_days=60)
    assert _row(engine, unconfirmed.id)["status"] == "expired"
    assert _row(engine, unconfirmed.id)["email"] is None
    assert _row(engine, fresh.id)["status"] == "pending"
    assert _row(engine, unused.id)["status"] == "confirmed"
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=61)).timestamp()
    with db.transaction(engine) as conn:
        privacy.purge(conn, 30, "test", now=later, records_days=90, alert_idle_days=60)
    assert _row(engine, unused.id)["status"] == "expired"


async def test_the_running_web_app_sends_the_digests_on_its_schedule(
    engine: Engine, database_url: str, tmp_path: Path, smtp: SmtpServer, aiohttp_client
) -> None:
    settings = _settings(database_url, tmp_path, smtp.port, ALERT_SEND_INTERVAL="0.01")
    alert = _subscribe(engine, settings).alert
    await _confirm(engine, settings, alert.id)
    _offers(engine, make_vacancy(title="Lasser van het schema"))
    smtp.received.clear()
    await aiohttp_client(create_app(settings))
    for _ in range(200):
        if smtp.received:
            break
        await asyncio.sleep(0.05)
    assert smtp.received and "Lasser van het schema" in _body(smtp)
    await asyncio.sleep(1.0)  # several rounds later: still one e-mail (once a day)
    assert len(smtp.received) == 1


async def test_the_console_counts_alerts_created_confirmed_and_unsubscribed(
    engine: Engine, database_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    from bot.alerts import subscriptions
    from bot.console import analytics

    settings = _settings(database_url, tmp_path, smtp.port)
    today = dt.datetime.now(dt.timezone.utc)
    first = _subscribe(engine, settings, now=today).alert
    second = _subscribe(engine, settings, email="els.claes@telenet.be", now=today).alert
    _subscribe(engine, settings, email="piet.jans@skynet.be", now=today - dt.timedelta(days=40))
    await _confirm(engine, settings, first.id)
    await _confirm(engine, settings, second.id)
    with db.transaction(engine) as conn:
        subscriptions.unsubscribe(conn, second.id)
    # The console's days are Brussels days (near midnight UTC, not the same date).
    local_today = today.astimezone(ZoneInfo("Europe/Brussels")).date()
    period = analytics.Period(local_today - dt.timedelta(days=6), local_today)
    with db.reading(engine) as conn:
        counted = analytics.compute(conn, period).alerts
    assert (counted.created, counted.confirmed, counted.unsubscribed) == (2, 2, 1)


async def test_the_send_alerts_command_sends_the_due_digests(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    smtp: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.ops import manage

    settings = _settings(database_url, tmp_path, smtp.port)
    alert = _subscribe(engine, settings).alert
    await _confirm(engine, settings, alert.id)
    _offers(engine, make_vacancy(title="Lasser van de opdracht"))
    smtp.received.clear()
    env = {"DATABASE_URL": database_url, "BOT_VAR_DIR": str(tmp_path), "SMTP_HOST": "127.0.0.1",
           "SMTP_PORT": str(smtp.port), "SMTP_SECURITY": "none",
           "SMTP_FROM": "alertes@assistant.example.be"}  # fmt: skip
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert manage.main(["send-alerts"]) == 0
    assert "1 e-mails sent (1 offers)" in capsys.readouterr().out
    assert len(smtp.received) == 1 and "Lasser van de opdracht" in _body(smtp)
    monkeypatch.delenv("SMTP_HOST")
    assert manage.main(["send-alerts"]) == 2  # no mail server: nothing to send with
