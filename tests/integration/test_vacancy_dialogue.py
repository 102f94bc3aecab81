"""The search dialogue's actions against a real SQLite database holding the demo feed.

Messages go through the real entity extractors (gazetteer, contract types); the slots they
fill are read from the mappings of domain/vacancies.yml (``mapped_slots``), as Rasa's
``action_extract_slots`` would; the actions run with a real rasa_sdk Tracker and a
CollectingDispatcher.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from actions._base import Services
from actions.vacancies import (
    FAILURES,
    FORM,
    NEXT_OFFSET,
    PLACE_OPTIONS,
    ActionAskLocation,
    ActionMoreVacancies,
    ActionSearchVacancies,
    ActionStartVacancySearch,
    ValidateVacancySearchForm,
)
from bot.config import Settings, VacancyApiSettings
from bot.messages import text as catalog_text
from bot.nlu.contract_extractor import ContractTypeEntityExtractor
from bot.nlu.gazetteer_extractor import GazetteerEntityExtractor
from bot.nlu.language_detector import LANGUAGE_KEY
from bot.ops.cli import free_port
from bot.storage import db, migrate
from bot.vacancies.importer import import_feed
from bot.vacancies.sources.http import HttpVacancySource
from bot.vacancies.sources.local import LocalVacancySource
from tests.conftest import make_tracker

ROOT = Path(__file__).resolve().parents[2]
DEMO_FEED = ROOT / "bot" / "resources" / "demo" / "vacancies.json"
DOMAIN = yaml.safe_load((ROOT / "domain" / "vacancies.yml").read_text())
DISTANCE = re.compile(r", (?:à|op) (\d+) km$", re.MULTILINE)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path_factory.mktemp('vacancies') / 'app.db'}"
    migrate.upgrade(url)
    engine = db.make_engine(url)
    import_feed(engine, DEMO_FEED)  # dated from today, as `make run` imports it
    yield engine
    engine.dispose()


@pytest.fixture
def local(engine: Engine) -> LocalVacancySource:
    return LocalVacancySource(engine, name="local")


@pytest.fixture(scope="module")
def extractors(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    context = ExecutionContext(GraphSchema({}), "test")
    return [
        cls.create(cls.get_default_config(), storage, Resource(cls.__name__), context)
        for cls in (GazetteerEntityExtractor, ContractTypeEntityExtractor)
    ]


@pytest.fixture
def parse(extractors: list[Any]):
    """The entities the NLU pipeline's deterministic extractors find in a message."""

    def _parse(text: str, language: str) -> list[dict[str, Any]]:
        message = Message.build(text)
        message.set(LANGUAGE_KEY, {"name": language, "confidence": 1.0})
        for extractor in extractors:
            extractor.process([message])
        return message.as_dict_nlu().get("entities", [])

    return _parse


def _applies(mapping: dict[str, Any], intent: str, active: bool, requested: str | None) -> bool:
    if "intent" in mapping and intent not in mapping["intent"]:
        return False
    if intent in mapping.get("not_intent", []):
        return False
    conditions = mapping.get("conditions") or []
    return not conditions or any(
        active and c.get("requested_slot", requested) == requested for c in conditions
    )


def mapped_slots(
    text: str, intent: str, entities: list[dict[str, Any]], requested: str | None = None
) -> dict[str, Any]:
    """The slots the mappings of domain/vacancies.yml fill from this message (the first
    mapping that gives a value wins, the last entity of a type is its value)."""
    active = requested is not None
    values: dict[str, Any] = {}
    for slot, spec in DOMAIN["slots"].items():
        for mapping in spec["mappings"]:
            if mapping["type"] == "custom" or not _applies(mapping, intent, active, requested):
                continue
            if mapping["type"] == "from_text":
                values[slot] = text
                break
            found = [e["value"] for e in entities if e["entity"] == mapping["entity"]]
            if found:
                values[slot] = found[-1]
                break
    return values


