"""The answers to cross-border questions, with their sources, read from the knowledge files.

One YAML file per topic in ``bot/resources/knowledge/`` holds everything the assistant says
about that topic in French and Dutch, the official sources and the date the facts were checked
(format in that folder's README). This module loads and checks them, picks the answer for the
candidate's situation and renders it for a chat bubble.

``python -m bot.knowledge`` rewrites ``domain/faq_responses.yml``: the ``utter_faq/<topic>``
responses Rasa's ResponseSelector trains on, generated from the same files.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from bot import messages
from bot.config import Settings
from bot.knowledge.direction import BELGIUM, BRUSSELS, FLANDERS, FRANCE, WALLONIA, Situation
from bot.language.codes import SUPPORTED
from bot.text import fold

GENERAL = "general"
DIRECTION_KEYS = ("fr-be", "fr-be-flanders", "fr-be-wallonia", "fr-be-brussels", "be-fr")
MAX_ANSWER_CHARS = 700
# Placeholders an answer may hold, filled from the settings when it is sent, so that a
# configured value is stated where it is configured ("{retention_days}": BOT_RETENTION_DAYS).
PLACEHOLDERS = frozenset({"retention_days"})
DOMAIN_FILE = Path("domain/faq_responses.yml")


class KnowledgeError(ValueError):
    """A knowledge file is incomplete or inconsistent."""


@dataclass(frozen=True)
class Answer:
    """One answer in both languages and the ids of its sources."""

    text: dict[str, str]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """Everything the assistant knows about one ``faq/<topic>``."""

    name: str
    label: dict[str, str]
    checked: dt.date
    reviewed: dt.date
    reviewed_by: str
    expert_review: str
    volatile: bool
    direction_required: bool
    related: tuple[str, ...]
    sources: dict[str, dict[str, str]]
    answers: dict[str, Answer]

    def source_urls(self, answer: Answer, language: str) -> list[str]:
        """The source pages of ``answer`` in ``language``, without repeats."""
        urls = [self.sources[source][language] for source in answer.sources]
        return list(dict.fromkeys(urls))


@dataclass(frozen=True)
class Reply:
    """What to say about a topic: an answer, or which question to ask first."""

    topic: Topic
    key: str | None = None
    missing: str | None = None  # "direction", "residence", "work" or "region"

    @property
    def answer(self) -> Answer | None:
        return self.topic.answers[self.key] if self.key else None


def reply(topic: Topic, situation: Situation) -> Reply:
    """The answer of ``topic`` for ``situation``, or what must be asked to choose it."""
    if not topic.direction_required:
        return Reply(topic, GENERAL)
    if situation.key == f"{BELGIUM}-{FRANCE}":
        return Reply(topic, "be-fr")
    if situation.key != f"{FRANCE}-{BELGIUM}":
        # Only what is still unknown is asked: one side known, the other one is asked.
        if situation.work and not situation.residence:
            return Reply(topic, missing="residence")
        if situation.residence and not situation.work:
            return Reply(topic, missing="work")
        return Reply(topic, missing="direction")
    if "fr-be" in topic.answers:
        return Reply(topic, "fr-be")
    if situation.work_region and f"fr-be-{situation.work_region}" in topic.answers:
        return Reply(topic, f"fr-be-{situation.work_region}")
    return Reply(topic, missing="region")


def answer_text(answer: Answer, language: str, settings: Settings | None = None) -> str:
    """The answer's own text in ``language``, its placeholders filled from ``settings``."""
    values = {"retention_days": (settings or Settings()).retention_days}
    return answer.text[language].strip().format_map(values)


def render(topic: Topic, key: str, language: str, settings: Settings | None = None) -> str:
    """The chat text of one answer: situation, answer, official sources, date if volatile.

    ``settings`` fill the answer's placeholders (the defaults when None).
    """
    answer = topic.answers[key]
    parts = []
    if key != GENERAL:
        parts.append(messages.text(language, f"faq.situation.{key}"))
    parts.append(answer_text(answer, language, settings))
    urls = topic.source_urls(answer, language)
    template = "faq.source_one" if len(urls) == 1 else "faq.source_many"
    footer = [messages.text(language, template).format(urls=" · ".join(urls))]
    if topic.volatile:
        footer.append(messages.text(language, "faq.volatile").format(date=_date(topic.checked)))
    return "\n".join(parts) + "\n\n" + "\n".join(footer)


def situation_label(situation: Situation, language: str) -> str | None:
    """ "Vous habitez en France et travaillez en Flandre", or None when not cross-border."""
    key = situation.key
    if key is None:
        return None
    if key == f"{FRANCE}-{BELGIUM}" and situation.work_region in (FLANDERS, WALLONIA, BRUSSELS):
        key = f"{key}-{situation.work_region}"
    return messages.text(language, f"faq.noted.{key}")


@cache
def topics() -> dict[str, Topic]:
    """All topics, by name, loaded and checked once."""
    folder = resources.files("bot.resources").joinpath("knowledge")
    loaded = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yml"):
            topic = parse(yaml.safe_load(entry.read_text("utf-8")), entry.name)
            loaded[topic.name] = topic
    for topic in loaded.values():
        unknown = [name for name in topic.related if name not in loaded]
        if unknown:
            raise KnowledgeError(f"{topic.name}: related topics {unknown} do not exist")
    return loaded


# Label words too general to say which topic a message is about.
_GENERIC_LABEL_WORDS = frozenset(
    """travail werk travailleur service services diensten dienst votre notre donnees propos
    naar voor over deze""".split()
)


