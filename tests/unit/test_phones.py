"""Belgian and French phone numbers as candidates type them, normalised to E.164."""

from __future__ import annotations

import pytest

from bot.contact import format_phone, is_e164, normalise_phone
from bot.errors import InvalidPhone


@pytest.mark.parametrize(
    "typed, e164",
    [
        ("0470 12 34 56", "+32470123456"),
        ("0470/12.34.56", "+32470123456"),
        ("0470-123456", "+32470123456"),
        ("+32 470 12 34 56", "+32470123456"),
        ("+32 (0)470 12 34 56", "+32470123456"),
        ("+32 0470 12 34 56", "+32470123456"),
        ("0032 470 12 34 56", "+32470123456"),
        ("0455 12 34 56", "+32455123456"),  # Belgian mobile, not a French landline
        ("056 12 34 56", "+3256123456"),  # Kortrijk landline
        ("02 512 34 56", "+3225123456"),
        ("06 12 34 56 78", "+33612345678"),
        ("07.12.34.56.78", "+33712345678"),
        ("03 20 12 34 56", "+33320123456"),  # Lille landline
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("mon gsm c'est le 0470 12 34 56 merci", "+32470123456"),
        ("mijn nummer: 0470 12 34 56.", "+32470123456"),
    ],
)
def test_belgian_and_french_numbers_become_e164(typed: str, e164: str) -> None:
    assert normalise_phone(typed) == e164
    assert is_e164(e164)


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("bonjour", "invalid_characters"),
        ("0470abc123", "invalid_characters"),
        ("0470 12 34 56 ou 06 12 34 56 78", "several_numbers"),
        ("06 12 34", "too_short"),
        ("047 12 34", "too_short"),
        ("06 12 34 56 78 9", "too_long"),
        ("+44 20 7946 0958", "unsupported_country"),
        ("+31 6 12345678", "unsupported_country"),
        ("+32 412 34 56 78", "invalid_number"),  # nine digits after +32: only mobiles (45-49)
        ("00 12 34 56 78", "unsupported_country"),  # 00 is the international prefix
        ("470123456", "invalid_number"),  # no trunk 0 nor country code
    ],
)
def test_unusable_numbers_say_why(typed: str, reason: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        normalise_phone(typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "e164, shown",
    [
        ("+32470123456", "+32 470 12 34 56"),
        ("+3256123456", "+32 56 12 34 56"),
        ("+3225123456", "+32 2 512 34 56"),
        ("+33612345678", "+33 6 12 34 56 78"),
    ],
)
def test_numbers_are_shown_in_readable_groups(e164: str, shown: str) -> None:
    assert format_phone(e164) == shown
