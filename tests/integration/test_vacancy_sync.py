"""Synchronising sources into SQLite and PostgreSQL: adds, updates, removes, one transaction per
source, a report; local aiohttp servers play a partner's feed and France Travail."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy.engine import Engine

from bot.config import FranceTravailSettings, Secret
from bot.ops import manage
from bot.storage import db
from bot.storage import vacancies as table
from bot.vacancies.sources.france_travail import FranceTravailSource
from bot.vacancies.sync import FeedSync, FranceTravailSync, run_scheduled, sync
from tests.vacancy_factories import TODAY, feed_row, make_vacancy


class PartnerFeed:
    """A partner's feed in the project's JSON format; tests change ``rows`` between syncs."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.status = 200

    async def handle(self, request: web.Request) -> web.Response:
        if self.status != 200:
            return web.Response(status=self.status)
        return web.json_response({"vacancies": self.rows})


@pytest.fixture
async def partner(aiohttp_server) -> tuple[PartnerFeed, str]:
    feed = PartnerFeed()
    app = web.Application()
    app.router.add_get("/feed.json", feed.handle)
    server = await aiohttp_server(app)
    return feed, str(server.make_url("/feed.json"))


def _ids(engine: Engine, source: str) -> dict[str, str]:
    with db.reading(engine) as connection:
        rows = connection.execute(
            table.vacancies.select().where(table.vacancies.c.source == source)
        )
        return {row.source_id: row.title for row in rows}


async def test_a_sync_adds_updates_and_removes_the_offers_no_longer_published(
    engine: Engine, partner: tuple[PartnerFeed, str]
) -> None:
    feed, url = partner
    with db.transaction(engine) as connection:  # another source's offer is left alone
        table.store(connection, [make_vacancy(source="other")], datetime.now(timezone.utc))
    feed.rows = [feed_row(id="a"), feed_row(id="b"), feed_row(id="c")]
    first = await sync(engine, FeedSync("partner", url), today=TODAY)
    assert (first.ok, first.added, first.removed) == (True, 3, 0)

    feed.rows = [
        feed_row(id="a"),
        feed_row(id="b", title="Lasser TIG (m/v/x)"),
        feed_row(id="d"),
        feed_row(id="bad", place="Atlantis"),
    ]
    second = await sync(engine, FeedSync("partner", url), today=TODAY)
    assert (second.added, second.updated, second.unchanged, second.removed) == (1, 1, 1, 1)
    assert [reason for _where, reason in second.rejected] == [
        "unknown place 'Atlantis' (not in the gazetteer; give town, lat, lon, country)"
    ]
    assert _ids(engine, "partner") == {
        "a": "Lasser (m/v/x)",
        "b": "Lasser TIG (m/v/x)",
        "d": "Lasser (m/v/x)",
    }
    assert len(_ids(engine, "other")) == 1
    with db.reading(engine) as connection:
        last = table.last_syncs(connection)["partner"]
    assert (last["ok"], last["added"], last["updated"], last["removed"], last["rejected"]) == (
        True,
        1,
        1,
        1,
        1,
    )


async def test_a_failed_fetch_changes_nothing_and_is_recorded(
    engine: Engine, partner: tuple[PartnerFeed, str]
) -> None:
    feed, url = partner
    feed.rows = [feed_row(id="a")]
    await sync(engine, FeedSync("partner", url), today=TODAY)
    feed.status = 404
    report = await sync(engine, FeedSync("partner", url), today=TODAY)
    assert (report.ok, report.error) == (False, "HTTP 404")
    assert list(_ids(engine, "partner")) == ["a"]
    with db.reading(engine) as connection:
        assert not table.last_syncs(connection)["partner"]["ok"]