def _texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or "" for m in dispatcher.messages]


def _payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]


def _urls(dispatcher: CollectingDispatcher) -> list[str]:
    return re.findall(r"https://example\.org/\S+", "\n".join(_texts(dispatcher)))


@pytest.fixture
def ask(parse):
    """Runs one search request through the search action, as if the form had completed."""

    async def _ask(
        text: str,
        language: str,
        sources: list[Any],
        slots: dict[str, Any] | None = None,
        intent: str = "search_vacancies",
        action: type[ActionSearchVacancies] = ActionSearchVacancies,
    ) -> tuple[CollectingDispatcher, dict[str, Any]]:
        entities = parse(text, language)
        filled = {"language": language, **(slots or {}), **mapped_slots(text, intent, entities)}
        tracker = make_tracker(text=text, intent=intent, entities=entities, slots=filled)
        dispatcher = CollectingDispatcher()
        services = Services(Settings(), db.engine_for("sqlite://"), vacancy_sources=tuple(sources))
        events = await action(services).run(dispatcher, tracker, DOMAIN)
        return dispatcher, {e["name"]: e["value"] for e in events}

    return _ask


@pytest.fixture
def answer(parse):
    """Runs the form's validation on one answer while the form asks for ``requested``."""

    async def _answer(
        text: str,
        language: str,
        requested: str,
        slots: dict[str, Any] | None = None,
        intent: str = "inform",
    ) -> tuple[CollectingDispatcher, dict[str, Any]]:
        entities = parse(text, language)
        candidates = mapped_slots(text, intent, entities, requested)
        known = {"language": language, **(slots or {}), **candidates, "requested_slot": requested}
        tracker = make_tracker(
            text=text,
            intent=intent,
            entities=entities,
            slots=known,
            events=[SlotSet(name, value) for name, value in candidates.items()],
            active_loop=FORM,
        )
        dispatcher = CollectingDispatcher()
        events = await ValidateVacancySearchForm().run(dispatcher, tracker, DOMAIN)
        return dispatcher, {e["name"]: e["value"] for e in events if e["event"] == "slot"}

    return _answer


# Searches across the language border.


async def test_french_query_finds_the_dutch_welder_posting_in_kortrijk(ask, local) -> None:
    dispatcher, slots = await ask("je cherche un poste de soudeur près de Courtrai", "fr", [local])
    texts = _texts(dispatcher)
    assert texts[0].startswith(
        "Votre recherche : Soudeur / Soudeuse, dans un rayon de 30 km autour de Courtrai."
    )
    dutch = [t for t in texts if t.startswith("Lasser")]
    assert dutch, texts
    assert "Courtrai, à moins d'un km" in dutch[0]
    assert "Métier : Soudeur / Soudeuse (offre en néerlandais)" in dutch[0]
    assert "Offre fictive de démonstration" in dutch[0]
    assert slots[NEXT_OFFSET] is None or slots[NEXT_OFFSET] == 3


async def test_dutch_query_finds_french_forklift_postings_near_tournai(ask, local) -> None:
    dispatcher, _ = await ask("heftruckchauffeur in Doornik", "nl", [local])
    texts = _texts(dispatcher)
    assert texts[0].startswith("Je zoekopdracht: Heftruckchauffeur, binnen 30 km van Doornik.")
    french = [t for t in texts if t.startswith("Cariste")]
    assert french, texts
    assert all(
        "(vacature in het Frans)" in t and re.search(r"^Frans.* vereist$", t, re.M) for t in french
    )
    assert any(town in "\n".join(french) for town in ("Moeskroen", "Rijsel", "Komen"))


