"""Tokenizer that splits and lemmatizes each message with French or Dutch spaCy rules."""

from __future__ import annotations

from functools import cache
from typing import Any

import spacy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot import gazetteer
from bot.language.codes import supported_or_default
from bot.nlu.language_detector import LANGUAGE_KEY

# The lemma of every word of a town's name ("Courtrai", "Rijsel", "Villeneuve-d'Ascq"). The
# question is the same wherever the candidate lives: without it, towns that happen to
# appear in one intent's examples pull unrelated messages ("il va pleuvoir à Lille ?")
# towards that intent. The entity extractor still sees the original text.
PLACE_LEMMA = "__place__"


@cache
def blank_pipeline(language: str) -> spacy.language.Language:
    """A blank spaCy pipeline with the lookup lemmatizer of ``spacy-lookups-data``.

    No pretrained Dutch pipeline exists on the package index, and nothing may be
    downloaded at run time, so both languages use blank pipelines and lookup tables.
    """
    nlp = spacy.blank(language)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class BilingualTokenizer(Tokenizer):
    """Tokenizes with the language set by ``LanguageDetector`` (French when unknown)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy", "spacy_lookups_data"]

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        detected = (message.get(LANGUAGE_KEY) or {}).get("name") if attribute == TEXT else None
        language = supported_or_default(detected)
        places = (
            [(s.start, s.end) for s in gazetteer.extract(text, language) if s.kind == "place"]
            if attribute == TEXT
            else []
        )
        tokens = [
            Token(t.text, t.idx, lemma=_lemma(t, places))
            for t in blank_pipeline(language)(text)
            if not t.is_space and not (t.is_punct and len(t.text) == 1 and t.text not in "?!")
        ]
        return self._apply_token_pattern(tokens)


def _lemma(token: Any, places: list[tuple[int, int]]) -> str:
    end = token.idx + len(token.text)
    if any(start < end and token.idx < stop for start, stop in places):
        return PLACE_LEMMA
    return str(token.lemma_ or token.text).lower()
