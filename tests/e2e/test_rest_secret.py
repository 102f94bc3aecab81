"""The REST webhook behind ``BOT_REST_SECRET`` (issue 22): a second assistant started with
the secret, real HTTP."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator

import pytest

from tests.e2e.test_channels import _post
from tests.support.launcher import Assistant, start_assistant, stop_assistant

pytestmark = pytest.mark.e2e

SECRET = "rest-secret-" + "x" * 24


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    try:
        started = start_assistant(tmp_path_factory.mktemp("var"), {"BOT_REST_SECRET": SECRET})
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield started
    stop_assistant(started)


def _say(assistant: Assistant, headers: dict[str, str]) -> int:
    body = json.dumps({"sender": f"s-{secrets.token_hex(6)}", "message": "Bonjour"}).encode()
    url = f"{assistant.rasa_url}/webhooks/rest/webhook"
    return _post(url, body, {"Content-Type": "application/json", **headers})[0]


def test_rest_requires_the_secret_when_it_is_set(guarded: Assistant) -> None:
    assert _say(guarded, {}) == 401
    assert _say(guarded, {"Authorization": "Bearer guess"}) == 401
    assert _say(guarded, {"Authorization": f"Bearer {SECRET}"}) == 200
