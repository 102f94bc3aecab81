"""The action server loads its reference data when it starts, not on a first message."""

from __future__ import annotations

import importlib

import actions
from bot import knowledge, messages
from bot.gazetteer import _index


def _clear() -> None:
    knowledge.topics.cache_clear()
    messages.catalog.cache_clear()
    _index.index.cache_clear()


def test_importing_the_actions_loads_the_knowledge_base_catalogs_and_gazetteer() -> None:
    _clear()
    importlib.reload(actions)
    assert knowledge.topics.cache_info().currsize == 1
    assert messages.catalog.cache_info().currsize == 2  # French and Dutch
    assert _index.index.cache_info().currsize == 1
