"""An external vacancy API over HTTP (aiohttp), with timeouts, retries, a breaker and a cache.

The API is asked ``GET {VACANCY_API_URL}?occupation=welder&isco=7212&lat=50.828&lon=3.265
&radius_km=30&contract=permanent&limit=20`` (``Authorization: Bearer {VACANCY_API_TOKEN}``
when a token is set) and answers ``{"vacancies": [...]}`` with rows in the format of the
import feeds (see :mod:`bot.vacancies.feed`). A real provider with another format gets its own
small adapter that builds the same rows.

How failures are handled:

- one ``aiohttp.ClientSession`` for the life of the source (connection reuse), created on
  first use inside the running event loop; ``await source.close()`` at shutdown;
- each request has its own timeout; timeouts, connection errors and 5xx answers are retried
  with exponential backoff (``backoff_s``, then twice that...); 4xx answers, malformed JSON
  and a wrong schema are not (asking again would give the same answer);
- ``breaker_failures`` failed searches in a row open the circuit: searches fail at once
  until ``breaker_cooldown_s`` has passed, then one trial search decides;
- answers are cached ``cache_ttl_s`` seconds per query, so that "show more" and repeated
  questions do not call the API again;
- every failure reaches the caller once, as :class:`bot.errors.SourceUnavailable` with the
  cause chained; logs name the source and the reason, never the query or the token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import aiohttp

from bot.config import VacancyApiSettings
from bot.errors import SourceUnavailable
from bot.gazetteer import occupation, place
from bot.vacancies.feed import BadRow, to_vacancy
from bot.vacancies.model import SearchQuery, Vacancy
from bot.vacancies.sources._resilience import CircuitBreaker, Clock, TtlCache

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
LIMIT_STEP = 20


class _Retryable(Exception):
    """A failure worth another attempt: timeout, connection error, 5xx."""


class _Final(Exception):
    """A failure another attempt would repeat: 4xx, malformed JSON, wrong schema."""


class HttpVacancySource:
    """Vacancies from an external HTTP API configured by :class:`VacancyApiSettings`."""

    def __init__(
        self,
        settings: VacancyApiSettings,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = settings.name
        self._settings = settings
        self._sleep = sleep
        self._breaker = CircuitBreaker(
            settings.breaker_failures, settings.breaker_cooldown_s, clock
        )
        self._cache: TtlCache[list[Vacancy]] = TtlCache(settings.cache_ttl_s, clock)
        self._session: aiohttp.ClientSession | None = None

    @property
    def breaker_state(self) -> str:
        return self._breaker.state

    async def search(self, query: SearchQuery) -> list[Vacancy]:
        """The API's candidates for ``query`` (cached for a short while).

        Raises:
            SourceUnavailable: timeout, server error, bad answer, or circuit open.
        """
        params = _params(query)
        key = tuple(sorted(params.items()))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if not self._breaker.allow():
            raise SourceUnavailable(self.name, "circuit open after repeated failures")
        try:
            payload = await self._fetch(params)
            found = self._vacancies(payload, query.day)
        except (_Retryable, _Final) as exc:
            self._breaker.failed()
            log.warning("vacancy source %s failed: %s", self.name, exc)
            raise SourceUnavailable(self.name, str(exc)) from exc
        self._breaker.succeeded()
        self._cache.put(key, found)
        return found

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _fetch(self, params: dict[str, str]) -> Any:
        for attempt in range(self._settings.retries):
            try:
                return await self._get(params)
            except _Retryable as exc:
                wait = self._settings.backoff_s * 2**attempt
                log.info("vacancy source %s: %s, retrying in %.2fs", self.name, exc, wait)
                await self._sleep(wait)
        return await self._get(params)  # the last attempt: its failure is the answer

    async def _get(self, params: dict[str, str]) -> Any:
        session = self._client()
        try:
            async with session.get(self._settings.url, params=params) as response:
                if response.status >= 500:
                    raise _Retryable(f"HTTP {response.status}")
                if response.status >= 400:
                    raise _Final(f"HTTP {response.status}")
                body = await response.text()
        except asyncio.TimeoutError as exc:
            raise _Retryable(f"no answer within {self._settings.timeout_s:g}s") from exc
        except aiohttp.ClientError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__})") from exc
        try:
            return json.loads(body)
        except json.JSONDecodeError as exc:
            raise _Final(f"malformed JSON in the answer (line {exc.lineno})") from exc

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            headers = {"Accept": "application/json"}
            if self._settings.token:
                headers["Authorization"] = f"Bearer {self._settings.token}"
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._settings.timeout_s), headers=headers
            )
        return self._session

    def _vacancies(self, payload: Any, today: date) -> list[Vacancy]:
        """The rows of a ``{"vacancies": [...]}`` answer; rows that do not fit are skipped."""
        rows = payload.get("vacancies") if isinstance(payload, dict) else None
        if not isinstance(rows, list):
            raise _Final("wrong schema: expected an object with a 'vacancies' list")
        found, reasons = [], []
        for row in rows:
            try:
                found.append(to_vacancy(row, self.name, today))
            except BadRow as exc:
                reasons.append(str(exc))
        if reasons:
            log.warning("vacancy source %s: %d rows skipped", self.name, len(reasons))
        if rows and not found:
            raise _Final(f"wrong schema: no usable vacancy ({reasons[0]})")
        return found


def _params(query: SearchQuery) -> dict[str, str]:
    """The API's query parameters. The limit is rounded up to a multiple of ``LIMIT_STEP``
    so that the next pages of the same search ("show more") come from the cache."""
    params = {"limit": str(LIMIT_STEP * math.ceil(query.window / LIMIT_STEP))}
    if query.occupation_ids:
        params["occupation"] = ",".join(query.occupation_ids)
        codes = {o.isco08 for o in map(occupation, query.occupation_ids) if o is not None}
        params["isco"] = ",".join(sorted(codes))
    origin = place(query.place_id) if query.place_id else None
    if origin is not None:
        params["lat"], params["lon"] = f"{origin.lat:.3f}", f"{origin.lon:.3f}"
        if query.radius_km is not None:
            params["radius_km"] = f"{query.radius_km:g}"
    if query.contract_types:
        params["contract"] = ",".join(query.contract_types)
    return params