@pytest.mark.parametrize(
    "one, other",
    [
        ("des offres à Rijsel", "des offres à Lille"),
        ("vacatures in Courtrai", "vacatures in Kortrijk"),
        ("vacatures in Doornik", "vacatures in Tournai"),
        ("des offres à Ypres", "des offres à Ieper"),
        ("je cherche du travail à Bergen", "je cherche du travail à Mons"),
    ],
)
async def test_exonyms_find_the_same_offers(ask, local, one: str, other: str) -> None:
    found = []
    for text in (one, other):
        dispatcher, _ = await ask(text, "fr", [local], slots={"occupation": "any"})
        found.append(_urls(dispatcher))
    assert found[0] and found[0] == found[1]


async def test_typos_find_the_same_offers(ask, local) -> None:
    right, _ = await ask("soudeur vers Kortrijk", "fr", [local])
    typo, _ = await ask("soudeurr vers Kortrik", "fr", [local])
    assert _urls(right) and _urls(typo) == _urls(right)


async def test_radius_asked_for_is_honoured(ask, local) -> None:
    near, _ = await ask("soudeur dans un rayon de 10 km autour de Courtrai", "fr", [local])
    wide, _ = await ask("soudeur dans un rayon de 50 km autour de Courtrai", "fr", [local])

    def distances(dispatcher: CollectingDispatcher) -> list[int]:
        return [int(d) for d in DISTANCE.findall("\n".join(_texts(dispatcher)))]

    assert _urls(near) and all(d <= 10 for d in distances(near))
    assert any(d > 10 for d in distances(wide))
    assert "dans un rayon de 10 km" in _texts(near)[0]
    assert '/inform{"radius_km": 20}' in _payloads(near)


async def test_contract_type_filters_the_offers(ask, local) -> None:
    anything = {"occupation": "any", "location": "any"}
    dispatcher, _ = await ask("je cherche un CDD", "fr", [local], slots=anything)
    cards = [t for t in _texts(dispatcher) if "Voir l'offre" in t]
    assert cards and all("\nCDD, " in card for card in cards)
    assert "contrat : CDD" in _texts(dispatcher)[0]


async def test_nothing_near_offers_a_wider_radius_related_jobs_and_job_sites(ask, local) -> None:
    dispatcher, slots = await ask("je cherche un poste de soudeur à Dunkerque", "fr", [local])
    (message,) = dispatcher.messages
    assert "Je n'ai trouvé aucune offre" in message["text"]
    assert "France Travail (https://www.francetravail.fr)" in message["text"]
    wider = [p for p in _payloads(dispatcher) if "radius_km" in p]
    assert len(wider) == 1 and int(re.findall(r"\d+", wider[0])[0]) > 30
    assert _payloads(dispatcher)[-2:] == ["/search_vacancies", "/ask_human"]
    assert slots == {NEXT_OFFSET: None}


async def test_show_more_gives_the_next_page_then_says_there_is_no_more(ask, local) -> None:
    first, slots = await ask("vacatures in Rijsel", "nl", [local], slots={"occupation": "any"})
    assert slots[NEXT_OFFSET] == 3 and "/more_results" in _payloads(first)
    search = {"occupation": "any", "location": "fr-lille", NEXT_OFFSET: 3}
    more, slots = await ask(
        "meer tonen", "nl", [local], search, "more_results", ActionMoreVacancies
    )
    assert _texts(more)[0].endswith("Hier zijn nog vacatures voor dezelfde zoekopdracht:")
    assert len(_urls(more)) == 3 and set(_urls(more)).isdisjoint(_urls(first))
    assert slots[NEXT_OFFSET] == 6
    search[NEXT_OFFSET] = None
    done, _ = await ask("meer", "nl", [local], search, "more_results", ActionMoreVacancies)
    assert _texts(done)[0].startswith("Er zijn geen andere vacatures voor deze zoekopdracht.")


async def test_show_more_before_any_search_asks_what_to_search(ask, local) -> None:
    dispatcher, slots = await ask(
        "d'autres ?", "fr", [local], {}, "more_results", ActionMoreVacancies
    )
    assert _texts(dispatcher) == [
        "Je n'ai pas encore de recherche en cours. Dites-moi quel métier vous cherchez et où, "
        "par exemple « soudeur près de Courtrai »."
    ]
    assert slots == {}


