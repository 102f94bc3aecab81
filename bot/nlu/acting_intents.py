"""Graph component that keeps the classifier from acting on a guess (issue 21, item 4).

It comes after the FallbackClassifier and changes two kinds of guesses:

- ``switch_language`` for a message that names a country or region and no language ("alleen
  in Frankrijk", "que en Belgique"): the next intent of the ranking is taken instead
  (:func:`bot.language.detection.names_a_country_not_a_language`);
- a hesitation between two acting intents (book and cancel, stop and ask for a person...:
  :func:`bot.knowledge.fallback.hesitation`): the intent becomes ``nlu_fallback``, and the
  two-stage fallback asks which one with two buttons instead of acting;
- a request to book that the rest of the message drowned (the session's title read as a tax
  question, everything at once read as a question about job datings:
  :func:`bot.sessions.requests.asks_to_book`) is ``book_info_session``, and a choice from a
  list read as nothing clear ("je prends la 5": :func:`bot.sessions.requests.is_a_choice`)
  is ``inform``, which the booking form reads as a place in the list shown; a cancellation
  said without the word ("jveux plus y aller a la reunion":
  :func:`bot.sessions.requests.asks_to_cancel`) is ``cancel_booking``.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge.fallback import hesitation
from bot.language.detection import names_a_country_not_a_language
from bot.language.policy import SWITCH_INTENT
from bot.nlu.components import ConfiguredComponent
from bot.nlu.foreign_language import override_intent
from bot.sessions.requests import asks_to_book, asks_to_cancel, is_a_choice

FALLBACK_INTENT = "nlu_fallback"
BOOK_INTENT = "book_info_session"
CANCEL_INTENT = "cancel_booking"
CHOICE_INTENT = "inform"
# What the classifier makes of a drowned booking request: a topic, a situation, nothing.
_DROWNED_BOOKING = frozenset({"faq", "inform_direction", FALLBACK_INTENT})
# ... and of a cancellation said without the word: out of scope, a topic, nothing.
_UNSAID_CANCELLATION = frozenset({"out_of_scope", "faq", "inform_direction", FALLBACK_INTENT})


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ActingIntentGuard(ConfiguredComponent):
    """Takes back a language switch that names a country, asks when two acting intents are close."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            ranking = list(message.get(INTENT_RANKING_KEY) or [])
            if intent.get("name") == SWITCH_INTENT and names_a_country_not_a_language(
                message.get(TEXT) or ""
            ):
                ranking = [entry for entry in ranking if entry.get("name") != SWITCH_INTENT]
                if ranking:
                    message.set(INTENT, ranking[0], add_to_output=True)
                    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
                    intent = ranking[0]
            text = str(message.get(TEXT) or "")
            if intent.get("name") in _UNSAID_CANCELLATION and asks_to_cancel(text):
                override_intent(message, CANCEL_INTENT, 1.0)
                continue
            if intent.get("name") in _DROWNED_BOOKING and asks_to_book(text):
                override_intent(message, BOOK_INTENT, 1.0)
                continue
            if intent.get("name") == FALLBACK_INTENT and is_a_choice(text):
                override_intent(message, CHOICE_INTENT, 1.0)
                continue
            if intent.get("name") != FALLBACK_INTENT and hesitation(ranking):
                override_intent(message, FALLBACK_INTENT, float(intent.get("confidence") or 0.0))
        return messages