class FakeFranceTravail:
    """A search whose offers per ROME code are ``counts``; ranges and totals as documented."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.asked: list[str] = []
        self.params: list[dict[str, str]] = []

    async def token(self, request: web.Request) -> web.Response:
        return web.json_response({"access_token": "t", "expires_in": 1499})

    async def search(self, request: web.Request) -> web.Response:
        codes = request.query["codeROME"].split(",")
        self.asked.append(request.query["codeROME"])
        self.params.append(dict(request.query))
        offers = [(code, n) for code in codes for n in range(self.counts.get(code, 0))]
        first, last = (int(n) for n in request.query["range"].split("-"))
        if first >= len(offers):
            return web.Response(status=204)
        page = offers[first : last + 1]
        headers = {"Content-Range": f"offres {first}-{first + len(page) - 1}/{len(offers)}"}
        status = 200 if len(page) == len(offers) else 206
        body = {"resultats": [_offer(code, n) for code, n in page]}
        return web.json_response(body, status=status, headers=headers)


def _offer(code: str, number: int) -> dict[str, Any]:
    return {
        "id": f"{code}-{number}",
        "intitule": "Offre (fictif)",
        "dateCreation": "2026-11-20T08:00:00Z",
        "lieuTravail": {"libelle": "59 - LILLE", "commune": "59350"},
        "romeCode": code,
        "entreprise": {"nom": "Employeur (fictif)"},
        "typeContrat": "CDI",
    }


@pytest.fixture
async def france_travail(aiohttp_server):
    fake = FakeFranceTravail({"D1102": 5, "H2913": 2000, "N1101": 2000})
    app = web.Application()
    app.router.add_post("/token", fake.token)
    app.router.add_get("/partenaire/offresdemploi/v2/offres/search", fake.search)
    server = await aiohttp_server(app)
    settings = FranceTravailSettings(
        client_id="id",
        client_secret=Secret("secret"),
        token_url=str(server.make_url("/token")),
        api_url=str(server.make_url("/partenaire")),
    )
    source = FranceTravailSource(settings)
    yield fake, source
    await source.close()


async def test_france_travail_sync_splits_a_search_the_api_cannot_show_whole(
    engine: Engine, france_travail
) -> None:
    fake, source = france_travail
    syncer = FranceTravailSync(source, departments=("59",), rome_codes=("D1102", "H2913", "N1101"))
    report = await sync(engine, syncer, today=TODAY)
    assert (report.ok, report.complete, report.added) == (True, True, 4005)
    assert list(dict.fromkeys(fake.asked)) == [
        "D1102,H2913,N1101",  # 4005 offers: more than the 3150 the API shows
        "D1102",
        "H2913,N1101",  # 4000: split again
        "H2913",
        "N1101",
    ]
    fake.counts["N1101"] = 1999  # one offer withdrawn
    again = await sync(engine, syncer, today=TODAY)
    assert (again.added, again.updated, again.removed) == (0, 0, 1)
    assert "N1101-1999" not in _ids(engine, "francetravail")


async def test_an_incremental_france_travail_sync_adds_and_removes_nothing(
    engine: Engine, france_travail
) -> None:
    fake, source = france_travail
    full = FranceTravailSync(source, departments=("59",), rome_codes=("D1102",))
    assert (await sync(engine, full, today=TODAY)).added == 5
    fake.counts["D1102"] = 3  # two withdrawn, but only the last day's offers are asked
    fake.params.clear()
    report = await sync(engine, full.incremental(1), today=TODAY)
    assert (report.complete, report.removed, report.unchanged) == (False, 0, 3)
    assert {p["publieeDepuis"] for p in fake.params} == {"1"}
    assert len(_ids(engine, "francetravail")) == 5
    with pytest.raises(ValueError, match="published_within_days"):
        full.incremental(2)


async def test_an_incomplete_france_travail_snapshot_removes_nothing(
    engine: Engine, france_travail
) -> None:
    fake, source = france_travail
    syncer = FranceTravailSync(source, departments=("59",), rome_codes=("H2913",))
    fake.counts["H2913"] = 3300
    assert (await sync(engine, syncer, today=TODAY)).added == 3150
    fake.counts["H2913"] = 3200
    report = await sync(engine, syncer, today=TODAY)
    assert (report.complete, report.removed) == (False, 0)
    assert "incomplete snapshot: nothing removed" in report.summary()


async def test_the_sync_command_prints_the_report(
    database_url: str, partner: tuple[PartnerFeed, str], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    feed, url = partner
    feed.rows = [feed_row(id="a"), feed_row(id="ko", contract_type="forever")]
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("VACANCY_FEEDS", f"partner={url}")
    status = await asyncio.to_thread(manage.main, ["sync-vacancies", "--source", "partner"])
    out = capsys.readouterr().out
    assert status == 0
    assert "source 'partner': 1 added, 0 updated, 0 unchanged, 0 removed, 1 rejected" in out
    assert "partner: 1: rejected: unknown contract_type 'forever'" in out  # one-line JSON
    assert await asyncio.to_thread(manage.main, ["sync-vacancies", "--source", "nope"]) == 2


async def test_the_scheduled_sync_runs_in_the_background_until_stopped(
    engine: Engine, partner: tuple[PartnerFeed, str]
) -> None:
    feed, url = partner
    feed.rows = [feed_row(id="a")]
    stop = asyncio.Event()
    task = asyncio.create_task(run_scheduled(engine, [FeedSync("partner", url)], 3600, stop))
    for _ in range(500):  # waits for the condition, at most 10 s
        if _ids(engine, "partner"):
            break
        await asyncio.sleep(0.02)
    assert list(_ids(engine, "partner")) == ["a"]
    stop.set()
    await asyncio.wait_for(task, timeout=5)  # the task ends on its own once stopped
    assert task.done() and task.exception() is None


class BrokenSource:
    name = "broken"

    async def snapshot(self, today: object) -> object:
        raise RuntimeError("a bug in a source")


async def test_a_source_that_breaks_does_not_stop_the_scheduled_sync_of_the_others(
    engine: Engine, partner: tuple[PartnerFeed, str]
) -> None:
    feed, url = partner
    feed.rows = [feed_row(id="a")]
    stop = asyncio.Event()
    sources = [BrokenSource(), FeedSync("partner", url)]
    task = asyncio.create_task(run_scheduled(engine, sources, 3600, stop))  # type: ignore[list-item]
    for _ in range(500):
        if _ids(engine, "partner"):
            break
        await asyncio.sleep(0.02)
    assert list(_ids(engine, "partner")) == ["a"] and not task.done()
    stop.set()
    await asyncio.wait_for(task, timeout=5)