# Sources that are down.


@pytest.fixture
async def failing_api(aiohttp_server) -> Any:
    async def server_error(_request: web.Request) -> web.Response:
        return web.Response(status=500, text="oops")

    app = web.Application()
    app.router.add_get("/vacancies", server_error)
    server = await aiohttp_server(app)
    settings = VacancyApiSettings(
        url=str(server.make_url("/vacancies")), name="partner-api", retries=1, backoff_s=0.01
    )
    source = HttpVacancySource(settings)
    yield source
    await source.close()


async def test_a_source_down_leaves_the_others_results_and_a_note(ask, local, failing_api) -> None:
    dispatcher, _ = await ask("soudeur près de Courtrai", "fr", [local, failing_api])
    texts = _texts(dispatcher)
    assert any(t.startswith("Lasser") for t in texts)
    assert any(t.startswith("Une des sources d'offres ne répond pas pour le moment") for t in texts)


async def test_every_source_down_gives_a_clear_message(ask) -> None:
    unreachable = HttpVacancySource(
        VacancyApiSettings(url=f"http://127.0.0.1:{free_port()}/vacancies", retries=0)
    )
    try:
        dispatcher, _ = await ask("lasser in Kortrijk", "nl", [unreachable])
    finally:
        await unreachable.close()
    (message,) = dispatcher.messages
    assert message["text"].startswith("Ik kan de vacatures nu niet raadplegen")
    assert "VDAB (https://www.vdab.be)" in message["text"]


# The form: answers, explanations, ambiguous places.


async def test_new_search_forgets_what_it_does_not_mention(parse) -> None:
    before = {"occupation": "welder", "location": "be-kortrijk", "radius_km": 20, NEXT_OFFSET: 3}
    text = "je cherche un poste de cariste"
    entities = parse(text, "fr")
    slots = {**before, **mapped_slots(text, "search_vacancies", entities)}
    tracker = make_tracker(text=text, intent="search_vacancies", entities=entities, slots=slots)
    events = await ActionStartVacancySearch().run(CollectingDispatcher(), tracker, DOMAIN)
    assert {e["name"]: e["value"] for e in events} == {
        "location": None,
        "radius_km": None,
        NEXT_OFFSET: None,
    }


async def test_anywhere_in_the_request_means_the_place_is_not_asked(parse) -> None:
    text = "des jobs de cariste partout ?"
    entities = parse(text, "fr")
    slots = {"language": "fr", **mapped_slots(text, "search_vacancies", entities)}
    tracker = make_tracker(text=text, intent="search_vacancies", entities=entities, slots=slots)
    events = await ActionStartVacancySearch().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("location", "any") in events and slots["occupation"] == "forklift-driver"


async def test_anywhere_with_the_job_answer_fills_the_place(answer) -> None:
    _, slots = await answer("lasser, maakt niet uit waar", "nl", "occupation")
    assert (slots["occupation"], slots["location"]) == ("welder", "any")


async def test_known_place_answer_is_its_id(answer) -> None:
    _, slots = await answer("plutôt vers Ypres", "fr", "location", {"occupation": "welder"})
    assert slots["location"] == "be-ieper" and slots[FAILURES] is None


async def test_anywhere_is_a_place_answer(answer) -> None:
    _, slots = await answer("maakt niet uit", "nl", "location", {"occupation": "welder"})
    assert slots["location"] == "any"


async def test_unknown_place_is_explained_in_french_and_dutch(answer) -> None:
    fr, slots = await answer("Atlantis", "fr", "location")
    assert _texts(fr)[0].startswith("Je ne connais pas de commune « Atlantis » dans la zone")
    assert slots["location"] is None and slots[FAILURES] == 1
    nl, _ = await answer("Atlantis", "nl", "location")
    assert _texts(nl)[0].startswith("Ik ken geen gemeente 'Atlantis' in de grensregio.")


