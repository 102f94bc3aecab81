"""The production fixes of bot/server/patches.py keep Rasa's behaviour except the fallback."""

from __future__ import annotations

import inspect
import json
import logging

import pytest
from rasa.core import tracker_store
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from bot import log
from bot.errors import TrackerStoreUnavailable
from bot.messages import text
from bot.server import patches
from bot.server.retry_message import message_language, try_again_text

ORIGINAL = {
    name: getattr(tracker_store.FailSafeTrackerStore, name)
    for name in ("retrieve", "retrieve_full_tracker", "save", "keys")
}
ORIGINAL_LOADER = tracker_store._load_from_module_name_in_endpoint_config


@pytest.fixture
def strict() -> None:
    patches.apply_strict_tracker_store()
    yield
    for name, method in ORIGINAL.items():
        setattr(tracker_store.FailSafeTrackerStore, name, method)
    tracker_store._load_from_module_name_in_endpoint_config = ORIGINAL_LOADER


class BrokenStore(tracker_store.InMemoryTrackerStore):
    async def retrieve(self, sender_id: str):  # type: ignore[no-untyped-def]
        raise ConnectionError("database is down")

    async def save(self, tracker) -> None:  # type: ignore[no-untyped-def]
        raise ConnectionError("database is down")


def test_rasa_still_falls_back_silently_where_the_patch_applies() -> None:
    # If a Rasa upgrade changes this, the patch must be re-examined.
    assert "fallback_tracker_store.save" in inspect.getsource(ORIGINAL["save"])
    assert "return None" in inspect.getsource(ORIGINAL["retrieve"])
    assert "InMemoryTrackerStore(domain)" in inspect.getsource(ORIGINAL_LOADER)


async def test_unpatched_rasa_loses_the_conversation_in_memory() -> None:
    store = tracker_store.FailSafeTrackerStore(BrokenStore(Domain.empty()))
    assert await store.retrieve("candidate") is None  # as if the conversation were new


async def test_strict_store_raises_instead_of_falling_back(strict: None) -> None:
    store = tracker_store.FailSafeTrackerStore(BrokenStore(Domain.empty()))
    with pytest.raises(TrackerStoreUnavailable) as raised:
        await store.retrieve("candidate")
    assert isinstance(raised.value.__cause__, ConnectionError)
    tracker = await tracker_store.InMemoryTrackerStore(Domain.empty()).get_or_create_tracker("x")
    with pytest.raises(TrackerStoreUnavailable):
        await store.save(tracker)
    assert store._fallback_tracker_store is None  # nothing was kept in memory


def test_strict_loader_refuses_an_unknown_store_class(strict: None) -> None:
    config = EndpointConfig(type="bot.server.no_such_module.Store")
    with pytest.raises((ImportError, AttributeError)):
        tracker_store._create_from_endpoint_config(config, Domain.empty())


def test_production_mode_comes_from_the_environment() -> None:
    assert patches.production_mode({"BOT_MODE": "production"})
    assert not patches.production_mode({})


@pytest.mark.parametrize(
    "message, metadata, language",
    [
        ("je cherche un travail à Tournai", None, "fr"),
        ("ik zoek werk in Kortrijk", None, "nl"),
        ("ok", {"language": "nl"}, "nl"),
        ("ok", None, None),
        ("/greet", None, None),
    ],
)
def test_language_of_the_retry_text(message: str, metadata: dict | None, language: str) -> None:
    assert message_language(message, metadata) == language


def test_unknown_language_gets_both_texts() -> None:
    both = try_again_text("ok", None)
    assert text("fr", "service.try_again") in both and text("nl", "service.try_again") in both


@pytest.mark.parametrize(
    "error", [TrackerStoreUnavailable("save: OperationalError"), LockError("x")]
)
async def test_an_outage_is_answered_politely(
    error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    async def failing(_message: UserMessage) -> None:
        raise error

    output = CollectingOutputChannel()
    message = UserMessage("ik zoek werk in Kortrijk", output, "candidate-nl")
    with caplog.at_level(logging.WARNING):
        await patches.polite_handler(failing)(message)
    assert [m["text"] for m in output.messages] == [text("nl", "service.try_again")]
    assert "asked to try again" in caplog.text


async def test_other_errors_are_not_hidden() -> None:
    async def failing(_message: UserMessage) -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        await patches.polite_handler(failing)(UserMessage("x", CollectingOutputChannel(), "s"))


def test_json_lines_carry_the_fields_and_mask_personal_data() -> None:
    formatter = log.JsonFormatter(process_name="rasa-1")
    record = logging.LogRecord("bot.x", logging.INFO, __file__, 1, "mail %s", ("a@b.be",), None)
    entry = json.loads(formatter.format(record))
    assert entry["message"] == "mail ***@***" and entry["process"] == "rasa-1"
    assert {"time", "level", "logger", "message", "process", "pid"} <= set(entry)
    structlog_line = logging.LogRecord(
        "rasa", logging.INFO, __file__, 1, '{"event": "x"}', (), None
    )
    assert json.loads(formatter.format(structlog_line))["event"] == {"event": "x"}


def test_rasa_lock_store_still_reads_then_writes_where_the_patch_applies() -> None:
    from rasa.core.lock_store import LockStore, RedisLockStore

    from bot.server import redis_lock

    source = inspect.getsource(LockStore.issue_ticket)
    assert "get_or_create_lock" in source and "save_lock" in source
    original = {n: getattr(RedisLockStore, n) for n in ("issue_ticket", "cleanup", "update_lock")}
    try:
        redis_lock.apply()
        assert RedisLockStore.issue_ticket is redis_lock.issue_ticket
    finally:
        for name, method in original.items():
            setattr(RedisLockStore, name, method)
