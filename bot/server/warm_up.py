"""The model's first messages, answered before the server takes any.

TensorFlow traces the ResponseSelector's graph on its first inputs: measured on this
project's model, the first message took 5.3 s and the next one of another length 1.5 s,
then about 12 ms each. A candidate writing to a freshly started server waited for that. The
messages below (both languages, different lengths, no personal data) are parsed and one
next action is predicted on a tracker kept in memory only: nothing is stored, published or
sent to the action server.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

MESSAGES = (
    "bonjour",
    "ok",
    "je cherche un emploi de soudeur à Courtrai, comment faire ?",
    "moet ik Frans spreken om in Rijsel te werken?",
)


async def warm_up(agent: Any) -> float:
    """Parse :data:`MESSAGES` and predict an action after the last one; the seconds it took."""
    started = time.perf_counter()
    events: list[Any] = [ActionExecuted("action_listen")]
    for text in MESSAGES:
        parsed = await agent.parse_message(text)
        events.append(UserUttered(text, parsed.get("intent"), parsed.get("entities"), parsed))
    tracker = DialogueStateTracker.from_events("warm-up", events, agent.domain.slots)
    agent.processor.predict_next_with_tracker(tracker)
    seconds = time.perf_counter() - started
    logger.info("model warmed up in %.1f s", seconds)
    return seconds
