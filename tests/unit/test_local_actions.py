"""The Rasa server's in-process ``action_set_language`` decides as the action server's does."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.core.actions.action import ActionExtractSlots
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ActionSetLanguage
from bot.config import PROJECT_DIR
from bot.language.detection import detect
from bot.server import patches
from bot.server.local_actions import set_language

DOMAIN = Domain.load(str(PROJECT_DIR / "domain"))


def _tracker(
    text: str,
    slots: dict[str, Any] | None = None,
    intent: str = "greet",
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    form: str | None = None,
) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    events += [SlotSet(name, value) for name, value in (slots or {}).items()]
    if form:
        events.insert(1, ActiveLoop(form))
    parse_data = {"language": detect(text).as_dict()}
    events.append(
        UserUttered(
            text, {"name": intent, "confidence": 0.9}, entities or [], parse_data, metadata=metadata
        )
    )
    return DialogueStateTracker.from_events("candidate", events, DOMAIN.slots)


CASES = {
    "first Dutch message": _tracker("goeiedag, ik zoek werk"),
    "page language decides an ambiguous first message": _tracker("ok", metadata={"language": "nl"}),
    "a short message keeps the language": _tracker("merci", {"language": "nl"}),
    "a clear Dutch sentence switches": _tracker(
        "ik woon in Rijsel en werk in Kortrijk", {"language": "fr"}
    ),
    "a named switch request": _tracker(
        "en français svp",
        {"language": "nl"},
        intent="switch_language",
        entities=[{"entity": "language", "value": "fr"}],
    ),
    "a switch request without a language toggles": _tracker(
        "andere taal aub", {"language": "nl"}, intent="switch_language"
    ),
    "a name asked by a form never switches": _tracker(
        "Jan Vandenberghe",
        {"language": "fr", "requested_slot": "callback_name"},
        form="callback_form",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_in_process_and_action_server_versions_agree(case: str) -> None:
    tracker = CASES[case]
    # What the action server receives for a slot-mapping action.
    state = tracker.current_state(EventVerbosity.AFTER_RESTART)
    remote = await ActionSetLanguage().run(
        CollectingDispatcher(), Tracker.from_dict(state), DOMAIN.as_dict()
    )
    local = [{"event": "slot", "name": e.key, "value": e.value} for e in set_language(tracker)]
    assert local == [{k: e[k] for k in ("event", "name", "value")} for e in remote]


def test_the_cases_cover_both_changing_and_keeping_the_language() -> None:
    changed = {case for case, tracker in CASES.items() if set_language(tracker)}
    assert "a clear Dutch sentence switches" in changed
    assert "a short message keeps the language" not in changed
    assert set_language(CASES["a clear Dutch sentence switches"]) == [SlotSet("language", "nl")]


def _rasas_own() -> Any:
    method = ActionExtractSlots._run_custom_action
    return getattr(method, "__wrapped__", method)  # whether or not a test applied the fixes


async def _extracted_slots(with_fixes: bool) -> list:
    """Rasa's ``action_extract_slots`` with no action endpoint: a remote call fills nothing."""
    original = ActionExtractSlots._run_custom_action
    ActionExtractSlots._run_custom_action = _rasas_own()
    if with_fixes:
        patches.apply()
    try:
        return await ActionExtractSlots(None).run(
            CollectingOutputChannel(),
            TemplatedNaturalLanguageGenerator(DOMAIN.responses),
            CASES["a clear Dutch sentence switches"],
            DOMAIN,
        )
    finally:
        ActionExtractSlots._run_custom_action = original


async def test_the_patched_rasa_fills_the_slot_without_an_action_server() -> None:
    assert SlotSet("language", "nl") in await _extracted_slots(with_fixes=True)


async def test_unpatched_rasa_needs_the_action_server_for_the_slot() -> None:
    assert SlotSet("language", "nl") not in await _extracted_slots(with_fixes=False)