async def test_typo_beyond_repair_gets_near_names_as_buttons(answer) -> None:
    dispatcher, _ = await answer("Ipres", "fr", "location")
    assert '/inform{"location": "be-ieper"}' in _payloads(dispatcher)


async def test_third_unknown_answer_offers_a_consultant(answer) -> None:
    dispatcher, slots = await answer("Atlantis", "nl", "location", {FAILURES: 2})
    assert slots[FAILURES] == 3
    assert _texts(dispatcher)[1].startswith("Het lukt me niet om te vinden wat je zoekt.")
    assert "/ask_human" in _payloads(dispatcher)


async def test_unknown_occupation_is_explained(answer) -> None:
    dispatcher, slots = await answer("astronaute", "fr", "occupation")
    assert _texts(dispatcher)[0].startswith("Je ne connais pas le métier « astronaute ».")
    assert slots["occupation"] is None and slots[FAILURES] == 1


async def test_place_given_for_the_job_fills_the_place_without_a_failure(answer) -> None:
    dispatcher, slots = await answer("à Mouscron", "fr", "occupation")
    assert slots["location"] == "be-mouscron" and slots["occupation"] is None
    assert slots.get(FAILURES) is None and dispatcher.messages == []


async def test_ambiguous_place_gets_buttons_and_an_answer_chooses(answer) -> None:
    _, slots = await answer("à Lens", "fr", "location", {"occupation": "nurse"})
    assert slots["location"] is None and slots[PLACE_OPTIONS] == ["fr-lens", "be-lens-be"]
    tracker = make_tracker(slots={"language": "fr", **slots})
    asked = CollectingDispatcher()
    await ActionAskLocation().run(asked, tracker, DOMAIN)
    (question,) = asked.messages
    assert question["text"] == "« Lens » peut désigner plusieurs communes. Laquelle cherchez-vous ?"
    assert [b["title"] for b in question["buttons"]] == [
        "Lens (Pas-de-Calais, France)",
        "Lens (Hainaut, Belgique)",
    ]
    _, chosen = await answer("celle de Belgique", "fr", "location", slots)
    assert chosen["location"] == "be-lens-be" and chosen[PLACE_OPTIONS] is None


async def test_komen_asks_which_one_in_dutch(answer) -> None:
    _, slots = await answer("in Komen", "nl", "location", {"occupation": "welder"})
    assert slots[PLACE_OPTIONS] == ["be-comines-warneton", "fr-comines"]
    asked = CollectingDispatcher()
    await ActionAskLocation().run(asked, make_tracker(slots={"language": "nl", **slots}), DOMAIN)
    assert [b["title"] for b in asked.messages[0]["buttons"]] == [
        "Komen-Waasten (Henegouwen, België)",
        "Komen (Nord, Frankrijk)",
    ]


async def test_place_question_without_options_is_the_domain_response() -> None:
    asked = CollectingDispatcher()
    await ActionAskLocation().run(asked, make_tracker(slots={"language": "nl"}), DOMAIN)
    assert asked.messages[0]["response"] == "utter_ask_location"


async def test_new_place_after_a_search_keeps_the_occupation(answer, ask, local) -> None:
    previous = {"occupation": "forklift-driver", "location": "be-kortrijk"}
    _, slots = await answer("et à Mouscron ?", "fr", "location", previous)
    assert slots["location"] == "be-mouscron"
    dispatcher, _ = await ask("et à Mouscron ?", "fr", [local], previous, intent="inform")
    assert _texts(dispatcher)[0].startswith("Votre recherche : Cariste, dans un rayon de 30 km")
    assert "autour de Mouscron" in _texts(dispatcher)[0]


# --- the form does not hold the conversation hostage (issue 21, item 5) --------------------


