"""NLU figures: intent accuracy on the held-out and development sets, language detection.

The held-out set (tests/nlu_heldout/) was written by someone who never saw the training data
and is never used to choose anything; only the development set's misses are printed.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from bot.language.detection import detect
from bot.ops.cli import PROJECT_DIR
from bot.training import data as training_data

HELDOUT = PROJECT_DIR / "tests" / "nlu_heldout"
DEV = PROJECT_DIR / "tests" / "nlu_dev"


def _examples(folder: Path) -> list[tuple[str, str, str]]:
    """(language, intent, text) for every example of the NLU files of ``folder``."""
    rows = []
    for path in sorted(folder.glob("*.yml")):
        language = path.stem.rsplit("_", 1)[-1]
        for intent, lines in training_data.examples(path, plain=True).items():
            rows.extend((language, intent, text) for text in lines)
    return rows


def _predicted(parsed: dict[str, Any]) -> str:
    """The intent, with the ResponseSelector's topic for a retrieval intent ("faq/taxes")."""
    intent = parsed["intent"]
    name = str(intent.get("name"))
    selectors = parsed.get("response_selector") or {}
    if name not in selectors.get("all_retrieval_intents", []):
        return name
    selected = selectors.get(name) or {}
    key = (selected.get("response") or {}).get("intent_response_key")
    return str(intent.get("full_retrieval_intent_name") or key or name)


async def nlu_figures(model: Path) -> dict[str, Any]:
    """Intent accuracy on the held-out and development sets, and language detection."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    figures = {"heldout": await _accuracy(agent, HELDOUT), "dev": await _accuracy(agent, DEV)}
    detection: dict[str, list[bool]] = defaultdict(list)
    for language, _intent, text in _examples(HELDOUT):
        if len(text.split()) >= 3:
            detection[language].append(detect(text).name == language)
    fresh: dict[str, list[bool]] = defaultdict(list)
    for path in sorted(HELDOUT.glob("detection_*.txt")):
        language = path.stem.rsplit("_", 1)[-1]
        for text in filter(None, (line.strip() for line in path.read_text().splitlines())):
            fresh[language].append(detect(text).name == language)
    figures["detection"] = {lang: (_share(v), len(v)) for lang, v in sorted(detection.items())}
    figures["fresh_detection"] = {lang: (_share(v), len(v)) for lang, v in sorted(fresh.items())}
    return figures


def _share(values: list[bool]) -> float:
    return 100.0 * sum(values) / len(values)


async def _accuracy(agent: Any, folder: Path) -> dict[str, Any]:
    per_lang: dict[str, list[bool]] = defaultdict(list)
    per_intent: dict[tuple[str, str], list[bool]] = defaultdict(list)
    misses = []
    for language, intent, text in _examples(folder):
        parsed = await agent.parse_message(text)
        predicted = _predicted(parsed)
        right = predicted == intent
        per_lang[language].append(right)
        per_intent[(language, intent)].append(right)
        if not right:
            misses.append((language, intent, predicted, text))
    return {
        "intent": {lang: (_share(v), len(v)) for lang, v in sorted(per_lang.items())},
        "worst": sorted((_share(v), k) for k, v in per_intent.items())[:8],
        "per_intent": {key: (_share(v), len(v)) for key, v in per_intent.items()},
        "misses": misses,
    }


def report(nlu: dict[str, Any]) -> list[str]:
    """The NLU section of docs/benchmarks.md."""
    lines = [
        "## NLU",
        "",
        "Intent accuracy (a `faq/<topic>` counts as right only when the topic chosen (the"
        " ResponseSelector and the topic model vote, `FaqTopicVote`) is right too; a message"
        " sent to the fallback counts as wrong). The held-out"
        " set `tests/nlu_heldout/` was written by someone who never saw the training data and is"
        " never used to choose anything; lines equal to a training line were removed."
        " `tests/nlu_dev/` is the development set, whose misses are read to improve the data.",
        "",
        "| language | held-out accuracy | examples | dev accuracy | examples |"
        " language detection, held-out, 3+ words | examples |",
        "|---|---|---|---|---|---|---|",
    ]
    held, dev = nlu["heldout"], nlu["dev"]
    for lang, (acc, n) in held["intent"].items():
        dacc, dn = dev["intent"].get(lang, (float("nan"), 0))
        det, detn = nlu["detection"][lang]
        lines.append(f"| {lang} | {acc:.1f} % | {n} | {dacc:.1f} % | {dn} | {det:.1f} % | {detn} |")
    fresh = ", ".join(
        f"{lang} {acc:.1f} % of {n}" for lang, (acc, n) in nlu["fresh_detection"].items()
    )
    lines += [
        "",
        f"Language detection on tests/nlu_heldout/detection_*.txt (messages of 3+ words): {fresh}.",
        "",
        "Worst held-out intents: "
        + ", ".join(f"{lang}/{intent} {acc:.0f} %" for acc, (lang, intent) in held["worst"]),
        "",
    ]
    return lines + _topic_table(held["per_intent"])


def _topic_table(per_intent: dict[tuple[str, str], tuple[float, int]]) -> list[str]:
    """Accuracy per FAQ topic (intent and ResponseSelector topic both right), worst first."""
    topics = sorted({intent for _, intent in per_intent if intent.startswith("faq/")})
    if not topics:
        return []

    def mean(topic: str) -> float:
        return sum(per_intent.get((lang, topic), (0.0, 0))[0] for lang in ("fr", "nl")) / 2

    lines = [
        "### FAQ topics (retrieval intent and selected topic both right), worst first",
        "",
        "| topic | fr | nl |",
        "|---|---|---|",
    ]
    for topic in sorted(topics, key=mean):
        cells = []
        for lang in ("fr", "nl"):
            acc, n = per_intent.get((lang, topic), (float("nan"), 0))
            cells.append(f"{acc:.0f} % of {n}")
        lines.append(f"| {topic} | {' | '.join(cells)} |")
    return lines + [""]
