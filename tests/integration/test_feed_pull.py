"""Importing a feed pulled from a URL: a local aiohttp server plays the partner's feed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web

from bot.errors import SourceUnavailable
from bot.ops import manage
from bot.storage import db
from bot.storage import vacancies as table
from bot.vacancies.pull import fetch_feed

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
LARGE = "id,title\n" + "".join(f"{n},Offre {n}\n" for n in range(300_000))  # about 5 MB


@pytest.fixture
async def feed_server(aiohttp_server):
    failures = {"count": 0}

    async def positions(request: web.Request) -> web.Response:
        return web.Response(
            text=(FEEDS / "positions.xml").read_text(), content_type="application/xml"
        )

    async def postings(request: web.Request) -> web.Response:
        return web.Response(
            text=(FEEDS / "jobpostings.jsonld").read_text(), content_type="application/ld+json"
        )

    async def flaky(request: web.Request) -> web.Response:
        failures["count"] += 1
        if failures["count"] < 3:
            return web.Response(status=503)
        return await positions(request)

    app = web.Application()
    app.router.add_get("/feeds/positions", positions)
    app.router.add_get("/feeds/postings", postings)
    app.router.add_get("/feeds/flaky", flaky)
    app.router.add_get("/feeds/gone", lambda r: web.Response(status=404))
    app.router.add_get("/feeds/large", lambda r: web.Response(text=LARGE, content_type="text/csv"))
    server = await aiohttp_server(app)
    server.failures = failures
    return server


async def test_import_command_pulls_a_json_ld_feed_from_a_url(
    feed_server, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    url = str(feed_server.make_url("/feeds/postings"))
    status = await asyncio.to_thread(manage.main, ["import-vacancies", url, "--source", "board-x"])
    out = capsys.readouterr().out
    assert status == 1  # two postings rejected, reported with their reason
    assert "2 inserted" in out and "2 skipped" in out and "unknown place 'Atlantis'" in out
    engine = db.make_engine(database_url)
    with db.reading(engine) as connection:
        assert table.count(connection, "board-x") == 2
    engine.dispose()


async def test_a_feed_pull_retries_server_errors_and_reads_the_format_of_the_answer(
    feed_server,
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    content, suffix = await fetch_feed(
        str(feed_server.make_url("/feeds/flaky")), "partner", backoff_s=0.1, sleep=sleep
    )
    assert suffix == ".xml" and "PositionOpening" in content
    assert waits == [0.1, 0.2] and feed_server.failures["count"] == 3


async def test_a_missing_feed_is_reported_at_once(feed_server) -> None:
    with pytest.raises(SourceUnavailable, match="HTTP 404"):
        await fetch_feed(str(feed_server.make_url("/feeds/gone")), "partner")


async def test_a_large_feed_is_read_whole_and_one_too_large_is_refused(feed_server) -> None:
    url = str(feed_server.make_url("/feeds/large"))
    content, suffix = await fetch_feed(url, "partner")
    assert (content, suffix) == (LARGE, ".csv")
    with pytest.raises(SourceUnavailable, match="feed larger than 1000000 bytes"):
        await fetch_feed(url, "partner", max_bytes=1_000_000)
