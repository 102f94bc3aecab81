"""Which projection the consumer feeds: the console's, once its tables exist.

The console's conversation list and analytics are a projection of Rasa's events computed by
the console's own code (the same function feeds them from the tracker store in the embedded
default); this module only picks it. Without the console's tables, events are recorded
(``consumed_events``) and nothing else.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.events import Projection, no_projection


def projection_for(engine: Engine) -> Projection:
    """The projection to feed for this database."""
    return no_projection
