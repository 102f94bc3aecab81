"""Cross-border conversations: the turn pass rate per language (issue 20).

The conversations of ``benchmarks/faq_conversations/<language>.yml`` were written for this
benchmark only, apart from the training data. Each turn goes through the trained model's NLU
(``Agent.parse_message``), then, when the intent is ``faq`` or ``inform_direction`` (the two
that data/rules/faq.yml sends to ``action_answer_faq``), through the real action with the
slots the earlier turns set. A button is its payload, parsed as Rasa parses ``/intent{...}``.
The rest of Rasa's dialogue (policies, forms) is not run: a turn whose intent is anything else
fails, and says which intent it got.

A turn passes when the reply is the one expected: the topic's answer for the situation, the
one question that was still open, or the glossary's answer. ``make bench-faq``
prints the figures and every failing turn; ``make bench`` adds them to docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import yaml

from bot import knowledge, messages
from bot.knowledge import questions
from bot.ops.cli import PROJECT_DIR

CONVERSATIONS = PROJECT_DIR / "benchmarks" / "faq_conversations"
LANGUAGES = ("fr", "nl")
ROUTED = ("faq", "inform_direction")
_PAYLOAD = re.compile(r"^/(\w+)(\{.*\})?$")
_QUESTIONS = ("direction", "residence", "work", "region")


def conversations(language: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((CONVERSATIONS / f"{language}.yml").read_text(encoding="utf-8"))
    return list(data["conversations"])


def payload_parse(payload: str) -> dict[str, Any]:
    """What Rasa's parser makes of a button payload ``/intent{"entity": "value"}``."""
    match = _PAYLOAD.match(payload)
    if not match:
        raise ValueError(f"not a payload: {payload}")
    values = json.loads(match.group(2) or "{}")
    return {
        "text": payload,
        "intent": {"name": match.group(1), "confidence": 1.0},
        "entities": [{"entity": key, "value": value} for key, value in values.items()],
    }


def outcome(text: str, language: str) -> str:
    """What a reply of action_answer_faq is, in the words of the conversations' ``expect``."""
    for question in _QUESTIONS:
        if text == messages.text(language, f"faq.ask_{question}"):
            return f"ask {question}"
    if text.endswith(messages.text(language, "faq.which_question")):
        return "ask question"
    if messages.text(language, "faq.definition_offer") in text:
        for term in questions.glossary().values():
            if term.text[language] in text:
                return f"define {term.key}"
    for name, topic in knowledge.topics().items():
        for key, answer in topic.answers.items():
            if knowledge.answer_text(answer, language) in text:
                return f"answer {name}" if key == knowledge.GENERAL else f"answer {name} {key}"
    return "unknown reply"


def passes(expected: str, got: str) -> bool:
    """``answer <topic>`` accepts any situation of that topic; the rest must be equal."""
    if expected == got:
        return True
    parts = expected.split()
    return parts[0] == "answer" and len(parts) == 2 and got.split()[:2] == parts


async def _turn(
    agent: Any, slots: dict[str, Any], turn: dict[str, Any], language: str
) -> tuple[str, dict[str, Any]]:
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.faq import ActionAnswerFaq

    if "payload" in turn:
        parsed = payload_parse(turn["payload"])
    else:
        parsed = await agent.parse_message(turn["user"])
    intent = parsed["intent"]["name"]
    if intent not in ROUTED:
        return f"intent {intent}", slots
    tracker = Tracker(
        sender_id="bench",
        slots=dict(slots),
        latest_message=parsed,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )
    dispatcher = CollectingDispatcher()
    events = await ActionAnswerFaq().run(dispatcher, tracker, {})
    updated = dict(slots)
    updated.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
    texts = [m.get("text") or "" for m in dispatcher.messages]
    return (outcome(texts[0], language) if texts else "no reply"), updated


async def run(agent: Any) -> dict[str, Any]:
    """Pass rates per language and every failing turn."""
    figures: dict[str, Any] = {}
    for language in LANGUAGES:
        turns = passed = stories_passed = 0
        failures: list[dict[str, str]] = []
        stories = conversations(language)
        for story in stories:
            slots: dict[str, Any] = {"language": language}
            ok_story = True
            for number, turn in enumerate(story["turns"], 1):
                got, slots = await _turn(agent, slots, turn, language)
                ok = passes(turn["expect"], got)
                turns += 1
                passed += ok
                ok_story &= ok
                if not ok:
                    failures.append(
                        {
                            "story": story["name"],
                            "turn": str(number),
                            "said": turn.get("user") or turn.get("payload", ""),
                            "expected": turn["expect"],
                            "got": got,
                        }
                    )
            stories_passed += ok_story
        figures[language] = {
            "conversations": len(stories),
            "conversations_passed": stories_passed,
            "turns": turns,
            "turns_passed": passed,
            "failures": failures,
        }
    return figures


def report(figures: dict[str, Any]) -> list[str]:
    lines = [
        "## Cross-border conversations (NLU of the trained model + action_answer_faq)",
        "",
        "Conversations of benchmarks/faq_conversations/, written apart from the training data "
        "(situation and question together or spread out, definitions, follow-ups, Brussels, "
        "posting and telework, nationality without residence). Target: 98 % of turns.",
        "",
        "| language | conversations | passed | turns | passed | turn pass rate |",
        "|---|---|---|---|---|---|",
    ]
    for language in LANGUAGES:
        f = figures[language]
        rate = 100 * f["turns_passed"] / f["turns"] if f["turns"] else 0.0
        lines.append(
            f"| {language} | {f['conversations']} | {f['conversations_passed']} | {f['turns']} |"
            f" {f['turns_passed']} | {rate:.1f} % |"
        )
    lines.append("")
    failures = [(lang, item) for lang in LANGUAGES for item in figures[lang]["failures"]]
    if failures:
        lines += ["Failing turns:", ""]
        for language, item in failures:
            lines.append(
                f"- [{language}] {item['story']}, turn {item['turn']} ({item['said']!r}): "
                f"expected `{item['expected']}`, got `{item['got']}`"
            )
        lines.append("")
    return lines


async def load_agent(model: Path) -> Any:
    from rasa.core.agent import Agent

    return Agent.load(str(model))


async def main() -> None:
    from bot.config import Settings
    from bot.ops.cli import model_path

    agent = await load_agent(model_path(Settings.from_env()))
    print("\n".join(report(await run(agent))))


if __name__ == "__main__":
    asyncio.run(main())
