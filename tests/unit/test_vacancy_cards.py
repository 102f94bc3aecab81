"""Result cards and "nothing found" answers, in French and in Dutch."""

from __future__ import annotations

from bot import gazetteer
from bot.messages import text
from bot.vacancies.cards import more_label, render_card, render_suggestions
from bot.vacancies.model import (
    RelatedOccupation,
    SearchPage,
    SearchQuery,
    SearchResult,
    Suggestions,
)
from bot.vacancies.search import JOB_SITES
from tests.vacancy_factories import make_vacancy


def render_page(page: SearchPage, language: str) -> list[str]:
    """An introduction and one card per offer, or what to try when nothing matched; a note
    when a source could not be reached (what bot.vacancies.replies.page_replies writes
    around the cards)."""
    messages: list[str] = []
    if page.results:
        messages.append(text(language, "vacancies.page.found"))
        messages.extend(render_card(result, language) for result in page.results)
    elif page.suggestions is not None:
        messages.append(render_suggestions(page.suggestions, language))
    else:
        messages.append(text(language, "vacancies.none.nothing"))
    if page.unavailable_sources:
        messages.append(text(language, "vacancies.page.partial"))
    return messages


def _card(user: str, distance: float | None = 24.6, **values) -> str:
    return render_card(SearchResult(make_vacancy(**values), distance), user)


def test_town_is_named_in_the_users_language() -> None:
    assert "Courtrai, à 25 km" in _card("fr", place_id="be-kortrijk")
    assert "Kortrijk, op 25 km" in _card("nl", place_id="be-kortrijk")
    assert "Rijsel" in _card("nl", place_id="fr-lille")


def test_required_languages_are_said_in_the_users_language() -> None:
    assert "Néerlandais requis" in _card("fr", required_languages=("nl",))
    assert "Frans vereist" in _card("nl", required_languages=("fr",))
    assert "Néerlandais et français requis" in _card("fr", required_languages=("nl", "fr"))
    assert "Nederlands en Frans vereist" in _card("nl", required_languages=("nl", "fr"))


def test_card_shows_title_employer_terms_source_date_and_link() -> None:
    card = _card(
        "fr",
        title="Lasser (m/v/x)",
        employer="Metaalwerken Vandaele NV",
        contract_type="temp_agency",
        working_time="part",
        source="VDAB",
        url="https://example.org/v/1",
    )
    lines = card.splitlines()
    assert lines[0] == "Lasser (m/v/x) — Metaalwerken Vandaele NV"
    assert "Intérim, temps partiel" in lines
    assert "Source : VDAB, publiée le 24/11/2026" in lines
    assert lines[-1] == "Voir l'offre : https://example.org/v/1"


def test_offer_in_the_other_language_says_the_occupation_in_the_users_words() -> None:
    assert "Métier : Soudeur / Soudeuse (offre en néerlandais)" in _card("fr", language="nl")
    assert "Métier" not in _card("fr", language="fr")
    assert "Beroep: Lasser / Lasster (vacature in het Frans)" in _card("nl", language="fr")


def test_demo_offer_never_looks_real() -> None:
    assert "Offre fictive de démonstration" in _card("fr", demo=True, source="demo")
    assert "Bron: demogegevens" in _card("nl", demo=True, source="demo")
    assert "Fictieve demovacature" in _card("nl", demo=True, source="demo")
    assert "fictive" not in _card("fr", demo=False)


def test_distance_is_left_out_without_a_place_and_rounded_near_zero() -> None:
    assert _card("fr", distance=None).splitlines()[1] == "Courtrai"
    assert _card("nl", distance=0.2).splitlines()[1] == "Kortrijk, op minder dan 1 km"


def test_town_outside_the_gazetteer_is_shown_as_published() -> None:
    card = _card("fr", place_id="nowhere", town="Bastogne")
    assert card.splitlines()[1].startswith("Bastogne")


def test_page_introduces_the_cards_and_warns_about_a_missing_source() -> None:
    result = SearchResult(make_vacancy(), 3.0)
    page = SearchPage(SearchQuery(), (result,), next_offset=3, unavailable_sources=("api",))
    messages = render_page(page, "nl")
    assert messages[0] == "Dit zijn vacatures die bij je zoekopdracht passen:"
    assert len(messages) == 3 and "niet volledig" in messages[-1]
    assert more_label("fr") == "Voir d'autres offres"


def test_nothing_found_answer_lists_what_to_try_in_both_languages() -> None:
    boilermaker = gazetteer.occupation("boilermaker")
    assert boilermaker is not None
    suggestions = Suggestions(
        wider_radius_km=50,
        related=(RelatedOccupation(boilermaker, 2),),
        job_sites=(JOB_SITES["vdab"], JOB_SITES["eures"]),
    )
    fr = render_suggestions(suggestions, "fr")
    nl = render_suggestions(suggestions, "nl")
    assert "En élargissant la recherche à 50 km" in fr
    assert "Chaudronnier / Chaudronnière" in fr
    assert "VDAB (https://www.vdab.be), EURES (https://eures.europa.eu)" in fr
    assert "Als je tot 50 km zoekt" in nl and "Plaatwerker" in nl
    assert "je" in nl.split() and "vous" in fr.split()


def test_an_offer_whose_employer_is_not_disclosed_shows_its_title_alone() -> None:
    for user in ("fr", "nl"):
        first_line = _card(user, employer="", title="Soudeur (H/F)").split("\n")[0]
        assert first_line == "Soudeur (H/F)"
