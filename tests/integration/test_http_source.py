"""The HTTP vacancy source against a real local aiohttp server playing a vacancy API."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from aiohttp import web

from bot.config import Secret, VacancyApiSettings
from bot.errors import SourceUnavailable
from bot.vacancies.model import SearchQuery
from bot.vacancies.search import search
from bot.vacancies.sources.http import HttpVacancySource
from tests.vacancy_factories import TODAY, ListSource, feed_row, make_vacancy

TOKEN = "s3cret-token"
QUERY = SearchQuery(occupation_ids=("welder",), place_id="be-kortrijk", today=TODAY)


@dataclass
class FakeApi:
    """Answers with the next scripted behaviour (the last one repeats)."""

    script: list[tuple[str, Any]] = field(default_factory=list)
    requests: list[web.Request] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        self.peers.append(
            request.transport.get_extra_info("peername") if request.transport else None
        )
        kind, value = self.script[min(len(self.requests), len(self.script)) - 1]
        if kind == "slow":
            await asyncio.sleep(value)
            return web.json_response({"vacancies": []})
        if kind == "status":
            return web.Response(status=value, text="oops")
        if kind == "body":
            return web.Response(text=value, content_type="application/json")
        return web.json_response(value)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _answer(*rows: dict[str, Any]) -> tuple[str, Any]:
    return ("json", {"vacancies": list(rows)})


@pytest.fixture
def api() -> FakeApi:
    return FakeApi()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def source(aiohttp_server, api: FakeApi, clock: FakeClock):
    app = web.Application()
    app.router.add_get("/vacancies", api.handle)
    server = await aiohttp_server(app)
    settings = VacancyApiSettings(
        url=str(server.make_url("/vacancies")),
        token=Secret(TOKEN),
        name="test-api",
        timeout_s=0.3,
        retries=2,
        backoff_s=0.01,
        breaker_failures=3,
        breaker_cooldown_s=30,
        cache_ttl_s=60,
    )
    http = HttpVacancySource(settings, clock=clock)
    yield http
    await http.close()


async def test_answer_becomes_vacancies_and_the_query_is_sent(source, api) -> None:
    api.script = [_answer(feed_row(id="x1", place="Kortrijk", occupation="7212"))]
    (found,) = await source.search(QUERY)
    assert (found.source, found.source_id, found.place_id, found.occupation_id) == (
        "test-api",
        "x1",
        "be-kortrijk",
        "welder",
    )
    request = api.requests[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.query["occupation"] == "welder" and request.query["isco"] == "7212"
    assert (request.query["lat"], request.query["lon"]) == ("50.828", "3.265")
    assert request.query["radius_km"] == "30" and request.query["limit"] == "20"


async def test_one_session_is_reused_for_every_request(source, api, clock) -> None:
    api.script = [_answer()]
    await source.search(QUERY)
    clock.now += 3600  # past the cache
    await source.search(QUERY)
    assert len(api.requests) == 2 and api.peers[0] == api.peers[1]  # same connection


async def test_slow_answer_times_out_after_the_retries(source, api, caplog) -> None:
    api.script = [("slow", 2.0)]
    with caplog.at_level(logging.INFO), pytest.raises(SourceUnavailable) as raised:
        await source.search(QUERY)
    assert raised.value.source == "test-api" and "no answer within 0.3s" in raised.value.reason
    assert isinstance(raised.value.__cause__.__cause__, asyncio.TimeoutError)
    # The first attempt and two retries. Counted on the client's side: the fake API shares
    # the test's event loop, and an attempt the client abandons after 0.3 s may never have
    # reached its handler (seen once in CI: the server counted 2 of the 3 attempts).
    assert caplog.text.count("retrying in") == 2
    assert 2 <= len(api.requests) <= 3
    assert TOKEN not in caplog.text and "be-kortrijk" not in caplog.text


async def test_server_errors_are_retried_until_the_api_answers(source, api) -> None:
    api.script = [("status", 500), ("status", 503), _answer(feed_row(id="ok"))]
    found = await source.search(QUERY)
    assert [v.source_id for v in found] == ["ok"] and len(api.requests) == 3


async def test_malformed_json_is_a_clear_error_and_not_retried(source, api) -> None:
    api.script = [("body", '{"vacancies": [ {"id": ')]
    with pytest.raises(SourceUnavailable, match="malformed JSON"):
        await source.search(QUERY)
    assert len(api.requests) == 1


async def test_wrong_schema_is_a_clear_error(source, api) -> None:
    api.script = [("json", {"results": []})]
    with pytest.raises(SourceUnavailable, match="wrong schema: expected an object"):
        await source.search(QUERY)


async def test_rows_that_do_not_fit_are_skipped_unless_none_fits(source, api, clock) -> None:
    api.script = [_answer(feed_row(id="good"), {"id": "bad", "title": 3})]
    assert [v.source_id for v in await source.search(QUERY)] == ["good"]
    api.script = [_answer({"id": "bad"})]
    clock.now += 3600
    with pytest.raises(SourceUnavailable, match="wrong schema: no usable vacancy"):
        await source.search(QUERY)


async def test_client_error_is_not_retried(source, api) -> None:
    api.script = [("status", 401)]
    with pytest.raises(SourceUnavailable, match="HTTP 401"):
        await source.search(QUERY)
    assert len(api.requests) == 1


async def test_repeated_failures_open_the_circuit_which_recovers_after_the_cooldown(
    source, api, clock
) -> None:
    api.script = [("status", 500)]
    for _ in range(3):
        with pytest.raises(SourceUnavailable, match="HTTP 500"):
            await source.search(QUERY)
    assert source.breaker_state == "open"
    calls = len(api.requests)
    with pytest.raises(SourceUnavailable, match="circuit open"):
        await source.search(QUERY)
    assert len(api.requests) == calls  # refused without calling the API

    clock.now += 31  # cool-down over: one trial search goes out
    api.script = [_answer(feed_row(id="back"))]
    api.requests.clear()
    assert [v.source_id for v in await source.search(QUERY)] == ["back"]
    assert source.breaker_state == "closed"


async def test_failed_trial_opens_the_circuit_again(source, api, clock) -> None:
    api.script = [("status", 500)]
    for _ in range(3):
        with pytest.raises(SourceUnavailable):
            await source.search(QUERY)
    clock.now += 31
    with pytest.raises(SourceUnavailable, match="HTTP 500"):
        await source.search(QUERY)  # the trial
    assert source.breaker_state == "open"
    with pytest.raises(SourceUnavailable, match="circuit open"):
        await source.search(QUERY)


async def test_recent_queries_come_from_the_cache(source, api, clock) -> None:
    api.script = [_answer(feed_row(id="cached"))]
    await source.search(QUERY)
    await source.search(QUERY)
    await source.search(replace(QUERY, offset=3))  # "show more"
    assert len(api.requests) == 1
    clock.now += 61
    await source.search(QUERY)
    assert len(api.requests) == 2
    other = SearchQuery(occupation_ids=("cook",), place_id="be-kortrijk", today=TODAY)
    await source.search(other)
    assert len(api.requests) == 3


async def test_connection_refused_is_reported_as_unavailable(aiohttp_unused_port) -> None:
    settings = VacancyApiSettings(
        url=f"http://127.0.0.1:{aiohttp_unused_port()}/v", retries=1, backoff_s=0.01
    )
    source = HttpVacancySource(settings)
    try:
        with pytest.raises(SourceUnavailable, match="connection failed"):
            await source.search(QUERY)
    finally:
        await source.close()


async def test_search_goes_on_with_the_other_sources_when_the_api_is_down(source, api) -> None:
    api.script = [("status", 502)]
    local = ListSource([make_vacancy(source="local", source_id="l1")], "local")
    page = await search(QUERY, [local, source])
    assert [r.vacancy.source_id for r in page.results] == ["l1"]
    assert page.unavailable_sources == ("test-api",)


async def test_results_of_both_sources_are_merged_and_deduplicated(source, api) -> None:
    same = {"title": "Lasser (m/v/x)", "employer": "Metaalwerken Testbedrijf NV (fictief)"}
    api.script = [_answer(feed_row(id="dup", **same), feed_row(id="own", place="Menen"))]
    local = ListSource([make_vacancy(source="local", source_id="l1", **same)], "local")
    page = await search(QUERY, [local, source])
    assert [(r.vacancy.source, r.vacancy.source_id) for r in page.results] == [
        ("local", "l1"),
        ("test-api", "own"),
    ]
