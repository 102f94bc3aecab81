"""Small, documented fixes applied to Rasa 3.6.21 before the server starts.

Each fix keeps Rasa's behaviour and only removes a cost or a gap found by measurement; each
has a test in tests/unit/test_server_patches.py that fails if the patched code changes.

Always on:

- the action-server response schema is compiled once (``_validate_action_result``);
- once the model is loaded, it answers a few messages kept in memory only
  (:mod:`bot.server.warm_up`) before the server takes any: TensorFlow's first traces took
  the first candidate 5 s; then the objects alive (the model, TensorFlow, Rasa's code: about
  750,000) leave the garbage collector's care (``gc.freeze``). Each full collection walked
  them all and held the event loop for 0.3 to 0.6 s, several times a minute under load:
  that was the slow tail of the REST latency (``_ready_after_load``);
- the class of an event is looked up by its type name once, not by walking every subclass of
  ``Event`` for each event read back from the tracker store (``_resolve_by_type``: that
  walk was nine tenths of deserialising a conversation);
- the slot-mapping actions of :mod:`bot.server.local_actions` (``action_set_language``) run
  in the Rasa process instead of through the action server (``_run_custom_action``);
- a custom action the action server cannot run (killed, restarting) ends in "please try
  again in a moment" in the conversation's language, not in silence (``_polite_remote_run``);
- the channels' message handler answers politely when a shared service is down
  (``polite_handler``): a :class:`bot.errors.ServiceUnavailable` or a Rasa ``LockError``
  becomes "please try again in a moment" in the user's language instead of an empty answer.

- a user message longer than ``BOT_MAX_MESSAGE_CHARS`` is refused before NLU on every
  channel, with a short answer in the conversation's language (``limited_handler``), and
  the server reads no request body over ``BOT_MAX_REQUEST_BYTES`` (Sanic's
  ``REQUEST_MAX_SIZE``, 413 beyond): a 200 KB message held the event loop for 20 s.

- a REST message that the load balancer sends again because the process it reached died
  before answering is answered from what that process stored, or processed once if it
  stored nothing (``replaying_handler``; the id is HAProxy's ``X-Request-Id``).

- Rasa's Redis lock store updates its tickets in Redis transactions
  (:mod:`bot.server.redis_lock`), so that two processes never both hold one conversation's
  lock (used only where ``lock_store: type: redis`` is configured).

Production mode only (``BOT_MODE=production``, set by ``make run-prod``):

- no silent in-memory tracker store (rasa issue 3243): Rasa's ``FailSafeTrackerStore``
  raises :class:`bot.errors.TrackerStoreUnavailable` where it would fall back to memory, and
  a tracker store class that cannot be imported stops the start instead of being replaced
  by an ``InMemoryTrackerStore``.

With ``BOT_LOG_FORMAT=json`` (production mode), Rasa's logging follows the dictConfig file
given with ``--logging-config-file``: coloredlogs, which Rasa installs after reading that
file and which would replace its handler, is skipped, and Sanic's loggers (which Rasa cuts
off from the root logger) write through the root logger's JSON handler.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Awaitable, Callable
from functools import cache, wraps
from typing import Any

from bot import log
from bot.config import Settings
from bot.errors import ForeignConversation, ServiceUnavailable, TrackerStoreUnavailable
from bot.language import SUPPORTED as SUPPORTED_LANGUAGES
from bot.messages import text as catalog_text
from bot.server import redis_lock
from bot.server.retry_message import KEY as RETRY_KEY
from bot.server.retry_message import too_long_text, try_again_text

logger = logging.getLogger(__name__)


@cache
def _action_response_validator() -> Any:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the response schema compiled once.

    ``jsonschema.validate`` checks the (large) schema against its meta-schema on every call:
    profiling showed a quarter of the server's time per message in it, on every custom
    action. The instance is validated against the same schema, with the same error.
    """
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    # What jsonschema.validate raises: the most relevant of the errors.
    error = best_match(_action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


_EVENT_CLASSES: dict[str, type] = {}


def _resolve_by_type(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Event.resolve_by_type`` remembering the classes found (never a default or an error)."""

    @wraps(original)
    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = _EVENT_CLASSES.get(type_name)
        if found is None:
            found = original(type_name, default)
            if found is not None and getattr(found, "type_name", None) == type_name:
                _EVENT_CLASSES[type_name] = found
        return found

    resolve_by_type.__wrapped_by_bot__ = True  # type: ignore[attr-defined]
    return resolve_by_type


def _ready_after_load(load: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``rasa.core.run.load_agent_on_start``, then the warm-up and ``gc.freeze()``."""
    from bot.server.warm_up import warm_up

    @wraps(load)
    async def load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        if agent is not None and agent.is_ready():
            try:
                await warm_up(agent)
            except Exception:  # a slower first answer, not a server that does not start
                logger.exception("warm-up failed; the first messages will be slower")
        gc.collect()  # what loading left behind is freed, not frozen
        gc.freeze()
        logger.debug("garbage collector: %d objects frozen after loading", gc.get_freeze_count())
        return agent

    load_agent_on_start.__wrapped_by_bot__ = True  # type: ignore[attr-defined]
    return load_agent_on_start


def _run_custom_action(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``ActionExtractSlots._run_custom_action`` that runs the local slot actions in process.

    Rasa keeps the ``SlotSet`` and ``BotUttered`` events of a slot-mapping action; the local
    actions return ``SlotSet`` events only. Any other action goes to the action server.
    """
    from bot.server.local_actions import SLOT_ACTIONS

    @wraps(original)
    async def run(self: Any, custom_action: str, *args: Any) -> Any:
        local = SLOT_ACTIONS.get(custom_action)
        if local is None:
            return await original(self, custom_action, *args)
        _output_channel, _nlg, tracker, _domain = args
        return local(tracker)

    run.__wrapped_by_bot__ = True  # type: ignore[attr-defined]
    return run


def polite_handler(
    handle: Callable[[Any], Awaitable[Any]],
) -> Callable[[Any], Awaitable[None]]:
    """Wrap a channel's ``on_new_message`` so that an outage is answered, not swallowed.

    Rasa's REST channel logs any exception of the handler and answers ``[]``; socket.io and
    the messaging channels answer nothing. The user then believes the message was read. The
    text comes from the catalogs, in the language of the message's metadata or detected
    from its text (the conversation's language slot cannot be read: its store is down).
    """
    from rasa.core.lock_store import LockError

    async def handler(message: Any) -> None:
        try:
            await handle(message)
        except (ServiceUnavailable, LockError) as exc:
            logger.warning(
                "message not processed, the user is asked to try again (%s: %s)",
                type(exc).__name__,
                exc,
            )
            text = try_again_text(message.text, message.metadata)
            await message.output_channel.send_text_message(message.sender_id, text)

    return handler


LanguageOf = Callable[[str], Awaitable[str | None]]


def limited_handler(
    handle: Callable[[Any], Awaitable[Any]], max_chars: int, language_of: LanguageOf
) -> Callable[[Any], Awaitable[None]]:
    """Refuse a message longer than ``max_chars`` before NLU sees it.

    The user gets one short answer, in the conversation's language (``language_of`` the
    sender), else in the language of the message's beginning; nothing of the message is
    logged or kept in the conversation.
    """

    async def handler(message: Any) -> None:
        text = message.text if isinstance(message.text, str) else ""
        if len(text) <= max_chars:
            await handle(message)
            return
        logger.warning(
            "message of %d characters refused (limit %d), channel %s",
            len(text),
            max_chars,
            message.input_channel,
        )
        try:
            language = await language_of(message.sender_id)
        except Exception:  # the store is down: the message's own language will do
            language = None
        answer = too_long_text(language, max_chars, text, message.metadata)
        await message.output_channel.send_text_message(message.sender_id, answer)

    return handler


ChannelOf = Callable[[str], Awaitable[str | None]]
REST = "rest"


def guarded_handler(
    handle: Callable[[Any], Awaitable[Any]], channel_of: ChannelOf
) -> Callable[[Any], Awaitable[None]]:
    """Refuse a REST message for a conversation held on another channel.

    The REST caller chooses the conversation id; the website's session ids, Telegram chat
    ids, Messenger and WhatsApp user ids are all conversation ids too. A conversation
    whose last user message came from another channel is not the caller's: the message
    raises :class:`ForeignConversation` (403 from the REST channel), unprocessed, so that a
    consultant's takeover reply always goes back to the candidate's own channel.
    """

    async def handler(message: Any) -> None:
        if message.input_channel == REST:
            try:
                held_on = await channel_of(message.sender_id)
            except Exception:  # the store is down: so is the conversation, answered politely
                held_on = None
            if held_on is not None and held_on != REST:
                raise ForeignConversation(REST, held_on)
        await handle(message)

    return handler


AnswersTo = Callable[[str, str], Awaitable[list[dict[str, Any]] | None]]


def replaying_handler(
    handle: Callable[[Any], Awaitable[Any]], answers_to: AnswersTo
) -> Callable[[Any], Awaitable[None]]:
    """Answer a REST message sent again, without processing it twice.

    In production mode HAProxy gives each request an id (``X-Request-Id``, the message's
    ``message_id``) and, when the process it reached dies before answering, sends the same
    request to another process. If the dead process had stored the message (Rasa saves a
    message and its answers in one transaction, after processing), the candidate gets those
    answers again (``answers_to``); if not, the message is processed now, once.
    """

    async def handler(message: Any) -> None:
        if message.input_channel == REST and message.message_id:
            try:
                answers = await answers_to(message.sender_id, message.message_id)
            except Exception:  # the store is down: processing will say so politely
                answers = None
            if answers is not None:
                logger.info("rest: message sent again after a process died; answers replayed")
                for answer in answers:
                    await message.output_channel.send_response(message.sender_id, answer)
                return
        await handle(message)

    return handler


def answers_after(events: list[Any], message_id: str) -> list[dict[str, Any]] | None:
    """The bot's answers to the user message ``message_id`` in a conversation's events, or
    None when the conversation does not hold that message."""
    from rasa.shared.core.events import BotUttered, UserUttered

    answers: list[dict[str, Any]] | None = None
    for event in events:
        if isinstance(event, UserUttered):
            if answers is not None:
                break
            if event.message_id == message_id:
                answers = []
        elif answers is not None and isinstance(event, BotUttered):
            answers.append({**(event.data or {}), "text": event.text})
    return answers


def _project_store(app: Any, method: str) -> Any:
    """The project's tracker store (bot.server.tracker_store) behind Rasa's wrappers
    (AwaitableTrackerStore, FailSafeTrackerStore) when it has ``method``, else None."""
    store = app.ctx.agent.tracker_store
    while store is not None and not hasattr(store, method):
        store = getattr(store, "_tracker_store", None)
    return store


def _stored_answers(app: Any) -> AnswersTo:
    async def answers_to(sender_id: str, message_id: str) -> list[dict[str, Any]] | None:
        store = _project_store(app, "events_of_message")
        if store is not None:  # a few rows, not the whole conversation
            events = await store.events_of_message(sender_id, message_id)
        else:
            tracker = await app.ctx.agent.tracker_store.retrieve(sender_id)
            events = list(tracker.events) if tracker is not None else None
        return answers_after(events, message_id) if events is not None else None

    return answers_to


def _polite_remote_run(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """``RemoteAction.run`` that, when the action server cannot run the action (down,
    restarting, an error), tells the candidate to try again in a moment, in the
    conversation's language, instead of Rasa's silence (it logs the error and goes on)."""
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.core.events import BotUttered
    from rasa.shared.exceptions import RasaException

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise  # a form's validation refusing: Rasa's own flow
        except RasaException as exc:
            logger.error("custom action %s failed (%s): asked to try again", self.name(), exc)
            language = tracker.get_slot("language")
            if language in SUPPORTED_LANGUAGES:
                return [
                    BotUttered(catalog_text(language, RETRY_KEY), metadata={"language": language})
                ]
            latest = tracker.latest_message
            text = try_again_text(getattr(latest, "text", None), getattr(latest, "metadata", None))
            return [BotUttered(text)]

    run.__wrapped_by_bot__ = True  # type: ignore[attr-defined]
    return run


def _conversation_channel(app: Any) -> ChannelOf:
    async def channel_of(sender_id: str) -> str | None:
        store = _project_store(app, "latest_input_channel")
        if store is not None:  # one row, not the whole conversation
            return await store.latest_input_channel(sender_id)  # type: ignore[no-any-return]
        tracker = await app.ctx.agent.tracker_store.retrieve(sender_id)
        channel = tracker.get_latest_input_channel() if tracker is not None else None
        return channel if isinstance(channel, str) else None

    return channel_of


def _conversation_language(app: Any) -> LanguageOf:
    async def language_of(sender_id: str) -> str | None:
        tracker = await app.ctx.agent.tracker_store.retrieve(sender_id)
        value = tracker.get_slot("language") if tracker is not None else None
        return value if isinstance(value, str) else None

    return language_of


def _register(input_channels: list[Any], app: Any, route: str | None) -> None:
    """``rasa.core.channels.channel.register`` with :func:`polite_handler` and
    :func:`limited_handler` around the agent, and the server's request body limit."""
    from urllib.parse import urljoin

    settings = Settings.from_env()
    app.config.REQUEST_MAX_SIZE = settings.max_request_bytes
    app.config.WEBSOCKET_MAX_SIZE = settings.max_request_bytes  # socket.io's frames

    async def handle(message: Any) -> None:
        await app.ctx.agent.handle_message(message)

    handler = guarded_handler(
        replaying_handler(
            limited_handler(
                polite_handler(handle), settings.max_message_chars, _conversation_language(app)
            ),
            _stored_answers(app),
        ),
        _conversation_channel(app),
    )
    for channel in input_channels:
        prefix = urljoin(route, channel.url_prefix()) if route else None
        app.blueprint(channel.blueprint(handler), url_prefix=prefix)
    app.ctx.input_channels = input_channels


def _strict(method_name: str) -> Callable[..., Awaitable[Any]]:
    async def call(self: Any, *args: Any) -> Any:
        try:
            return await getattr(self._tracker_store, method_name)(*args)
        except Exception as exc:  # any driver error: the store cannot be trusted now
            logger.error(
                "tracker store %s failed, no fallback to memory (%s)",
                method_name,
                type(exc).__name__,
            )
            raise TrackerStoreUnavailable(f"{method_name}: {type(exc).__name__}") from exc

    call.__name__ = method_name
    call.__doc__ = f"FailSafeTrackerStore.{method_name} without the in-memory fallback."
    return call


def _load_tracker_store_class(domain: Any, store: Any, event_broker: Any = None) -> Any:
    """Load a tracker store named by module path; an import failure stops the start.

    Rasa's version returns an ``InMemoryTrackerStore`` on ``ImportError`` or
    ``AttributeError``, which keeps every conversation in one process's memory only.
    """
    from rasa.shared.utils.common import class_from_module_path

    store_class = class_from_module_path(store.type)
    return store_class(host=store.url, domain=domain, event_broker=event_broker, **store.kwargs)


def production_mode(environ: dict[str, str] | None = None) -> bool:
    """True when the Rasa server runs in production mode (``BOT_MODE=production``)."""
    return Settings.from_env(environ).production


def apply_strict_tracker_store() -> None:
    """Never fall back to an in-memory tracker store (rasa issue 3243)."""
    from rasa.core import tracker_store

    for name in ("retrieve", "retrieve_full_tracker", "save", "keys"):
        setattr(tracker_store.FailSafeTrackerStore, name, _strict(name))
    tracker_store._load_from_module_name_in_endpoint_config = _load_tracker_store_class


def _sanic_logs_through_root(original: Callable[..., None]) -> Callable[..., None]:
    def update_sanic_log_level(*args: Any, **kwargs: Any) -> None:
        original(*args, **kwargs)
        for name in ("sanic.root", "sanic.error", "sanic.access"):
            logging.getLogger(name).handlers[:] = list(logging.getLogger().handlers)

    return update_sanic_log_level


def apply_json_logging() -> None:
    """Keep the JSON handler of the logging config file for Rasa and Sanic."""
    import rasa.utils.common
    import rasa.utils.io

    rasa.utils.io.configure_colored_logging = lambda loglevel: None
    logging.captureWarnings(True)  # library warnings as JSON lines too
    if not getattr(rasa.utils.common.update_sanic_log_level, "__wrapped_by_bot__", False):
        wrapped = _sanic_logs_through_root(rasa.utils.common.update_sanic_log_level)
        wrapped.__wrapped_by_bot__ = True  # type: ignore[attr-defined]
        rasa.utils.common.update_sanic_log_level = wrapped


def apply(production: bool | None = None) -> None:
    """Apply every fix (idempotent); the strict store only in production mode."""
    from rasa.core import run
    from rasa.core.actions.action import ActionExtractSlots, RemoteAction
    from rasa.core.channels import channel
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    if not getattr(RemoteAction.run, "__wrapped_by_bot__", False):
        RemoteAction.run = _polite_remote_run(RemoteAction.run)  # type: ignore[method-assign]
    if not getattr(ActionExtractSlots._run_custom_action, "__wrapped_by_bot__", False):
        ActionExtractSlots._run_custom_action = _run_custom_action(  # type: ignore[method-assign]
            ActionExtractSlots._run_custom_action
        )
    channel.register = _register
    if not getattr(Event.resolve_by_type, "__wrapped_by_bot__", False):
        Event.resolve_by_type = staticmethod(_resolve_by_type(Event.resolve_by_type))  # type: ignore[method-assign]
    if not getattr(run.load_agent_on_start, "__wrapped_by_bot__", False):
        run.load_agent_on_start = _ready_after_load(run.load_agent_on_start)
    redis_lock.apply()
    if production_mode() if production is None else production:
        apply_strict_tracker_store()
        logger.info("production mode: no in-memory fallback of the tracker store")
    if log.json_logging():
        apply_json_logging()
    logger.debug("Rasa start-up fixes applied")