@pytest.fixture
def turn(parse):
    """Runs the form's validation on one message; all its events and what it said."""

    async def _turn(
        text: str, language: str, requested: str, intent: str = "inform", confidence: float = 0.5
    ) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
        entities = parse(text, language)
        candidates = mapped_slots(text, intent, entities, requested)
        tracker = make_tracker(
            text=text,
            intent=intent,
            entities=entities,
            slots={"language": language, **candidates, "requested_slot": requested},
            events=[SlotSet(name, value) for name, value in candidates.items()],
            active_loop=FORM,
            confidence=confidence,
        )
        dispatcher = CollectingDispatcher()
        services = Services(Settings(), db.engine_for("sqlite://"))
        events = await ValidateVacancySearchForm(services).run(dispatcher, tracker, DOMAIN)
        return dispatcher, events

    return _turn


def _slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


@pytest.mark.parametrize(
    ("said", "language", "requested", "topic"),
    [("et les impôts alors ?", "fr", "occupation", "taxes"),
     ("en hoe zit het met mijn pensioen?", "nl", "location", "pension"),
     ("et pour le chômage, je fais comment ?", "fr", "location", "unemployment_benefits")],
)  # fmt: skip
async def test_a_question_during_the_search_is_answered_then_the_question_asked_again(
    turn, said: str, language: str, requested: str, topic: str
) -> None:
    # The classifier did not say faq (else its rule answers): the form still answers it.
    dispatcher, events = await turn(said, language, requested)
    slots = _slot_values(events)
    assert slots[requested] is None and FAILURES not in slots  # asked again, not a failure
    assert slots["faq_topic"] == topic
    shown = " ".join(_texts(dispatcher))
    assert "Je ne connais pas" not in shown and "Ik ken" not in shown
    assert "requested_slot" not in slots  # the form goes on


@pytest.mark.parametrize(("said", "language"), [("ok", "fr"), ("oké", "nl"), ("merci", "fr")])
async def test_ok_or_thanks_is_not_an_occupation(turn, said: str, language: str) -> None:
    dispatcher, events = await turn(said, language, "occupation")
    slots = _slot_values(events)
    assert slots["occupation"] is None and FAILURES not in slots
    [message] = _texts(dispatcher)
    assert message in (
        catalog_text(language, "forms.ack.small_talk"),
        catalog_text(language, "forms.ack.thanks"),
    )


@pytest.mark.parametrize(
    ("said", "language", "intent", "flow"),
    [("je voudrais m'inscrire à une séance d'information", "fr", "book_info_session",
      "info_session_form"),
     ("welke infosessies zijn er?", "nl", "list_info_sessions", "action_list_info_sessions"),
     ("ik wil mijn inschrijving annuleren", "nl", "cancel_booking", "cancel_booking_form")],
)  # fmt: skip
async def test_another_request_during_the_search_leaves_the_form_and_starts(
    turn, said: str, language: str, intent: str, flow: str
) -> None:
    dispatcher, events = await turn(said, language, "occupation", intent=intent, confidence=0.8)
    assert _slot_values(events)["requested_slot"] is None
    assert events[-1] == FollowupAction(flow)
    assert _texts(dispatcher) == [catalog_text(language, "forms.resume.search")]


@pytest.mark.parametrize(("said", "language"), [("laisse tomber", "fr"), ("nee, laat maar", "nl")])
async def test_stop_words_the_classifier_missed_stop_the_search_and_say_how_to_come_back(
    turn, said: str, language: str
) -> None:
    dispatcher, events = await turn(said, language, "occupation", intent="inform")
    assert _slot_values(events)["requested_slot"] is None
    assert events[-1] == FollowupAction("action_listen")  # no search runs
    # Once: the reply that stops says how to search again (issue 21's note said it twice).
    assert [m.get("response") for m in dispatcher.messages] == ["utter_vacancy_search_stopped"]


