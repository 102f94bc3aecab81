"""Fetching a feed from a URL (a partner's or a job board's), for the import and the sync.

The format comes from the answer's ``Content-Type`` (JSON-LD, HTML with JSON-LD, XML, JSON,
JSON Lines, CSV), else from the URL's file name. Timeouts, connection errors and 5xx are
retried with exponential backoff like the HTTP source; 4xx and an answer larger than
``max_bytes`` are final. Every failure is one :class:`bot.errors.SourceUnavailable`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import aiohttp

from bot.errors import SourceUnavailable

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
MAX_BYTES = 64 * 1024 * 1024
_SUFFIXES = {
    "application/ld+json": ".jsonld",
    "application/json": ".json",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/x-ndjson": ".jsonl",
    "text/csv": ".csv",
}


class _Retryable(Exception):
    pass


async def fetch_feed(
    url: str,
    name: str,
    timeout_s: float = 30.0,
    retries: int = 2,
    backoff_s: float = 1.0,
    max_bytes: int = MAX_BYTES,
    sleep: Sleep = asyncio.sleep,
) -> tuple[str, str]:
    """The text of the feed at ``url`` and its format as a file suffix (".jsonld", ".xml"...).

    Raises:
        SourceUnavailable: named ``name``, once every attempt failed or on a final failure.
    """
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for attempt in range(retries + 1):
            try:
                return await _get(session, url, name, max_bytes)
            except _Retryable as exc:
                if attempt == retries:
                    raise SourceUnavailable(name, str(exc)) from exc
                wait = backoff_s * 2**attempt
                log.info("feed %s: %s, retrying in %.2fs", name, exc, wait)
                await sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


async def _get(
    session: aiohttp.ClientSession, url: str, name: str, max_bytes: int
) -> tuple[str, str]:
    try:
        async with session.get(url) as response:
            if response.status >= 500:
                raise _Retryable(f"HTTP {response.status}")
            if response.status >= 400:
                raise SourceUnavailable(name, f"HTTP {response.status}")
            if (response.content_length or 0) > max_bytes:
                raise SourceUnavailable(name, f"feed larger than {max_bytes} bytes")
            chunks, size = [], 0
            async for chunk in response.content.iter_chunked(256 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise SourceUnavailable(name, f"feed larger than {max_bytes} bytes")
                chunks.append(chunk)
            body = b"".join(chunks)
            suffix = (
                _SUFFIXES.get(response.content_type)
                or PurePosixPath(urlsplit(url).path).suffix.lower()
            )
            return body.decode(response.charset or "utf-8", errors="replace").lstrip(
                "\ufeff"
            ), suffix
    except asyncio.TimeoutError as exc:
        raise _Retryable("no answer in time") from exc
    except aiohttp.ClientError as exc:
        raise _Retryable(f"connection failed ({type(exc).__name__})") from exc
