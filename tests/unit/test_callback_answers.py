"""Answers to the callback form: stop, yes/no, name, e-mail address and preferred moment."""

from __future__ import annotations

import pytest

from bot.callback_answers import (
    AFTERNOON,
    MORNING,
    is_no,
    is_yes,
    read_email,
    read_moment,
    read_name,
    wants_to_stop,
)
from bot.errors import InvalidContact, InvalidEmail, InvalidName


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


def test_button_intents_count_as_yes_and_no() -> None:
    assert is_yes("/affirm", "affirm") and is_no("/deny", "deny")
    assert not is_yes("Marie", None) and not is_no("Nathalie", None)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Marie Dupont", "Marie Dupont"),
        ("je m'appelle Marie Dupont", "Marie Dupont"),
        ("Je suis Jean-Pierre Lefèvre.", "Jean-Pierre Lefèvre"),
        ("Mijn naam is An De Smet", "An De Smet"),
        ("ik heet Jef", "Jef"),
        ("Seán O'Brien", "Seán O'Brien"),
        ("  Élodie   Van den Berghe ", "Élodie Van den Berghe"),
    ],
)
def test_names_are_read_without_their_lead_in(text: str, name: str) -> None:
    assert read_name(text) == name


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("marie@gmail.com", "looks_like_email"),
        ("Marie 2", "digits"),
        ("ceci est une phrase bien trop longue pour un nom", "too_long"),
        ("x", "invalid_characters"),
        ("Marie :-)", "invalid_characters"),
    ],
)
def test_unusable_names_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidName) as refused:
        read_name(text)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "text, address",
    [
        ("Jan.Peeters@Telenet.be", "jan.peeters@telenet.be"),
        ("mon mail c'est marie.dupont@gmail.com", "marie.dupont@gmail.com"),
        ("Mijn e-mailadres is an@skynet.be", "an@skynet.be"),
        ("<x+cv@orange.fr>", "x+cv@orange.fr"),
    ],
)
def test_addresses_are_read_and_lower_cased(text: str, address: str) -> None:
    assert read_email(text) == address


@pytest.mark.parametrize(
    "text, reason",
    [
        ("marie.gmail.com", "missing_at"),
        ("a@b.fr ou c@d.fr", "several_addresses"),
        ("jan @ telenet.be", "spaces"),
        ("jan@telenet", "invalid_address"),
        ("jan@@telenet.be", "invalid_address"),
        ("@telenet.be", "invalid_address"),
    ],
)
def test_unusable_addresses_say_why(text: str, reason: str) -> None:
    with pytest.raises(InvalidEmail) as refused:
        read_email(text)
    assert refused.value.reason == reason


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
