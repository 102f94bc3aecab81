"""Handoff texts: the consent text is versioned, placeholders are filled, names exist."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from bot import handoff

ROOT = Path(__file__).resolve().parents[2]
# The consent text each version stands for (first 16 hex digits of the SHA-256 of the French
# and the Dutch text): a changed text needs a new CONSENT_TEXT_VERSION and a line here, so
# that every stored consent says which words the candidate agreed to.
CONSENT_TEXTS = {"callback-2026-12-02": "ac6bb818b848d2b1"}
# Placeholders each response gets from its action (actions/handoff.py).
PLACEHOLDERS = {
    "utter_handoff_offer_closed": {"office_hours"},
    "utter_handoff_waiting": {"office_hours"},
    "utter_ask_callback_consent": {"privacy_url"},
    "utter_callback_invalid_name": {"explanation"},
    "utter_callback_invalid_phone": {"explanation"},
    "utter_callback_invalid_email": {"explanation"},
    "utter_callback_invalid_moment": {"explanation"},
    "utter_callback_confirmed": {"name", "phone", "office_hours", "when", "moment"},
}


def _responses() -> dict[str, list[dict]]:
    merged: dict[str, list[dict]] = {}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        merged.update(yaml.safe_load(path.read_text()).get("responses") or {})
    return merged


def test_consent_text_matches_its_version() -> None:
    texts = [v["text"] for v in _responses()["utter_ask_callback_consent"]]
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    assert CONSENT_TEXTS.get(handoff.CONSENT_TEXT_VERSION) == digest, (
        "the consent text changed: give bot.handoff.CONSENT_TEXT_VERSION a new value and "
        f"add it here with {digest}"
    )


def _handoff_responses() -> dict[str, list[dict]]:
    return yaml.safe_load((ROOT / "domain" / "handoff.yml").read_text())["responses"]


@pytest.mark.parametrize("name", sorted(_handoff_responses()))
def test_responses_use_only_the_placeholders_their_action_fills(name: str) -> None:
    for variation in _handoff_responses()[name]:
        used = set(re.findall(r"{(\w+)}", variation["text"]))
        assert used == PLACEHOLDERS.get(name, set()), (name, variation["condition"])


def test_every_response_the_handoff_actions_send_exists() -> None:
    source = (ROOT / "actions" / "handoff.py").read_text()
    sent = set(re.findall(r'"(utter_\w+)"', source))
    sent |= {f"utter_callback_invalid_{slot}" for slot in ("name", "phone", "email", "moment")}
    sent |= {f"utter_ask_{slot}" for slot in handoff.FORM_SLOTS if slot != "callback_consent"}
    assert sent - set(_responses()) == set()


def test_handoff_buttons_choose_live_or_callback() -> None:
    from rasa.core.nlg.interpolator import interpolate_text

    payloads = {
        button["payload"]
        for variations in _responses().values()
        for variation in variations
        for button in variation.get("buttons", [])
        if "handoff_choice" in button["payload"]
    }
    # What Rasa sends once it has filled the response's placeholders ({{ is a brace).
    sent = {interpolate_text(payload, {"language": "fr"}) for payload in payloads}
    assert sent == {
        '/ask_human{"handoff_choice": "live"}',
        '/ask_human{"handoff_choice": "callback"}',
    }


def test_json_in_button_payloads_is_escaped_for_rasas_templating() -> None:
    # Rasa fills every response with the slots' values, buttons included: a single "{"
    # opens a placeholder, and an unknown one logs an error with a traceback.
    for name, variations in _responses().items():
        for variation in variations:
            for button in variation.get("buttons", []):
                if "{" in button["payload"]:
                    assert "{{" in button["payload"], (name, button["payload"])
