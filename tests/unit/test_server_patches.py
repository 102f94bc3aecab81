"""The Rasa start-up fixes keep Rasa's behaviour (same verdicts, same errors)."""

from __future__ import annotations

import inspect

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.server import patches

ORIGINAL = RemoteAction._validate_action_result

GOOD = {"events": [{"event": "slot", "name": "language", "value": "nl"}], "responses": []}
BAD = {"events": [{"event": "slot"}], "responses": "not a list"}


def test_the_patched_method_is_still_the_one_rasa_ships() -> None:
    # If a Rasa upgrade changes it, the fix must be re-examined.
    assert "validate(result, self.action_response_format_spec())" in inspect.getsource(ORIGINAL)


@pytest.mark.parametrize("response", [GOOD, BAD])
def test_fast_validation_gives_the_same_verdict_as_rasa(response: dict) -> None:
    action = RemoteAction("action_x", None)

    def verdict(method) -> str:
        try:
            method(action, response)
        except ValidationError as error:
            return error.message
        return "valid"

    assert verdict(patches._validate_action_result) == verdict(ORIGINAL)


def test_apply_replaces_the_method() -> None:
    patches.apply()
    try:
        assert RemoteAction._validate_action_result is patches._validate_action_result
    finally:
        RemoteAction._validate_action_result = ORIGINAL