@pytest.mark.parametrize(
    ("said", "language", "area", "says"),
    [("aide soignante, pas en France svp", "fr", "-country:FR", "sauf en France."),
     ("que en belgique, vendeuse", "fr", "country:BE", "en Belgique."),
     ("magazijnier, alleen in Frankrijk", "nl", "country:FR", "in Frankrijk.")],
)  # fmt: skip
async def test_an_area_given_as_an_answer_is_kept_for_the_search(
    turn, ask, local, said: str, language: str, area: str, says: str
) -> None:
    """The limit of a message the classifier read as an answer (inform) reaches the search
    that runs after the form's last question, which reads only its own message."""
    _, events = await turn(said, language, "occupation")
    slots = _slot_values(events)
    assert slots["vacancy_area"] == area
    dispatcher, _ = await ask(
        "partout", language, [local], slots={**slots, "location": "any"}, intent="inform"
    )
    summary = _texts(dispatcher)[0].splitlines()[0]
    assert summary.endswith(says)


async def test_a_question_naming_a_country_during_the_search_limits_nothing(turn) -> None:
    """'si je bosse en Belgique' in a question is the candidate's situation, not a limit; a
    slot set by it would also keep the form from handing the question to its rule."""
    _, events = await turn(
        "et les impots alors si je bosse en belgique ?", "fr", "occupation", intent="faq",
        confidence=0.95,
    )  # fmt: skip
    assert "vacancy_area" not in _slot_values(events)


@pytest.mark.parametrize(
    ("text", "language", "places", "says"),
    [("cariste à Lille ou Tournai", "fr", ["fr-lille", "be-tournai"], "de Lille ou Tournai"),
     ("heftruckchauffeur in Kortrijk of Rijsel", "nl", ["be-kortrijk", "fr-lille"],
      "van Kortrijk of Rijsel")],
)  # fmt: skip
async def test_two_towns_in_one_request_are_both_searched(
    parse, ask, local, text: str, language: str, places: list[str], says: str
) -> None:
    entities = parse(text, language)
    slots = {"language": language, **mapped_slots(text, "search_vacancies", entities)}
    tracker = make_tracker(text=text, intent="search_vacancies", entities=entities, slots=slots)
    events = await ActionStartVacancySearch().run(CollectingDispatcher(), tracker, DOMAIN)
    assert SlotSet("vacancy_places", places) in events
    both, _ = await ask(text, language, [local], slots={"vacancy_places": places})
    shown = _texts(both)
    assert shown[0].splitlines()[0].endswith(f"{says}.")
    # The nearest offer around each town is among those shown for both.
    for place in places:
        alone, _ = await ask(text, language, [local], slots={"location": place})
        assert _urls(alone) and _urls(alone)[0] in _urls(both), place


@pytest.mark.parametrize(
    ("said", "language", "says"),
    [("et en belgique ?", "fr", "en Belgique."), ("en in Frankrijk?", "nl", "in Frankrijk.")],
)
async def test_an_area_right_after_a_search_limits_that_search(
    local, said: str, language: str, says: str
) -> None:
    """Read as a question (faq), "et en Belgique ?" after a page of results is the same
    search in that area; after anything else it stays a question."""
    from actions.faq import ActionAnswerFaq

    services = Services(Settings(), db.engine_for("sqlite://"), vacancy_sources=(local,))
    slots = {"language": language, "occupation": "forklift-driver", "location": "fr-lille"}
    searched = [{"event": "action", "name": "action_search_vacancies"},
                {"event": "action", "name": "action_listen"}]  # fmt: skip
    for history, searches in ((searched, True), ([], False)):
        tracker = make_tracker(said, "faq", slots=slots, history=history)
        dispatcher = CollectingDispatcher()
        events = await ActionAnswerFaq(services).run(dispatcher, tracker, DOMAIN)
        first = _texts(dispatcher)[0].splitlines()[0]
        assert first.endswith(says) is searches, first
        assert any(e.get("name") == "vacancy_area" for e in events) is searches
