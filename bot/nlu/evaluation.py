"""A trained model's scores: intent accuracy on the held-out and development sets, per
language and per intent, every message's result, and language detection.

The held-out set (tests/nlu_heldout/) was written by someone who never saw the training data
and is never used to choose anything; the development set (tests/nlu_dev/) is read to
improve the data. ``make bench`` reports these figures (benchmarks/nlu.py) and
``python -m bot.manage models evaluate`` keeps them beside each model (bot/training/models.py).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from bot.config import PROJECT_DIR
from bot.language.detection import detect
from bot.training import data as training_data

HELDOUT = PROJECT_DIR / "tests" / "nlu_heldout"
DEV = PROJECT_DIR / "tests" / "nlu_dev"


def examples(folder: Path) -> list[tuple[str, str, str]]:
    """(language, intent, text) for every example of the NLU files of ``folder``."""
    rows: list[tuple[str, str, str]] = []
    for path in sorted(folder.glob("*.yml")):
        language = path.stem.rsplit("_", 1)[-1]
        for intent, lines in training_data.examples(path, plain=True).items():
            rows.extend((language, intent, text) for text in lines)
    return rows


def predicted(parsed: dict[str, Any]) -> str:
    """The intent, with the ResponseSelector's topic for a retrieval intent ("faq/taxes")."""
    intent = parsed["intent"]
    name = str(intent.get("name"))
    selectors = parsed.get("response_selector") or {}
    if name not in selectors.get("all_retrieval_intents", []):
        return name
    selected = selectors.get(name) or {}
    key = (selected.get("response") or {}).get("intent_response_key")
    return str(intent.get("full_retrieval_intent_name") or key or name)


async def nlu_figures(model: Path, heldout: Path = HELDOUT, dev: Path = DEV) -> dict[str, Any]:
    """Intent accuracy on the held-out and development sets, and language detection."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    figures = {"heldout": await accuracy(agent, heldout), "dev": await accuracy(agent, dev)}
    detection: dict[str, list[bool]] = defaultdict(list)
    for language, _intent, text in examples(heldout):
        if len(text.split()) >= 3:
            detection[language].append(detect(text).name == language)
    fresh: dict[str, list[bool]] = defaultdict(list)
    for path in sorted(heldout.glob("detection_*.txt")):
        language = path.stem.rsplit("_", 1)[-1]
        for text in filter(None, (line.strip() for line in path.read_text().splitlines())):
            fresh[language].append(detect(text).name == language)
    figures["detection"] = {lang: (share(v), len(v)) for lang, v in sorted(detection.items())}
    figures["fresh_detection"] = {lang: (share(v), len(v)) for lang, v in sorted(fresh.items())}
    return figures


def share(values: list[bool]) -> float:
    return 100.0 * sum(values) / len(values)


async def accuracy(agent: Any, folder: Path) -> dict[str, Any]:
    """Accuracy per language and per (language, intent), the eight worst intents, the misses,
    and every message's result (``results``: language, intent, predicted, text)."""
    per_lang: dict[str, list[bool]] = defaultdict(list)
    per_intent: dict[tuple[str, str], list[bool]] = defaultdict(list)
    misses: list[tuple[str, str, str, str]] = []
    results: list[tuple[str, str, str, str]] = []
    for language, intent, text in examples(folder):
        got = predicted(await agent.parse_message(text))
        right = got == intent
        per_lang[language].append(right)
        per_intent[(language, intent)].append(right)
        results.append((language, intent, got, text))
        if not right:
            misses.append((language, intent, got, text))
    return {
        "intent": {lang: (share(v), len(v)) for lang, v in sorted(per_lang.items())},
        "worst": sorted((share(v), k) for k, v in per_intent.items())[:8],
        "per_intent": {key: (share(v), len(v)) for key, v in per_intent.items()},
        "misses": misses,
        "results": results,
    }
