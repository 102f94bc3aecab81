"""Names, e-mail addresses and Belgian/French phone numbers: accepted, normalised, or refused
with the reason the candidate is told."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import contact
from bot.errors import InvalidEmail, InvalidName, InvalidPhone
from bot.handoff import answers as callback_answers
from bot.messages import has_text


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Marie Dupont", "Marie Dupont"),
        ("je m'appelle Fatima El Amrani", "Fatima El Amrani"),
        ("mijn naam is Jan De Smet", "Jan De Smet"),
        ("ik ben Els Vermeulen.", "Els Vermeulen"),
        ("Anne-Marie O'Neill", "Anne-Marie O'Neill"),
        ("moi c'est Kevin  Vandenberghe", "Kevin Vandenberghe"),
        ("Nom : Lucas Martin", "Lucas Martin"),
        ("J. Dupont", "J. Dupont"),
        ("Estelle Martin", "Estelle Martin"),
        ("Je suis Jean-Pierre Lefèvre.", "Jean-Pierre Lefèvre"),
        ("Seán O’Brien", "Seán O’Brien"),
        ("  Élodie   Van den Berghe ", "Élodie Van den Berghe"),
        ("je m appelle Yasmina Benali", "Yasmina Benali"),
        ("« Dat is Wout Declercq »", "Wout Declercq"),
    ],
)
def test_names_are_read_without_their_lead_in(typed: str, name: str) -> None:
    assert contact.normalise_name(typed) == name


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("jean@exemple.fr", "looks_like_email"),
        ("R2D2 Robot", "digits"),
        ("Jan", "first_and_last_name"),
        ("moi c'est Jan", "first_and_last_name"),
        ("Jean <script>", "invalid_characters"),
        ("a b c d e f g h", "too_long"),
    ],
)
def test_unusable_names_are_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidName) as refused:
        contact.normalise_name(typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        ("Jan.Peeters@Telenet.be", "jan.peeters@telenet.be"),
        ("mon mail c'est marie.dupont+job@exemple.fr", "marie.dupont+job@exemple.fr"),
        ("mijn e-mailadres is els@skynet.be", "els@skynet.be"),
        ("E-mail: lucas_martin@orange.fr.", "lucas_martin@orange.fr"),
        ("<o'neill@voo.be>", "o'neill@voo.be"),
        ("voici : kevin.vdb@student.howest.be", "kevin.vdb@student.howest.be"),
        ("jan@gmx.be", "jan@gmx.be"),
    ],
)
def test_addresses_are_found_and_lower_cased(typed: str, address: str) -> None:
    assert contact.normalise_email(typed) == address


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("jan.peeters", "missing_at"),
        ("jan.peeters arobase gmail.com", "missing_at"),
        ("jan @ telenet.be", "spaces"),
        ("jan@ telenet.be", "spaces"),
        ("a@telenet.be ou b@telenet.be", "several_addresses"),
        ("jan@@telenet.be", "several_at"),
        ("@gmail.com", "missing_local"),
        ("jan@", "missing_domain"),
        ("jan@gmail", "domain_without_dot"),
        ("jan..peeters@gmail.com", "invalid_characters"),
        ("élodie@gmail.com", "invalid_characters"),
        ("jan@café.be", "invalid_characters"),
        ("jan@gmail.c", "invalid_domain"),
        ("jan@-gmail.com", "invalid_domain"),
        ("jan@gmail..com", "invalid_domain"),
        (("x" * 65) + "@gmail.com", "too_long"),
    ],
)
def test_wrong_addresses_are_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidEmail) as refused:
        contact.normalise_email(typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [
        ("jan@gmial.com", "jan@gmail.com"),
        ("jan@gmail.con", "jan@gmail.com"),
        ("jan@hotmail.fe", "jan@hotmail.fr"),
        ("els@telenet.bee", "els@telenet.be"),
        ("els@skynett.be", "els@skynet.be"),
        ("Marie@Outlok.fr", "marie@outlook.fr"),
    ],
)
def test_likely_typo_in_a_known_domain_suggests_the_fix(typed: str, suggestion: str) -> None:
    with pytest.raises(InvalidEmail) as refused:
        contact.normalise_email(typed)
    assert (refused.value.reason, refused.value.suggestion) == ("domain_typo", suggestion)


def test_address_sent_again_after_a_typo_warning_is_accepted() -> None:
    assert contact.normalise_email("jan@live.de", confirmed="jan@live.de") == "jan@live.de"


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("0470 12 34 56", "+32470123456"),
        ("0470/12.34.56", "+32470123456"),
        ("0470123456", "+32470123456"),
        ("0498-12-34-56", "+32498123456"),
        ("+32 470 12 34 56", "+32470123456"),
        ("+32 (0)470 12 34 56", "+32470123456"),
        ("0032 470 12 34 56", "+32470123456"),
        ("056 22 33 44", "+3256223344"),
        ("069/22.33.44", "+3269223344"),
        ("02 512 34 56", "+3225123456"),
        ("+32 56 22 33 44", "+3256223344"),
        ("06 12 34 56 78", "+33612345678"),
        ("07.81.23.45.67", "+33781234567"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("03 20 12 34 56", "+33320123456"),
        ("0412 34 56 78", "+33412345678"),
        ("mon numéro c'est le 0470 12 34 56", "+32470123456"),
        ("appelez-moi au 06.12.34.56.78 svp", "+33612345678"),
        ("gsm: 0498/12.34.56", "+32498123456"),
        ("mijn gsm is 0477 11 22 33", "+32477112233"),
    ],
)
def test_belgian_and_french_numbers_become_e164(typed: str, e164: str) -> None:
    assert contact.normalise_phone(typed) == e164


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("0470 12 34", "too_short"),
        ("06 12 34 56 78 9", "too_long"),
        ("+32 470 12 34 56 78", "too_long"),
        ("+31 6 12345678", "unsupported_country"),
        ("0044 20 7946 0958", "unsupported_country"),
        ("+352 621 123 456", "unsupported_country"),
        ("470 12 34 56", "invalid_number"),
        ("+32 412 34 56 78", "invalid_number"),
        ("00 12 34 56 78", "unsupported_country"),
        ("0470abc123", "invalid_characters"),
        ("zero quatre septante", "invalid_characters"),
        ("06 12 34 56 78 ou 03 20 12 34 56", "several_numbers"),
    ],
)
def test_other_numbers_are_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidPhone) as refused:
        contact.normalise_phone(typed)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+32470123456", "+32 470 12 34 56"),
        ("+3225123456", "+32 2 512 34 56"),
        ("+3256223344", "+32 56 22 33 44"),
        ("+33612345678", "+33 6 12 34 56 78"),
    ],
)
def test_numbers_are_shown_grouped(e164: str, shown: str) -> None:
    assert contact.format_phone(e164) == shown


@pytest.mark.parametrize(
    "typed", ["pas de téléphone", "pas de tel", "non merci", "je préfère pas", "geen gsm", "nee"]
)
def test_declining_to_give_a_number_is_understood(typed: str) -> None:
    assert contact.says_no_phone(typed)


@pytest.mark.parametrize("typed", ["0470 12 34 56", "Marie Dupont", "oui"])
def test_a_number_or_other_text_is_not_a_refusal(typed: str) -> None:
    assert not contact.says_no_phone(typed)


# Every reason code bot.contact raises, by kind of value.
REASONS = {
    "name": ["empty", "looks_like_email", "digits", "invalid_characters", "too_long",
             "first_and_last_name", "not_a_name"],
    "email": ["empty", "missing_at", "several_addresses", "several_at", "spaces",
              "missing_local", "missing_domain", "domain_without_dot",
              "invalid_characters", "invalid_domain", "too_long", "domain_typo"],
    "phone": ["empty", "invalid_characters", "several_numbers", "too_short", "too_long",
              "unsupported_country", "invalid_number"],
}  # fmt: skip


def test_the_reason_table_lists_every_reason_the_code_raises() -> None:
    # Read from the source, so that a new reason without an explanation fails the test below.
    kinds = {"InvalidName": "name", "InvalidEmail": "email", "InvalidPhone": "phone"}
    raised = re.findall(r'raise (Invalid\w+)\("(\w+)"', Path(contact.__file__).read_text())
    table = {(kind, code) for kind, codes in REASONS.items() for code in codes}
    assert {(kinds[error], code) for error, code in raised} == table


# The booking form explains a refusal with invalid.*, the callback form with handoff.problem.*
# (a phone number is optional in one and required in the other, so their wording differs).
@pytest.mark.parametrize("prefix", ["invalid", "handoff.problem"])
@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_reason_has_an_explanation_in_both_languages(prefix: str, language: str) -> None:
    missing = [
        f"{prefix}.{kind}.{code}"
        for kind, codes in REASONS.items()
        for code in codes
        if not has_text(language, f"{prefix}.{kind}.{code}")
    ]
    assert missing == []


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_refused_callback_moment_has_an_explanation(language: str) -> None:
    source = Path(callback_answers.__file__).read_text()
    reasons = re.findall(r'raise InvalidContact\("(\w+)"', source)
    assert reasons  # the pattern still matches the code
    assert [r for r in reasons if not has_text(language, f"handoff.problem.moment.{r}")] == []


@pytest.mark.parametrize(
    ("address", "reserved"),
    [("demo.01@example.org", True), ("x@test.invalid", True), ("jan@telenet.be", False)],
)
def test_demo_addresses_are_reserved(address: str, reserved: bool) -> None:
    assert contact.is_reserved_address(address) is reserved


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("la 2, Jan Peeters, jan.peeters@telenet.be, 0470 12 34 56", "Jan Peeters"),
        ("celle de Tournai ; Sophie Lefebvre ; sophie.lefebvre@orange.fr", "Sophie Lefebvre"),
        ("de eerste - Karel Van den Broeck - karel@skynet.be", "Karel Van den Broeck"),
        ("mijn naam is An De Smet, an@telenet.be", "An De Smet"),
        # Nothing guessed: no detail beside it, a choice of session, or two candidates.
        ("Jan Peeters", None),
        ("celle du mardi, jan@telenet.be, 0470 12 34 56", None),
        ("je voudrais la 3, merci, jan@telenet.be", None),
        ("Marie Dubois, Paul Durand, marie@free.fr", None),
    ],
)
def test_a_name_is_found_among_details_given_before_it_is_asked(
    typed: str, name: str | None
) -> None:
    assert contact.name_among_details(typed) == name
