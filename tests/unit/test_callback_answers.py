"""Answers to the callback form: stop, yes/no, name, e-mail address and preferred moment."""

from __future__ import annotations

import pytest

from bot.errors import InvalidContact
from bot.handoff.answers import AFTERNOON, MORNING, is_no, is_yes, read_moment, wants_to_stop


@pytest.mark.parametrize(
    "text",
    ["laisse tomber", "Laissez tomber !", "non, laisse tomber merci", "oubliez ça", "annuler",
     "j'annule", "stop", "Arrête", "tant pis", "plus besoin", "laat maar", "Nee, laat maar zitten",
     "laat maar zitten", "hou maar op", "stoppen", "annuleer", "vergeet het maar",
     "toch maar niet", "ik wil niet meer"],
)  # fmt: skip
def test_stop_phrases_in_both_languages(text: str) -> None:
    assert wants_to_stop(text)


@pytest.mark.parametrize(
    "text",
    ["Marie Dupont", "Laurent Stoppani", "c'est bon", "0470 12 34 56", "le matin", "oui",
     "je laisse mon numéro", "laat me maar terugbellen"],
)  # fmt: skip
def test_answers_are_not_read_as_stopping(text: str) -> None:
    assert not wants_to_stop(text)


@pytest.mark.parametrize("text", ["oui", "Oui !", "d'accord", "j'accepte", "ok", "ja", "Akkoord"])
def test_typed_yes(text: str) -> None:
    assert is_yes(text) and not is_no(text)


@pytest.mark.parametrize(
    "text", ["non", "Non merci", "je refuse", "nee", "liever niet", "pas d'e-mail", "geen e-mail"]
)
def test_typed_no(text: str) -> None:
    assert is_no(text) and not is_yes(text)


@pytest.mark.parametrize(
    "text", ["ja is goed", "oui ok c'est bon", "ok ça me va", "ja dat mag", "ja doe maar hoor"]
)
def test_a_yes_with_words_that_add_nothing_is_yes(text: str) -> None:
    assert is_yes(text) and not is_no(text)


@pytest.mark.parametrize("text", ["ja maar niet nu", "oui mais non", "oui pas maintenant"])
def test_a_yes_taken_back_is_not_yes(text: str) -> None:
    assert not is_yes(text)


def test_button_intents_count_as_yes_and_no() -> None:
    assert is_yes("/affirm", "affirm") and is_no("/deny", "deny")
    assert not is_yes("Marie", None) and not is_no("Nathalie", None)


@pytest.mark.parametrize(
    "text, moment",
    [
        ("le matin", MORNING),
        ("plutôt le matin", MORNING),
        ("L'après-midi", AFTERNOON),
        ("aprem", AFTERNOON),
        ("in de voormiddag", MORNING),
        ("'s namiddags", AFTERNOON),
        ("liefst 's ochtends", MORNING),
        ("mardi après 14 h", "mardi après 14 h"),
        ("matin ou après-midi", "matin ou après-midi"),
        ("maakt niet uit", "maakt niet uit"),
    ],
)
def test_moments_are_morning_afternoon_or_the_candidates_words(text: str, moment: str) -> None:
    assert read_moment(text) == moment


def test_empty_or_long_moment_is_refused() -> None:
    for text, reason in (("  ", "empty"), ("x" * 201, "too_long")):
        with pytest.raises(InvalidContact) as refused:
            read_moment(text)
        assert refused.value.reason == reason
