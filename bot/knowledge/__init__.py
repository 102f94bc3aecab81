"""Answers to cross-border questions: knowledge files, the candidate's situation, fallback choices.

:mod:`~bot.knowledge.answers` loads the knowledge files (one per FAQ topic) and picks the answer
for a situation; :mod:`~bot.knowledge.direction` reads where the candidate lives and works from
a message; :mod:`~bot.knowledge.fallback` says which topics to offer when the assistant is not
sure what was meant.
"""

from bot.knowledge.answers import (
    DIRECTION_KEYS,
    DOMAIN_FILE,
    GENERAL,
    MAX_ANSWER_CHARS,
    PLACEHOLDERS,
    Answer,
    KnowledgeError,
    Reply,
    Topic,
    answer_text,
    domain_responses,
    parse,
    render,
    reply,
    situation_label,
    topic_in,
    topics,
)
from bot.knowledge.direction import (
    BELGIUM,
    BRUSSELS,
    COUNTRIES,
    FLANDERS,
    FRANCE,
    REGIONS,
    WALLONIA,
    Situation,
    from_values,
    merge,
    read,
)
from bot.knowledge.fallback import Choice, likely_intents, misunderstandings

__all__ = [
    "Answer",
    "BELGIUM",
    "BRUSSELS",
    "COUNTRIES",
    "Choice",
    "DIRECTION_KEYS",
    "DOMAIN_FILE",
    "FLANDERS",
    "FRANCE",
    "GENERAL",
    "KnowledgeError",
    "MAX_ANSWER_CHARS",
    "PLACEHOLDERS",
    "REGIONS",
    "Reply",
    "Situation",
    "Topic",
    "WALLONIA",
    "answer_text",
    "domain_responses",
    "from_values",
    "likely_intents",
    "merge",
    "misunderstandings",
    "parse",
    "read",
    "render",
    "reply",
    "situation_label",
    "topic_in",
    "topics",
]
