"""The reference data the actions read, loaded when the action server starts.

Each loader reads its files on first use and keeps them (``functools.cache``): the FAQ
knowledge base, both message catalogs and the gazetteer's name index. Left to the first
candidate after a start, that took about 240 ms on this machine, on top of the answer; with
twenty conversations at once (the paced load of benchmarks/rest.py) the others queued behind
it, and the conversations that met it stayed bunched for the rest of the load.
"""

from __future__ import annotations

import logging
import time

from bot import gazetteer, knowledge, messages
from bot.language.codes import SUPPORTED

logger = logging.getLogger(__name__)


def load_reference_data() -> float:
    """Load everything above now; the seconds it took."""
    started = time.perf_counter()
    knowledge.topics()
    for language in SUPPORTED:
        messages.catalog(language)
    gazetteer.find_place("Kortrijk")  # builds the name index of places and occupations
    seconds = time.perf_counter() - started
    logger.info("reference data loaded in %.2f s", seconds)
    return seconds
