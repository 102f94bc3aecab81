"""Booking references: unambiguous alphabet, fixed format, random, tolerant reading."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import log, references

FORMAT = re.compile(r"^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")


def test_alphabet_has_no_confusable_characters() -> None:
    assert len(references.ALPHABET) == 32 == len(set(references.ALPHABET))
    assert not set("0O1I") & set(references.ALPHABET)


def test_references_have_the_masked_format_a_digit_and_a_letter() -> None:
    for _ in range(2000):
        reference = references.new_reference()
        assert FORMAT.match(reference), reference
        assert any(c.isdigit() for c in reference) and any(c.isalpha() for c in reference)
        assert log.mask(f"ref {reference}") == "ref ***"


def test_references_do_not_repeat() -> None:
    drawn = [references.new_reference() for _ in range(20000)]
    assert len(set(drawn)) == len(drawn)


def test_references_are_spread_over_the_whole_alphabet() -> None:
    used = set("".join(references.new_reference() for _ in range(2000)).replace("-", ""))
    assert used == set(references.ALPHABET)


@pytest.mark.parametrize(
    "typed", ["K7P2-QX9M", "k7p2-qx9m", "K7P2QX9M", "k7p2 qx9m", " K7P2 - QX9M ", "k7p2.qx9m"]
)
def test_reference_is_read_in_any_case_with_or_without_dash(typed: str) -> None:
    assert references.normalise_reference(typed) == "K7P2-QX9M"


@pytest.mark.parametrize(
    "typed",
    ["K7P2QX", "K7P2-QX9M3", "K0P2-QX9M", "KIP2-QX9M", "K7P2-QX1M", "AFZEGGEN", "23456789", ""],
)
def test_malformed_reference_is_refused(typed: str) -> None:
    assert references.normalise_reference(typed) is None


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("je veux annuler ma réservation K7P2-QX9M", "K7P2-QX9M"),
        ("annuler k7p2qx9m svp", "K7P2-QX9M"),
        ("ik wil afzeggen, referentie k7p2 qx9m", "K7P2-QX9M"),
        ("ik wil afzeggen", None),
        ("mon numéro est le 0470 12 34 56", None),
    ],
)
def test_reference_is_found_in_a_sentence(sentence: str, found: str | None) -> None:
    assert references.find_reference(sentence) == found


def _training_data_pattern() -> re.Pattern[str]:
    path = Path(__file__).resolve().parents[2] / "data" / "nlu_shared" / "sessions.yml"
    (entry,) = [e for e in yaml.safe_load(path.read_text())["nlu"] if "regex" in e]
    (pattern,) = [line[2:] for line in entry["examples"].splitlines() if line.startswith("- ")]
    return re.compile(pattern, re.IGNORECASE)  # as RegexEntityExtractor with case_sensitive: false


@pytest.mark.parametrize(
    "sentence",
    [
        "merci d'annuler P3QR-7STU",
        "ik wil K7P2-QX9M afzeggen",
        "annuler k7p2qx9m svp",
        "referentie k7p2 qx9m",
        "je veux annuler ma réservation",
        "ik wil afzeggen",
        "réf. AB23CD45X",
        "mon numéro est le 0470 12 34 56",
    ],
)
def test_training_data_regex_finds_what_find_reference_finds(sentence: str) -> None:
    """Rasa adds no word boundary to a regex: the pattern must not start inside a word."""
    found = [m.group(0) for m in _training_data_pattern().finditer(sentence)]
    expected = references.find_reference(sentence)
    assert [references.normalise_reference(f) for f in found] == ([expected] if expected else [])


def test_without_references_removes_references_only() -> None:
    without_references = references.without_references
    assert without_references("annuler k7p2 qx9m svp") == "annuler   svp"
    assert without_references("ref K7P2-QX9M.") == "ref  ."
    assert without_references("je veux chercher dans quel vacature") == (
        "je veux chercher dans quel vacature"
    )
