"""France Travail's "Offres d'emploi v2" API as a vacancy source (live search and sync).

Access (francetravail.io): an OAuth2 client-credentials token from ``FRANCE_TRAVAIL_TOKEN_URL``
(scope ``api_offresdemploiv2 o2dsoffre``), kept until shortly before it expires and fetched
again when the API answers 401; then ``GET {FRANCE_TRAVAIL_API_URL}/offresdemploi/v2/offres/
search`` with ``Authorization: Bearer``. Offers come in pages: ``range=p-d`` asks for offers p
to d, at most 150 at a time, p at most 3000 (so at most 3150 offers per search); the answer
is 200 (everything), 206 (a part: ``Content-Range: offres 0-149/1234`` gives the total) or
204 (nothing).

Failures, as in :mod:`bot.vacancies.sources.http`: timeouts, connection errors and 5xx are
retried with exponential backoff; 429 waits the ``Retry-After`` seconds (up to
``max_wait_s``, else the search fails at once rather than keep the candidate waiting);
other 4xx and malformed JSON are final; a breaker stops calling a failing API; answers are
cached a few minutes per query. An offer that does not fit is left out with its reason
(:func:`~bot.vacancies.sources.france_travail_offers.to_vacancy`), never the whole answer.
Logs name the source and the reason, never the client secret or the token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.config import FranceTravailSettings
from bot.errors import SourceUnavailable
from bot.vacancies.feed import BadRow
from bot.vacancies.model import SearchQuery, Vacancy
from bot.vacancies.sources._resilience import CircuitBreaker, Clock, TtlCache
from bot.vacancies.sources.france_travail_offers import search_params, to_vacancy

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
SCOPE = "api_offresdemploiv2 o2dsoffre"
SEARCH_PATH = "/offresdemploi/v2/offres/search"
PAGE_SIZE = 150  # the API's largest range
MAX_START = 3000  # the largest first index of a range
PAGE_STEP = 50  # live searches ask for a multiple of this, so "show more" hits the cache
TOKEN_MARGIN_S = 60.0  # a token is renewed this long before it expires
_TOTAL = re.compile(r"/\s*(\d+)\s*$")


class _Retryable(Exception):
    def __init__(self, reason: str, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.wait_s = wait_s


class _Final(Exception):
    pass


@dataclass
class Fetched:
    """The offers of one search, read page by page, and those left out with their reason."""

    vacancies: list[Vacancy] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (offer id or "?", reason)
    total: int | None = None  # as the API counts them (Content-Range)

    @property
    def complete(self) -> bool:
        """True when every offer of the search was read (the API shows at most 3150)."""
        return self.total is None or len(self.vacancies) + len(self.rejected) >= self.total


class FranceTravailSource:
    """Vacancies from France Travail, configured by :class:`FranceTravailSettings`."""

    def __init__(
        self,
        settings: FranceTravailSettings,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.name = settings.name
        self._settings = settings
        self._clock = clock
        self._sleep = sleep
        self._breaker = CircuitBreaker(
            settings.breaker_failures, settings.breaker_cooldown_s, clock
        )
        self._cache: TtlCache[list[Vacancy]] = TtlCache(settings.cache_ttl_s, clock)
        self._session: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()

    async def search(self, query: SearchQuery) -> list[Vacancy]:
        """France Travail's candidates for ``query`` (cached for a few minutes).

        Raises:
            SourceUnavailable: token refused, timeout, server error, bad answer, rate limit
                longer than ``max_wait_s``, or circuit open.
        """
        params = search_params(query)
        if params is None:
            return []
        wanted = min(MAX_START + PAGE_SIZE, -(-query.window // PAGE_STEP) * PAGE_STEP)
        key = (tuple(sorted(params.items())), wanted)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        fetched = await self.fetch(params, wanted)
        self._cache.put(key, fetched.vacancies)
        return fetched.vacancies

    async def fetch(
        self,
        params: dict[str, str],
        limit: int = MAX_START + PAGE_SIZE,
        stop_when_over: bool = False,
    ) -> Fetched:
        """Up to ``limit`` offers of the search ``params``, page by page, mapped to vacancies.

        ``stop_when_over``: when the first page says the search has more than ``limit``
        offers, stop there (the sync then splits the search).

        Raises:
            SourceUnavailable: as :meth:`search`.
        """
        if not self._breaker.allow():
            raise SourceUnavailable(self.name, "circuit open after repeated failures")
        try:
            fetched = await self._pages(params, limit, stop_when_over)
        except (_Retryable, _Final) as exc:
            self._breaker.failed()
            log.warning("vacancy source %s failed: %s", self.name, exc)
            raise SourceUnavailable(self.name, str(exc)) from exc
        self._breaker.succeeded()
        if fetched.rejected:
            log.warning("vacancy source %s: %d offers left out", self.name, len(fetched.rejected))
        return fetched

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _pages(self, params: dict[str, str], limit: int, stop_when_over: bool) -> Fetched:
        fetched = Fetched()
        start = 0
        while start < limit and start <= MAX_START:
            end = min(start + PAGE_SIZE, limit) - 1
            status, payload, total = await self._get({**params, "range": f"{start}-{end}"})
            if status == 204:
                break
            offers = payload.get("resultats") if isinstance(payload, dict) else None
            if not isinstance(offers, list):
                raise _Final("wrong schema: expected an object with a 'resultats' list")
            self._map(offers, fetched)
            if total is not None:
                fetched.total = total
            asked, start = end - start + 1, end + 1
            if status == 200 or len(offers) < asked or (total is not None and start >= total):
                break  # 200: the whole result; fewer than asked: the last page
            if stop_when_over and total is not None and total > limit:
                break
        return fetched

    def _map(self, offers: list[Any], fetched: Fetched) -> None:
        for offer in offers:
            try:
                fetched.vacancies.append(to_vacancy(offer, self.name))
            except BadRow as exc:
                offer_id = offer.get("id") if isinstance(offer, dict) else None
                fetched.rejected.append((str(offer_id or "?"), str(exc)))

    async def _get(self, params: dict[str, str]) -> tuple[int, Any, int | None]:
        """One page, with retries (backoff on 5xx and timeouts, Retry-After on 429)."""
        for attempt in range(self._settings.retries + 1):
            try:
                return await self._authorised_get(params)
            except _Retryable as exc:
                if attempt == self._settings.retries:
                    raise _Final(f"{exc} (after {attempt + 1} attempts)") from exc
                wait = exc.wait_s if exc.wait_s is not None else self._backoff(attempt)
                log.info("vacancy source %s: %s, retrying in %.2fs", self.name, exc, wait)
                await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int) -> float:
        return float(self._settings.backoff_s * 2**attempt)

    async def _authorised_get(self, params: dict[str, str]) -> tuple[int, Any, int | None]:
        """A GET with the current token; a 401 fetches a new token and tries once more."""
        token = await self._current_token()
        answer = await self._api_get(params, token)
        if answer is None:
            await self._drop_token(token)
            answer = await self._api_get(params, await self._current_token())
            if answer is None:
                raise _Final("HTTP 401 with a new token: access refused")
        return answer

    async def _api_get(
        self, params: dict[str, str], token: str
    ) -> tuple[int, Any, int | None] | None:
        url = self._settings.api_url + SEARCH_PATH
        headers = {"Authorization": f"Bearer {token}"}
        async with self._request("GET", url, params=params, headers=headers) as response:
            status = response.status
            if status == 401:
                return None
            self._check_status(status, response.headers.get("Retry-After"))
            if status == 204:
                return 204, None, 0
            total = _total(response.headers.get("Content-Range"))
            return status, _json(await response.text()), total

    def _check_status(self, status: int, retry_after: str | None) -> None:
        if status == 429:
            wait = _seconds(retry_after, self._settings.backoff_s)
            if wait > self._settings.max_wait_s:
                raise _Final(f"HTTP 429, rate limited for {wait:g}s")
            raise _Retryable("HTTP 429", wait)
        if status >= 500:
            raise _Retryable(f"HTTP {status}")
        if status >= 400:
            raise _Final(f"HTTP {status}")

    async def _current_token(self) -> str:
        async with self._token_lock:
            if self._token is None or self._clock() >= self._token_expires:
                self._token, lifetime = await self._new_token()
                self._token_expires = self._clock() + max(lifetime - TOKEN_MARGIN_S, lifetime / 2)
            return self._token

    async def _drop_token(self, token: str) -> None:
        async with self._token_lock:
            if self._token == token:  # not yet replaced by a concurrent search
                self._token = None

    async def _new_token(self) -> tuple[str, float]:
        data = {
            "grant_type": "client_credentials",
            "client_id": self._settings.client_id,
            "client_secret": str(self._settings.client_secret),
            "scope": SCOPE,
        }
        async with self._request("POST", self._settings.token_url, data=data) as response:
            if response.status >= 500:
                raise _Retryable(f"token endpoint HTTP {response.status}")
            if response.status >= 400:
                raise _Final(f"token refused (HTTP {response.status})")
            payload = _json(await response.text())
        token = payload.get("access_token") if isinstance(payload, dict) else None
        lifetime = payload.get("expires_in") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
            raise _Final("token endpoint: no access_token and expires_in in the answer")
        log.info("vacancy source %s: new access token for %ds", self.name, int(lifetime))
        return token, float(lifetime)

    def _request(self, method: str, url: str, **kwargs: Any) -> _Guarded:
        return _Guarded(self._client().request(method, url, **kwargs), self._settings.timeout_s)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._settings.timeout_s),
                headers={"Accept": "application/json"},
            )
        return self._session


class _Guarded:
    """``async with`` around an aiohttp request that turns transport failures into
    :class:`_Retryable` (timeouts, refused connections, cut answers)."""

    def __init__(self, context: Any, timeout_s: float) -> None:
        self._context = context
        self._timeout_s = timeout_s

    async def __aenter__(self) -> aiohttp.ClientResponse:
        try:
            response: aiohttp.ClientResponse = await self._context.__aenter__()
        except asyncio.TimeoutError as exc:
            raise _Retryable(f"no answer within {self._timeout_s:g}s") from exc
        except aiohttp.ClientError as exc:
            raise _Retryable(f"connection failed ({type(exc).__name__})") from exc
        return response

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._context.__aexit__(*exc_info)
        error = exc_info[1]
        if isinstance(error, asyncio.TimeoutError):
            raise _Retryable(f"no answer within {self._timeout_s:g}s") from error
        if isinstance(error, aiohttp.ClientError):
            raise _Retryable(f"connection failed ({type(error).__name__})") from error


def _json(body: str) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise _Final(f"malformed JSON in the answer (line {exc.lineno})") from exc


def _total(content_range: str | None) -> int | None:
    """The total of ``Content-Range: offres 0-149/1234``."""
    match = _TOTAL.search(content_range or "")
    return int(match.group(1)) if match else None


def _seconds(retry_after: str | None, default: float) -> float:
    try:
        return max(0.0, float(retry_after)) if retry_after else default
    except ValueError:
        return default
