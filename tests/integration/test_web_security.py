"""Security headers, Host header and body limit of the website (issue 22, docs/security.md),
through aiohttp's test client: a real server on the loopback interface."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.storage import migrate
from bot.web.app import create_app
from tests.integration.test_web import _chat_config

HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    return Settings(  # type: ignore[arg-type]
        rasa_port=5999, web_port=8999, var_dir=tmp_path, database_url=url, **overrides
    )


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:
    return await aiohttp_client(create_app(_settings(tmp_path)))


@pytest.mark.parametrize("path, status", [("/", 302), ("/nl", 301), ("/privacy", 302)])
async def test_redirects_carry_the_security_headers(
    client: TestClient, path: str, status: int
) -> None:
    response = await client.get(path, allow_redirects=False)
    assert response.status == status
    for header in HEADERS:
        assert header in response.headers, header


async def test_console_redirect_to_sign_in_carries_them_too(client: TestClient) -> None:
    response = await client.get("/console/", allow_redirects=False)
    assert 300 <= response.status < 400
    assert all(header in response.headers for header in HEADERS)


async def test_hsts_only_when_the_site_is_served_over_https(aiohttp_client, tmp_path: Path) -> None:
    plain = await aiohttp_client(create_app(_settings(tmp_path)))
    assert "Strict-Transport-Security" not in (await plain.get("/fr/")).headers
    secure = await aiohttp_client(
        create_app(_settings(tmp_path, public_url="https://emploi.example.org"))
    )
    for path in ("/fr/", "/"):
        response = await secure.get(path, allow_redirects=False)
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


async def test_a_forged_host_header_does_not_choose_the_rasa_url(client: TestClient) -> None:
    response = await client.get("/fr/", headers={"Host": "evil.example:8999"})
    config = _chat_config(await response.text())
    assert config["rasaUrl"] == "http://localhost:5999"
    assert "evil.example" not in response.headers["Content-Security-Policy"]
    # This machine's own names still work (make run, the browser tests).
    response = await client.get("/fr/", headers={"Host": "127.0.0.1:8999"})
    assert _chat_config(await response.text())["rasaUrl"] == "http://127.0.0.1:5999"


async def test_a_body_over_the_limit_is_refused_unread(client: TestClient) -> None:
    response = await client.post(
        "/console/login",
        data=b"username=a&password=" + b"x" * (300 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 413


async def test_failed_booking_reference_lookups_are_throttled(client: TestClient) -> None:
    for n in range(5):
        response = await client.get(f"/ics/NOPE{n:04d}XYZ.ics")
        assert response.status == 404
    refused = await client.get("/ics/NOPE9999XYZ.ics")
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Content-Security-Policy" in refused.headers


def test_the_failure_delay_grows_then_expires() -> None:
    from bot.throttle import FailureThrottle

    throttle = FailureThrottle(free=2, window_s=100, max_delay_s=8)
    for at in (0.0, 1.0):
        throttle.failed("a", now=at)
    assert throttle.retry_after("a", now=1.0) == 1.0  # 2 ** 0 after the last failure
    throttle.failed("a", now=2.5)
    assert throttle.retry_after("a", now=2.5) == 2.0
    assert throttle.retry_after("b", now=2.5) == 0.0  # another address
    for at in range(3, 20):
        throttle.failed("a", now=float(at))
    assert throttle.retry_after("a", now=19.0) == 8.0  # capped
    assert throttle.retry_after("a", now=200.0) == 0.0  # the window has passed
