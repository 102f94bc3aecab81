"""The intents a consultant may choose when labelling a message: the domain's own.

Read from the domain directory (one file per feature, as Rasa merges it): every intent,
with the retrieval intent ``faq`` expanded into its ``faq/<topic>`` keys from the
``utter_faq/<topic>`` responses. Intents that the model never learns
(``other_language``, set by a component) are left out.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.config import PROJECT_DIR

DOMAIN_DIR = PROJECT_DIR / "domain"
NOT_TRAINED = frozenset({"other_language"})
RETRIEVAL_PREFIX = "utter_"


@lru_cache(maxsize=4)
def intent_choices(domain_dir: Path = DOMAIN_DIR) -> tuple[str, ...]:
    """Sorted intent names, ``faq/<topic>`` instead of ``faq``."""
    intents: set[str] = set()
    retrieval: set[str] = set()
    responses: set[str] = set()
    for path in sorted(domain_dir.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("intents") or []:
            if isinstance(item, str):
                intents.add(item)
            elif isinstance(item, dict):
                for name, options in item.items():
                    intents.add(name)
                    if (options or {}).get("is_retrieval_intent"):
                        retrieval.add(name)
        responses |= set((data.get("responses") or {}).keys())
    for name in retrieval:
        keys = {r[len(RETRIEVAL_PREFIX) :] for r in responses if r.startswith(f"utter_{name}/")}
        intents.discard(name)
        intents |= keys
    return tuple(sorted(intents - NOT_TRAINED))
