"""The Rasa start-up fixes keep Rasa's behaviour (same verdicts, same errors)."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.language.detection import detect
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


def test_event_classes_are_found_as_rasa_finds_them() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = getattr(Event.resolve_by_type, "__wrapped__", Event.resolve_by_type)
    patched = patches._resolve_by_type(original)
    names = {cls.type_name for cls in all_subclasses(Event) if isinstance(cls.type_name, str)}
    assert len(names) > 20
    for _ in range(2):  # looked up, then remembered
        assert {name: patched(name) for name in names} == {name: original(name) for name in names}
    assert patched("topic") is None
    assert patched("no_such_event", default=Event) is Event
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        patched("no_such_event")


class _Agent:
    """What the warm-up uses of a Rasa agent, recording what it is asked."""

    def __init__(self) -> None:
        self.parsed: list[str] = []
        self.predicted: list = []
        self.domain = type("Domain", (), {"slots": []})()
        self.processor = type(
            "Processor", (), {"predict_next_with_tracker": self.predicted.append}
        )()

    def is_ready(self) -> bool:
        return True

    async def parse_message(self, text: str) -> dict:
        self.parsed.append(text)
        return {"text": text, "intent": {"name": "greet", "confidence": 0.9}, "entities": []}


async def test_the_model_is_warmed_up_and_frozen_after_loading() -> None:
    import gc

    from bot.server.warm_up import MESSAGES

    agent = _Agent()

    async def load(*args):
        return agent

    gc.unfreeze()
    try:
        assert await patches._ready_after_load(load)("model.tar.gz") is agent
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert agent.parsed == list(MESSAGES)
    assert {"fr", "nl"} <= {detect(text).name for text in MESSAGES if len(text.split()) > 3}
    (tracker,) = agent.predicted
    assert [e.text for e in tracker.events if e.type_name == "user"] == list(MESSAGES)


def test_the_wrapped_rasa_functions_still_have_the_signatures_the_fixes_expect() -> None:
    # If a Rasa upgrade changes them, the fixes must be re-examined.
    from rasa.core import run
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.shared.core.events import Event

    def parameters(function) -> list[str]:
        return list(inspect.signature(getattr(function, "__wrapped__", function)).parameters)

    assert parameters(ActionExtractSlots._run_custom_action) == [
        "self",
        "custom_action",
        "output_channel",
        "nlg",
        "tracker",
        "domain",
    ]
    assert parameters(Event.resolve_by_type) == ["type_name", "default"]
    load = getattr(run.load_agent_on_start, "__wrapped__", run.load_agent_on_start)
    assert "return app.ctx.agent" in inspect.getsource(load)


async def test_a_failed_warm_up_does_not_stop_the_server(caplog) -> None:
    import gc

    agent = _Agent()

    async def broken(text: str) -> dict:
        raise RuntimeError("no model")

    agent.parse_message = broken  # type: ignore[method-assign]

    async def load(*args):
        return agent

    try:
        assert await patches._ready_after_load(load)("model.tar.gz") is agent
    finally:
        gc.unfreeze()
    assert "warm-up failed" in caplog.text


def _limited(received: list[str], language: str | None = None):
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    async def handle(message: UserMessage) -> None:
        received.append(message.text)

    async def language_of(_sender: str) -> str | None:
        return language

    handler = patches.limited_handler(handle, 2000, language_of)

    async def send(text: str, metadata: dict | None = None) -> list[str]:
        output = CollectingOutputChannel()
        await handler(UserMessage(text, output, "someone", metadata=metadata))
        return [m["text"] for m in output.messages]

    return send


async def test_a_message_at_the_limit_reaches_nlu_one_over_does_not() -> None:
    received: list[str] = []
    send = _limited(received)
    assert await send("a" * 2000) == [] and received == ["a" * 2000]
    answer = await send("Bonjour, je cherche du travail en Belgique. " * 50)
    assert received == ["a" * 2000]
    assert answer == [
        "Votre message est trop long pour moi. Pouvez-vous le résumer en 2\u202f000 caractères"
        " au maximum ?"
    ]


async def test_the_conversations_language_answers_a_long_message() -> None:
    answer = await _limited([], "nl")("Bonjour, je cherche du travail en Belgique. " * 50)
    assert answer == [
        "Je bericht is te lang voor mij. Kan je het samenvatten in maximaal 2.000 tekens?"
    ]


async def test_a_long_message_in_no_clear_language_is_answered_in_both() -> None:
    answer = await _limited([])("1234 " * 1000)
    assert len(answer) == 2 and "trop long" in answer[0] and "te lang" in answer[1]


def test_answers_after_a_message_are_those_stored_until_the_next_message() -> None:
    from rasa.shared.core.events import BotUttered, SlotSet, UserUttered

    events = [
        UserUttered("bonjour", message_id="a"),
        BotUttered("Bonjour !", {"buttons": [{"title": "Impôts", "payload": "/faq"}]}),
        UserUttered("je cherche un emploi", message_id="b"),
        SlotSet("language", "fr"),
        BotUttered("Quel métier ?"),
        BotUttered("Et où ?"),
        UserUttered("soudeur", message_id="c"),
        BotUttered("3 offres"),
    ]
    assert patches.answers_after(events, "b") == [
        {"text": "Quel métier ?"},
        {"text": "Et où ?"},
    ]
    [first] = patches.answers_after(events, "a") or []
    assert first["text"] == "Bonjour !" and first["buttons"][0]["payload"] == "/faq"
    assert patches.answers_after(events, "never-stored") is None


async def test_a_rest_message_stored_before_its_process_died_is_answered_not_processed() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    processed: list[str] = []

    async def handle(message: UserMessage) -> None:
        processed.append(message.text)

    stored = {("web-1", "known-id"): [{"text": "Bonjour !"}]}

    async def answers_to(sender: str, message_id: str) -> list[dict[str, Any]] | None:
        return stored.get((sender, message_id))

    handler = patches.replaying_handler(handle, answers_to)
    again = CollectingOutputChannel()
    await handler(
        UserMessage("bonjour", again, "web-1", input_channel="rest", message_id="known-id")
    )
    assert processed == [] and [m["text"] for m in again.messages] == ["Bonjour !"]
    fresh = CollectingOutputChannel()
    await handler(UserMessage("merci", fresh, "web-1", input_channel="rest", message_id="new-id"))
    assert processed == ["merci"]


async def test_an_action_server_that_cannot_run_the_action_gets_a_polite_answer() -> None:
    """The action server killed: Rasa's RemoteAction cannot connect (a real refused port)."""
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import EndpointConfig

    from bot.messages import text as catalog
    from bot.ops.cli import free_port

    patches.apply(production=False)
    domain = Domain.from_dict({"slots": {"language": {"type": "any", "mappings": []}}})
    action = RemoteAction(
        "action_search_vacancies", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    )
    for language in ("fr", "nl"):
        tracker = DialogueStateTracker.from_events("s", [SlotSet("language", language)])
        events = await action.run(
            CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain
        )
        assert [e.text for e in events] == [catalog(language, "service.try_again")]
