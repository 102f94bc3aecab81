"""NLU figures: intent accuracy on the held-out and development sets, language detection.

The held-out set (tests/nlu_heldout/) was written by someone who never saw the training data
and is never used to choose anything; only the development set's misses are printed.
"""

from __future__ import annotations

from typing import Any

from bot.nlu.evaluation import nlu_figures

__all__ = ["nlu_figures", "report"]


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
