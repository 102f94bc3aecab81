"""Starts the real assistant (``python -m bot.cli serve``) on free loopback ports.

The messaging channels are on, pointed at a local fake of their platforms
(tests/support/fake_platform.py), so that the channel tests see what the bot sends.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_platform import FakePlatform
from tests.support.launcher import Assistant, start_assistant, stop_assistant

__all__ = ["Assistant"]

TWILIO_PUBLIC_URL = "https://bot.example.org/webhooks/twilio/webhook"


def channel_env(platform_url: str) -> dict[str, str]:
    """Every messaging channel on, with test secrets, talking to the fake platform."""
    return {
        "TELEGRAM_BOT_TOKEN": "123456:TEST-telegram-token",
        "TELEGRAM_WEBHOOK_SECRET": "telegram-webhook-secret",
        "TELEGRAM_API_URL": f"{platform_url}/telegram",
        "FACEBOOK_VERIFY_TOKEN": "facebook-verify-token",
        "FACEBOOK_APP_SECRET": "facebook-app-secret",
        "FACEBOOK_PAGE_ACCESS_TOKEN": "facebook-page-token",
        "FACEBOOK_API_URL": f"{platform_url}/facebook",
        "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
        "TWILIO_AUTH_TOKEN": "twilio-auth-token",
        "TWILIO_NUMBER": "whatsapp:+14155238886",
        # The URL registered at Twilio, as a proxy in front of Rasa would expose it.
        "TWILIO_WEBHOOK_URL": TWILIO_PUBLIC_URL,
        "TWILIO_API_URL": f"{platform_url}/twilio",
    }


@pytest.fixture(scope="session")
def platform() -> Iterator[FakePlatform]:
    fake = FakePlatform().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, platform: FakePlatform
) -> Iterator[Assistant]:
    try:
        # Conversations choose their office hours (metadata office_hours: open|closed).
        env = {**channel_env(platform.url), "BOT_OFFICE_HOURS_OVERRIDE": "metadata"}
        started = start_assistant(tmp_path_factory.mktemp("var"), env)
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield started
    stop_assistant(started)
