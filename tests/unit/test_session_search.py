"""Reading which sessions a message means, in French and Dutch."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.sessions.model import TIMEZONE
from bot.sessions.search import (
    Filters,
    apply_filters,
    match_sessions,
    number_beyond,
    read_filters,
)
from tests.factories import info_session_value


def _at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, 30, tzinfo=TIMEZONE)


# Tuesday 8, Thursday 10, Tuesday 15 December, and an online one on Wednesday 16.
KORTRIJK_TUESDAY = info_session_value(id=1, starts_at=_at(8), place_id="be-kortrijk")
TOURNAI_THURSDAY = info_session_value(
    id=2, starts_at=_at(10, 14), place_id="be-tournai", venue="Le Forem Tournai",
    topic="job_dating", language="fr+nl",
)  # fmt: skip
LILLE_TUESDAY = info_session_value(
    id=3, starts_at=_at(15, 14), place_id="fr-lille", venue="France Travail Lille",
    topic="cv_application", language="nl",
)  # fmt: skip
ONLINE = info_session_value(
    id=4, starts_at=_at(16, 18), place_id=None, city=None, online=True, venue="Webinar"
)
OFFERED = [KORTRIJK_TUESDAY, TOURNAI_THURSDAY, LILLE_TUESDAY, ONLINE]


def _ids(found: list | None) -> list[int] | None:
    return None if found is None else [s.id for s in found]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("celle de Kortrijk mardi", [1]),
        ("celle de Courtrai", [1]),
        ("die in Kortrijk op dinsdag", [1]),
        ("die in Doornik", [2]),
        ("à Tournai jeudi après-midi", [2]),
        ("la séance à Rijsel", [3]),
        ("mardi", [1, 3]),
        ("dinsdag namiddag", [3]),
        ("le 10 décembre", [2]),
        ("op 15 december", [3]),
        ("celle du 8", [1]),
        ("die van de 15de", [3]),
        ("le 10e", [2]),
        ("10/12", [2]),
        ("la 2", [2]),
        ("2", [2]),
        ("la deuxième", [2]),
        ("de laatste", [4]),
        ("nummer 3", [3]),
        ("le webinaire en ligne", [4]),
        ("le job dating", [2]),
        ("celle de Kortrijk jeudi", []),
        ("euh je sais pas", None),
        ("Marie Dupont", None),
    ],
)
def test_session_is_understood_from_text(text: str, ids: list[int] | None) -> None:
    assert _ids(match_sessions(text, OFFERED)) == ids


def test_number_beyond_the_list_is_not_a_position() -> None:
    assert match_sessions("9", OFFERED) is None


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("quelles sont les prochaines séances d'info ?", Filters()),
        ("des séances sur les impôts ?", Filters(topic="taxes")),
        ("is er een jobdating in Kortrijk?", Filters("job_dating", frozenset({"be-kortrijk"}))),
        ("infosessies in het Frans", Filters(language="fr")),
        ("une séance en néerlandais à Courtrai", Filters(None, frozenset({"be-kortrijk"}), "nl")),
        ("des ateliers bilingues", Filters(language="fr+nl")),
        ("le cours de néerlandais", Filters(topic="training")),
        ("webinar", Filters(online=True)),
        ("atelier cv", Filters(topic="cv_application")),
    ],
)
def test_list_filters_are_read(text: str, filters: Filters) -> None:
    assert read_filters(text, OFFERED) == filters


def test_language_filter_keeps_bilingual_sessions() -> None:
    found = apply_filters(OFFERED, Filters(language="nl"))
    assert [s.id for s in found] == [2, 3]


# --- a choice from the list shown (issue 21, item 1) ---------------------------------------
# The list shown is in another order than the database ids, as after a filter: a number
# read as an id would pick another session than the one at that place.
SHOWN = [LILLE_TUESDAY, ONLINE, KORTRIJK_TUESDAY]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("1", [3]),
        ("3", [1]),
        ("la 2", [4]),
        ("de 3de", [1]),
        ("de 1ste", [3]),
        ("la deuxième", [4]),
        ("la 2e", [4]),
        ("le 3ème", [1]),
        ("je prends la 2 svp", [4]),
        ("je veux m'inscrire à la 2", [4]),
        ("ik wil me inschrijven voor de 3de", [1]),
        ("je veux m'inscrire à celle du 16", [4]),  # a date
        ("doe maar de laatste", [1]),
        ("nummer twee", [4]),
        ("la troisième séance", [1]),
        ("die in Kortrijk", [1]),
        ("mardi", [3, 1]),  # two Tuesdays shown: the candidate is asked which
        ("le 16", [4]),  # a date, not the sixteenth
    ],
)
def test_number_or_ordinal_is_a_place_in_the_list_shown(text: str, ids: list[int]) -> None:
    assert _ids(match_sessions(text, SHOWN)) == ids


def test_ordinal_that_is_also_a_day_of_a_session_shown_is_ambiguous() -> None:
    on_the_first = info_session_value(
        id=9, starts_at=dt.datetime(2027, 1, 1, 9, 30, tzinfo=TIMEZONE)
    )
    shown = [KORTRIJK_TUESDAY, TOURNAI_THURSDAY, on_the_first]
    assert _ids(match_sessions("de 1ste", shown)) == [1, 9]  # the first, or the one on the 1st
    assert _ids(match_sessions("la 2e", shown)) == [2]


@pytest.mark.parametrize(("text", "number"), [("5", 5), ("la 4", 4), ("de 7de", 7)])
def test_number_beyond_the_list_shown_is_named(text: str, number: int) -> None:
    assert match_sessions(text, SHOWN) in (None, [])
    assert number_beyond(text, len(SHOWN)) == number


def test_a_number_within_the_list_or_a_town_is_not_beyond_it() -> None:
    assert number_beyond("2", 3) is None
    assert number_beyond("die in Kortrijk", 3) is None
    assert number_beyond("le 9", 3) is None  # a date


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("den eerste", [3]),  # West-Flemish article
        ("la 1ere, celle à Lille", [3]),
        ("de derde, die in Kortrijk", [1]),
        ("la deuxième, le webinaire", [4]),
        ("la 1ère, celle pour les Belges", [3]),  # words that describe nothing known
        ("la première, celle de Kortrijk", [1]),  # the description names another: it wins
    ],
)
def test_an_ordinal_with_a_description_picks_from_the_list_shown(text: str, ids: list[int]) -> None:
    assert _ids(match_sessions(text, SHOWN)) == ids
