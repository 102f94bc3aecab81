"""The France Travail source against a local aiohttp server playing the token endpoint and the
"Offres d'emploi v2" search (recorded answers in the documented format: tests/fixtures)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.config import FranceTravailSettings, Secret, Settings
from bot.errors import SourceUnavailable
from bot.vacancies.areas import Area
from bot.vacancies.model import SearchQuery
from bot.vacancies.sources import build_sources
from bot.vacancies.sources.france_travail import FranceTravailSource
from tests.vacancy_factories import TODAY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "france_travail"
SECRET = "client-s3cret-value"
QUERY = SearchQuery(occupation_ids=("welder",), place_id="fr-lille", today=TODAY)


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _offer(number: int) -> dict[str, Any]:
    return {
        "id": f"P{number:05d}",
        "intitule": "Soudeur (H/F)",
        "dateCreation": "2026-11-20T08:00:00Z",
        "lieuTravail": {"libelle": "59 - LILLE", "commune": "59350"},
        "romeCode": "H2913",
        "entreprise": {"nom": "Atelier (fictif)"},
        "typeContrat": "CDI",
    }


@dataclass
class FakeFranceTravail:
    """The token endpoint and the search; ``api_script`` answers in turn (the last repeats)."""

    api_script: list[tuple[str, Any]] = field(default_factory=lambda: [("fixture", None)])
    token_lifetime: int = 1499
    total: int = 0  # for ("paged", None): offers the search has
    token_forms: list[dict[str, str]] = field(default_factory=list)
    api_requests: list[tuple[dict[str, str], str]] = field(default_factory=list)

    async def token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_forms.append({k: str(v) for k, v in form.items()})
        body = {**_fixture("token.json"), "expires_in": self.token_lifetime}
        body["access_token"] = f"token-{len(self.token_forms)}"
        return web.json_response(body)

    async def search(self, request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization", "")
        self.api_requests.append((dict(request.query), auth))
        kind, value = self.api_script[min(len(self.api_requests), len(self.api_script)) - 1]
        if kind == "status":
            return web.Response(status=value, text="error")
        if kind == "401-for":
            if auth == f"Bearer {value}":
                return web.Response(status=401)
            kind = "fixture"
        if kind == "429":
            return web.Response(status=429, headers={"Retry-After": str(value)})
        if kind == "body":
            return web.Response(text=value, content_type="application/json")
        if kind == "paged":
            return self._page(request.query["range"])
        return web.json_response(_fixture("offres_search.json"), status=206)

    def _page(self, asked: str) -> web.StreamResponse:
        first, last = (int(n) for n in asked.split("-"))
        if first >= self.total:
            return web.Response(status=204)
        last = min(last, self.total - 1)
        offers = [_offer(n) for n in range(first, last + 1)]
        status = 200 if first == 0 and last == self.total - 1 else 206
        headers = {"Content-Range": f"offres {first}-{last}/{self.total}"}
        return web.json_response({"resultats": offers}, status=status, headers=headers)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake() -> FakeFranceTravail:
    return FakeFranceTravail()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
async def settings(aiohttp_server, fake: FakeFranceTravail) -> FranceTravailSettings:
    app = web.Application()
    app.router.add_post("/connexion/oauth2/access_token", fake.token)
    app.router.add_get("/partenaire/offresdemploi/v2/offres/search", fake.search)
    server = await aiohttp_server(app)
    return FranceTravailSettings(
        client_id="client-id",
        client_secret=Secret(SECRET),
        token_url=str(server.make_url("/connexion/oauth2/access_token?realm=/partenaire")),
        api_url=str(server.make_url("/partenaire")),
        timeout_s=2.0,
        retries=2,
        backoff_s=0.25,
        max_wait_s=10.0,
    )


@pytest.fixture
async def source(settings: FranceTravailSettings, clock: FakeClock, waits: list[float]):
    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    ft = FranceTravailSource(settings, clock=clock, sleep=sleep)
    yield ft
    await ft.close()


async def test_search_sends_the_documented_parameters_with_a_client_credentials_token(
    source: FranceTravailSource, fake: FakeFranceTravail
) -> None:
    await source.search(QUERY)
    assert fake.token_forms == [
        {
            "grant_type": "client_credentials",
            "client_id": "client-id",
            "client_secret": SECRET,
            "scope": "api_offresdemploiv2 o2dsoffre",
        }
    ]
    params, auth = fake.api_requests[0]
    assert auth == "Bearer token-1"
    assert params == {
        "codeROME": "H2913",
        "commune": "59350",
        "distance": "30",
        "sort": "2",
        "range": "0-49",
    }


async def test_offers_become_vacancies_and_malformed_ones_are_left_out_with_a_reason(
    source: FranceTravailSource,
) -> None:
    fetched = await source.fetch({"codeROME": "H2913"}, limit=150)
    found = {v.source_id: v for v in fetched.vacancies}
    assert sorted(found) == ["199TSTA", "199TSTB", "199TSTC", "199TSTD"]
    welder = found["199TSTA"]
    assert (welder.source, welder.title, welder.employer) == (
        "francetravail",
        "Soudeur TIG / MIG (H/F)",
        "Chaudronnerie du Nord (fictif)",
    )
    assert (welder.occupation_id, welder.place_id, welder.country) == ("welder", "fr-lille", "FR")
    assert (welder.contract_type, welder.working_time) == ("permanent", "full")
    assert welder.required_languages == ("nl",) and welder.language == "fr"
    assert welder.posted_on == date(2026, 11, 20)
    assert welder.url == "https://candidat.francetravail.fr/offres/recherche/detail/199TSTA"
    forklift = found["199TSTB"]
    assert (forklift.contract_type, forklift.working_time) == ("temp_agency", "part")
    assert forklift.place_id == "fr-tourcoing"
    apprentice = found["199TSTC"]
    assert apprentice.contract_type == "apprenticeship"
    assert apprentice.place_id == "fr-wambrechies"  # no INSEE code: name and postcode
    assert apprentice.occupation_id == "truck-mechanic"  # I1604, chosen by the title
    assert apprentice.required_languages == ("en", "nl")
    assert found["199TSTD"].employer == ""  # not disclosed: the card shows the title alone
    reasons = dict(fetched.rejected)
    assert sorted(reasons) == ["199TSTE", "199TSTF"]
    assert "Z9999" in reasons["199TSTE"]
    assert "lieuTravail" in reasons["199TSTF"]


async def test_the_token_is_reused_until_it_expires(
    source: FranceTravailSource, fake: FakeFranceTravail, clock: FakeClock
) -> None:
    await source.search(QUERY)
    await source.search(SearchQuery(occupation_ids=("forklift-driver",), today=TODAY))
    assert len(fake.token_forms) == 1
    clock.now += fake.token_lifetime - 30  # inside the renewal margin
    await source.search(SearchQuery(occupation_ids=("baker",), today=TODAY))
    assert len(fake.token_forms) == 2
    assert fake.api_requests[-1][1] == "Bearer token-2"


async def test_a_401_fetches_a_new_token_and_asks_again_once(
    source: FranceTravailSource, fake: FakeFranceTravail
) -> None:
    fake.api_script = [("401-for", "token-1")]
    found = await source.search(QUERY)
    assert len(found) == 4
    assert [auth for _p, auth in fake.api_requests] == ["Bearer token-1", "Bearer token-2"]


async def test_a_429_waits_the_retry_after_seconds_then_succeeds(
    source: FranceTravailSource, fake: FakeFranceTravail, waits: list[float]
) -> None:
    fake.api_script = [("429", 2), ("fixture", None)]
    assert len(await source.search(QUERY)) == 4
    assert waits == [2.0]
    assert len(fake.api_requests) == 2


async def test_a_429_longer_than_the_longest_wait_fails_at_once(
    source: FranceTravailSource, fake: FakeFranceTravail, waits: list[float]
) -> None:
    fake.api_script = [("429", 3600)]
    with pytest.raises(SourceUnavailable, match="rate limited for 3600s"):
        await source.search(QUERY)
    assert waits == [] and len(fake.api_requests) == 1


async def test_server_errors_are_retried_with_backoff_then_reported(
    source: FranceTravailSource, fake: FakeFranceTravail, waits: list[float]
) -> None:
    fake.api_script = [("status", 503)]
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        await source.search(QUERY)
    assert waits == [0.25, 0.5]
    assert len(fake.api_requests) == 3


async def test_a_server_error_then_an_answer_is_a_success(
    source: FranceTravailSource, fake: FakeFranceTravail
) -> None:
    fake.api_script = [("status", 500), ("fixture", None)]
    assert len(await source.search(QUERY)) == 4


@pytest.mark.parametrize(
    ("body", "reason"),
    [("{not json", "malformed JSON"), ('{"offres": []}', "'resultats' list")],
)
async def test_a_malformed_answer_is_a_failure_not_retried(
    source: FranceTravailSource, fake: FakeFranceTravail, body: str, reason: str
) -> None:
    fake.api_script = [("body", body)]
    with pytest.raises(SourceUnavailable, match=reason):
        await source.search(QUERY)
    assert len(fake.api_requests) == 1


async def test_a_bad_request_is_final(source: FranceTravailSource, fake: FakeFranceTravail) -> None:
    fake.api_script = [("status", 400)]
    with pytest.raises(SourceUnavailable, match="HTTP 400"):
        await source.search(QUERY)
    assert len(fake.api_requests) == 1


async def test_pages_of_150_are_read_until_the_total_of_content_range(
    source: FranceTravailSource, fake: FakeFranceTravail
) -> None:
    fake.api_script, fake.total = [("paged", None)], 320
    fetched = await source.fetch({"codeROME": "H2913"})
    assert len(fetched.vacancies) == 320 and fetched.total == 320
    assert [p["range"] for p, _a in fake.api_requests] == ["0-149", "150-299", "300-449"]


async def test_paging_stops_at_the_documented_largest_first_index(
    source: FranceTravailSource, fake: FakeFranceTravail
) -> None:
    fake.api_script, fake.total = [("paged", None)], 5000
    fetched = await source.fetch({"codeROME": "H2913"})
    ranges = [p["range"] for p, _a in fake.api_requests]
    assert ranges[-1] == "3000-3149" and len(ranges) == 21
    assert len(fetched.vacancies) == 3150 and fetched.total == 5000


async def test_no_content_is_no_offers(
    source: FranceTravailSource, fake: FakeFranceTravail
) -> None:
    fake.api_script, fake.total = [("paged", None)], 0
    assert await source.search(QUERY) == []


async def test_around_a_belgian_town_the_french_departements_within_the_radius_are_searched(
    source: FranceTravailSource, fake: FakeFranceTravail
) -> None:
    await source.search(SearchQuery(occupation_ids=("welder",), place_id="be-kortrijk"))
    params, _auth = fake.api_requests[0]
    assert params["departement"] == "59" and "commune" not in params


async def test_a_search_limited_to_belgium_does_not_call_france_travail(
    source: FranceTravailSource, fake: FakeFranceTravail
) -> None:
    query = SearchQuery(
        occupation_ids=("welder",), place_id="be-kortrijk", area=Area("country", "BE")
    )
    assert await source.search(query) == []
    assert fake.api_requests == [] and fake.token_forms == []


async def test_the_client_secret_and_the_token_are_never_logged(
    source: FranceTravailSource,
    fake: FakeFranceTravail,
    settings: FranceTravailSettings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.api_script = [("401-for", "token-1"), ("status", 503), ("fixture", None)]
    await source.search(QUERY)
    logged = caplog.text + repr(settings)
    assert SECRET not in logged and "token-1" not in logged and "token-2" not in logged


def test_the_source_is_on_when_the_client_id_and_secret_are_set(tmp_path: Path) -> None:
    base = {"BOT_VAR_DIR": str(tmp_path)}
    assert Settings.from_env(base).france_travail is None
    env = {**base, "FRANCE_TRAVAIL_CLIENT_ID": "id", "FRANCE_TRAVAIL_CLIENT_SECRET": SECRET}
    settings = Settings.from_env(env)
    assert settings.france_travail is not None
    assert settings.france_travail.token_url == (
        "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=/partenaire"
    )
    assert settings.france_travail.api_url == "https://api.francetravail.io/partenaire"
    assert [s.name for s in build_sources(settings)] == ["local", "francetravail"]
    with pytest.raises(ValueError, match="FRANCE_TRAVAIL_CLIENT_SECRET"):
        Settings.from_env({**base, "FRANCE_TRAVAIL_CLIENT_ID": "id"})