def _stems(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", fold(text))
    return {w.rstrip("s") for w in words if len(w) >= 5} - _GENERIC_LABEL_WORDS


def topic_in(text: str) -> str | None:
    """The topic whose label a message names best ("et les impôts alors ?" → taxes), by the
    words of its French and Dutch labels; None when it names none, or several as well."""
    said = _stems(text)
    scores = {
        topic.name: len(said & _stems(" ".join(topic.label.values())))
        for topic in topics().values()
    }
    best = max(scores.values(), default=0)
    found = [name for name, score in scores.items() if score == best]
    return found[0] if best and len(found) == 1 else None


def parse(data: dict[str, Any], origin: str = "<knowledge>") -> Topic:
    """A topic from the contents of one knowledge file.

    Raises:
        KnowledgeError: naming the file and the first thing that is wrong with it.
    """
    try:
        topic = Topic(
            name=str(data["topic"]),
            label=_bilingual(data["label"], "label"),
            checked=_as_date(data["checked"], "checked"),
            reviewed=_as_date(data["reviewed"], "reviewed"),
            reviewed_by=_text(data["reviewed_by"], "reviewed_by"),
            expert_review=_text(data["expert_review"], "expert_review"),
            volatile=bool(data["volatile"]),
            direction_required={"required": True, "none": False}[data["direction"]],
            related=tuple(data.get("related") or ()),
            sources={
                key: _bilingual(urls, f"source {key}") for key, urls in data["sources"].items()
            },
            answers={
                key: Answer(
                    text=_bilingual(value, f"answer {key}"),
                    sources=tuple(value["sources"]),
                )
                for key, value in data["answers"].items()
            },
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise KnowledgeError(f"{origin}: missing or malformed field {error}") from error
    except KnowledgeError as error:
        raise KnowledgeError(f"{origin}: {error}") from error
    _check(topic, origin)
    return topic


def domain_responses() -> str:
    """The text of ``domain/faq_responses.yml``: one ``utter_faq/<topic>`` per topic."""
    responses = {
        f"utter_faq/{name}": [
            {
                "condition": [{"type": "slot", "name": "language", "value": language}],
                "text": topic.label[language],
            }
            for language in SUPPORTED
        ]
        for name, topic in topics().items()
    }
    header = (
        "# Generated by `python -m bot.knowledge` from bot/resources/knowledge/: do not edit.\n"
        "# Rasa's ResponseSelector trains on these keys; the answers themselves are sent by\n"
        "# action_answer_faq, which adds the candidate's situation and the sources.\n"
    )
    body: str = yaml.safe_dump(
        {"version": "3.1", "responses": responses}, allow_unicode=True, sort_keys=False
    )
    return header + body


def _check(topic: Topic, origin: str) -> None:
    keys = set(topic.answers)
    if topic.direction_required:
        allowed_sets = [
            {"fr-be", "be-fr"},
            {"fr-be-flanders", "fr-be-wallonia", "be-fr"},
            {"fr-be-flanders", "fr-be-wallonia", "fr-be-brussels", "be-fr"},
        ]
        if keys not in allowed_sets:
            raise KnowledgeError(f"{origin}: direction answers must be one of {allowed_sets}")
    elif keys != {GENERAL}:
        raise KnowledgeError(f"{origin}: a topic without direction has one 'general' answer")
    for key, answer in topic.answers.items():
        if not answer.sources:
            raise KnowledgeError(f"{origin}: answer {key} cites no source")
        unknown = [source for source in answer.sources if source not in topic.sources]
        if unknown:
            raise KnowledgeError(f"{origin}: answer {key} cites unknown sources {unknown}")
        for language, text in answer.text.items():
            try:
                parsed = string.Formatter().parse(text)
                fields = {field for _, field, _, _ in parsed if field is not None}
            except ValueError as error:  # a lone "{" or "}"
                raise KnowledgeError(f"{origin}: answer {key} in {language}: {error}") from None
            if fields - PLACEHOLDERS:
                raise KnowledgeError(
                    f"{origin}: answer {key} in {language} has unknown placeholders "
                    f"{sorted(fields - PLACEHOLDERS)} (known: {sorted(PLACEHOLDERS)})"
                )
            if not text.strip() or len(text) > MAX_ANSWER_CHARS:
                raise KnowledgeError(
                    f"{origin}: answer {key} in {language} is empty or longer than "
                    f"{MAX_ANSWER_CHARS} characters"
                )
    for key, urls in topic.sources.items():
        if not all(url.startswith("https://") for url in urls.values()):
            raise KnowledgeError(f"{origin}: source {key} is not an https link")


def _bilingual(value: Any, what: str) -> dict[str, str]:
    texts = {language: str(value[language]) for language in SUPPORTED if value.get(language)}
    if set(texts) != set(SUPPORTED):
        raise KnowledgeError(f"{what} needs a text in each of {SUPPORTED}")
    return texts


def _as_date(value: Any, field: str) -> dt.date:
    """A ``YYYY-MM-DD`` date (YAML reads it as a date already when well formed)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise KnowledgeError(f"{field} is not a YYYY-MM-DD date: {value!r}") from None


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeError(f"{field} must be a non-empty text")
    return value.strip()


def _date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def main() -> int:
    """Rewrite ``domain/faq_responses.yml`` from the knowledge files."""
    DOMAIN_FILE.write_text(domain_responses(), encoding="utf-8")
    print(f"[knowledge] wrote {DOMAIN_FILE} ({len(topics())} topics)")
    return 0
