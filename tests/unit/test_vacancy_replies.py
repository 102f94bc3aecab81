"""What the assistant says during a search, in French and in Dutch (small fake sources)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.language.detection import detect
from bot.vacancies.dialogue import Answer, build_query
from bot.vacancies.model import SearchQuery
from bot.vacancies.replies import (
    choose_place,
    consultant_offer,
    no_search,
    page_replies,
    payload,
    summary,
    unknown_occupation,
    unknown_place,
)
from bot.vacancies.search import search
from tests.vacancy_factories import TODAY, DownSource, ListSource, make_vacancy

KORTRIJK_WELDERS = build_query("welder", "be-kortrijk")


def _query(**values) -> SearchQuery:
    return replace(KORTRIJK_WELDERS, today=TODAY, **values)


def _payloads(reply) -> list[str]:
    return [b.payload for b in reply.buttons]


def test_summary_says_how_the_search_was_understood_in_each_language() -> None:
    query = build_query("welder", "be-kortrijk", 20, "temp_agency")
    assert summary(query, "fr") == (
        "Votre recherche : Soudeur / Soudeuse, dans un rayon de 20 km autour de Courtrai, "
        "contrat : intérim."
    )
    assert summary(query, "nl") == (
        "Je zoekopdracht: Lasser / Lasster, binnen 20 km van Kortrijk, contract: interim."
    )
    assert "dans toute la zone frontalière" in summary(build_query("any", "any"), "fr")
    assert "alle beroepen" in summary(build_query("any", "fr-lille", "any"), "nl")


async def test_page_shows_summary_cards_and_what_to_do_next() -> None:
    source = ListSource([make_vacancy(source_id=f"v{n}") for n in range(5)])
    page = await search(_query(), [source])
    replies = page_replies(page, "fr", 1)
    assert replies[0].text.startswith("Votre recherche : Soudeur")
    assert [r.text.splitlines()[0] for r in replies[1:4]] == [
        "Lasser (m/v/x) — Metaalwerken Testbedrijf NV (fictief)"
    ] * 3
    assert _payloads(replies[-1]) == [
        "/more_results",
        '/inform{"radius_km": 50}',
        "/subscribe_alert",
        "/search_vacancies",
        "/ask_human",
    ]
    assert [b.title for b in replies[-1].buttons][:2] == ["Voir d'autres offres", "Élargir à 50 km"]


async def test_a_card_marks_the_title_of_an_offer_in_the_other_language() -> None:
    source = ListSource([make_vacancy(source_id="v1")])  # a Dutch offer
    page = await search(_query(), [source])
    card = page_replies(page, "fr", 1)[1]
    lines = card.text.split("\n")
    assert card.line_languages == ("nl",) + ("fr",) * (len(lines) - 1)
    assert card.as_dict()["metadata"] == {"line_languages": list(card.line_languages)}
    same_language = page_replies(page, "nl", 1)[1]
    assert same_language.line_languages == () and "metadata" not in same_language.as_dict()


async def test_next_page_says_these_are_more_offers_and_the_last_has_no_more_button() -> None:
    source = ListSource([make_vacancy(source_id=f"v{n}") for n in range(5)])
    page = await search(_query(offset=3), [source])
    replies = page_replies(page, "nl", 1)
    assert "Hier zijn nog vacatures" in replies[0].text
    assert len(replies) == 1 + 2 + 1
    assert "/more_results" not in _payloads(replies[-1])


async def test_nothing_found_offers_wider_radius_related_jobs_and_job_sites() -> None:
    far = make_vacancy(place_id="fr-dunkerque")
    boilermaker = make_vacancy(occupation_id="boilermaker", place_id="be-menen")
    page = await search(_query(), [ListSource([far, boilermaker])])
    (reply,) = page_replies(page, "fr", 1)
    assert "Je n'ai trouvé aucune offre" in reply.text
    assert "France Travail (https://www.francetravail.fr)" in reply.text
    wider = [p for p in _payloads(reply) if "radius_km" in p]
    assert len(wider) == 1 and json.loads(wider[0].removeprefix("/inform"))["radius_km"] >= 70
    assert '/inform{"occupation": "boilermaker"}' in _payloads(reply)
    assert "Chaudronnier / Chaudronnière" in [b.title for b in reply.buttons]


async def test_one_source_down_keeps_the_others_results_and_says_so() -> None:
    page = await search(_query(), [ListSource([make_vacancy()]), DownSource()])
    texts = [r.text for r in page_replies(page, "nl", 2)]
    assert any(t.startswith("Lasser") for t in texts)
    assert any("reageert op dit moment niet" in t for t in texts)


async def test_all_sources_down_gives_one_clear_message() -> None:
    page = await search(_query(), [DownSource("a"), DownSource("b")])
    (reply,) = page_replies(page, "fr", 2)
    assert reply.text.startswith("Je ne peux pas consulter les offres d'emploi pour le moment")
    assert "VDAB (https://www.vdab.be)" in reply.text
    assert _payloads(reply) == ["/search_vacancies", "/ask_human"]


def test_ambiguous_place_buttons_name_province_and_country_in_the_users_language() -> None:
    fr = choose_place(("fr-lens", "be-lens-be"), "fr")
    assert fr.text == "« Lens » peut désigner plusieurs communes. Laquelle cherchez-vous ?"
    assert [b.title for b in fr.buttons] == [
        "Lens (Pas-de-Calais, France)",
        "Lens (Hainaut, Belgique)",
    ]
    nl = choose_place(("be-comines-warneton", "fr-comines"), "nl")
    assert [b.title for b in nl.buttons] == [
        "Komen-Waasten (Henegouwen, België)",
        "Komen (Nord, Frankrijk)",
    ]
    assert _payloads(nl) == [
        '/inform{"location": "be-comines-warneton"}',
        '/inform{"location": "fr-comines"}',
    ]


def test_unknown_place_is_quoted_with_near_names_or_a_hint() -> None:
    guessed = unknown_place(Answer(unknown="Ipres", suggestions=("be-ieper",)), "fr")
    assert guessed.text.startswith("Je ne connais pas de commune « Ipres » dans la zone")
    assert [b.title for b in guessed.buttons] == [
        "Ypres (Flandre occidentale, Belgique)",
        "Partout",
    ]
    hint = unknown_place(Answer(unknown="Atlantis"), "nl")
    assert hint.text.startswith("Ik ken geen gemeente 'Atlantis' in de grensregio.")
    assert "'overal'" in hint.text and hint.buttons == ()
    sentence = unknown_place(Answer(unknown="ergens aan de kust bij de zee"), "nl")
    assert sentence.text.startswith("Ik heb in je bericht geen gemeente")


def test_unknown_occupation_offers_close_occupations() -> None:
    answer = Answer(unknown="ingénieur", suggestions=("civil-engineer",))
    reply = unknown_occupation(answer, "fr")
    assert reply.text == (
        "Je ne connais pas le métier « ingénieur ». Vouliez-vous dire l'un de ces métiers ?"
    )
    assert _payloads(reply) == ['/inform{"occupation": "civil-engineer"}']


def test_consultant_offer_and_no_search_have_buttons() -> None:
    assert _payloads(consultant_offer("nl")) == ["/ask_human", "/deny"]
    assert _payloads(no_search("fr")) == ["/search_vacancies"]


def test_payload_keeps_accents_readable() -> None:
    assert payload("inform", {"location": "fr-villeneuve-d-ascq"}) == (
        '/inform{"location": "fr-villeneuve-d-ascq"}'
    )
    assert payload("more_results") == "/more_results"


@pytest.mark.parametrize("language", ["fr", "nl"])
async def test_every_reply_we_write_is_in_the_users_language(language: str) -> None:
    french = {"title": "Soudeur (H/F)", "employer": "Métallerie Test SA (fictif)", "language": "fr"}
    vacancies = [make_vacancy(source_id="v1"), make_vacancy(source_id="v2", **french)]
    page = await search(_query(), [ListSource(vacancies), DownSource()])
    empty = await search(_query(), [ListSource([])])
    replies = [
        *page_replies(page, language, 2),
        *page_replies(empty, language, 1),
        unknown_place(Answer(unknown="Atlantis"), language),
        unknown_occupation(Answer(unknown="astronaute"), language),
        consultant_offer(language),
        no_search(language),
        choose_place(("fr-lens", "be-lens-be"), language),
    ]
    for reply in replies:
        # A card's first line is the title and employer as published, in either language.
        lines = reply.text.splitlines()
        ours = "\n".join(lines[1:] if " — " in lines[0] else lines)
        detected = detect(ours)
        assert detected.words < 3 or detected.name == language, reply.text


def test_french_summary_elides_before_a_vowel() -> None:
    assert "autour d'Ypres." in summary(build_query("baker", "be-ieper"), "fr")
    assert "à toute distance d'Armentières." in summary(
        build_query("baker", "fr-armentieres", "any"), "fr"
    )
    assert "binnen 30 km van Ieper." in summary(build_query("baker", "be-ieper"), "nl")


def test_ambiguous_question_without_the_written_name_uses_a_name_both_places_share() -> None:
    options = ("be-comines-warneton", "fr-comines")
    assert choose_place(options, "fr").text.startswith("« Comines » peut désigner")
    assert choose_place(options, "nl").text.startswith("'Komen' kan op meer dan één gemeente")
    assert choose_place(options, "fr", said="Komen").text.startswith("« Komen »")
