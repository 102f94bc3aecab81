"""What the assistant says during a vacancy search, in the user's language (fr.yml / nl.yml).

Every reply is a list of :class:`Reply` (a text and its buttons) that an action sends as it
is: a page of results (what was searched, one card per offer, what to do next), the answer
when nothing matched, when a source or every source is down, and the form's explanations
(unknown name, ambiguous place, an offer of a consultant after repeated failures).

Buttons send intents with entities, so that they work without any language understanding:
``/more_results``, ``/inform{"radius_km": 50}``, ``/inform{"occupation": "boilermaker"}``,
``/inform{"location": "fr-lens"}``, ``/search_vacancies`` (a new search), ``/ask_human``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot import gazetteer
from bot.messages import text
from bot.text import fold
from bot.vacancies.areas import Area
from bot.vacancies.cards import more_label, render_card, render_suggestions
from bot.vacancies.dialogue import (
    ANY,
    LOCATION,
    OCCUPATION,
    RADIUS,
    Answer,
    subdivision_key,
    wider_radius,
)
from bot.vacancies.model import SearchPage, SearchQuery, SearchResult
from bot.vacancies.search import job_sites_for

MORE_INTENT = "more_results"
INFORM_INTENT = "inform"
SEARCH_INTENT = "search_vacancies"
HUMAN_INTENT = "ask_human"
STOP_INTENT = "deny"
ALERT_INTENT = "subscribe_alert"
MAX_RELATED_BUTTONS = 3
LONG_ANSWER_WORDS = 4  # longer answers are not quoted back
_VOWELS = frozenset("aeiouy")
_BRACKETS = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One message: a text, and buttons to click.

    ``line_languages`` (one code per line) when a line is not in the user's language: the
    website marks it with its own ``lang`` (bot.channels.socketio).
    """

    text: str
    buttons: tuple[Button, ...] = ()
    line_languages: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The keyword arguments of ``dispatcher.utter_message``."""
        message: dict[str, object] = {"text": self.text}
        if self.buttons:
            message["buttons"] = [{"title": b.title, "payload": b.payload} for b in self.buttons]
        if self.line_languages:
            message["metadata"] = {"line_languages": list(self.line_languages)}
        return message


def _t(language: str, key: str, **values: object) -> str:
    return text(language, f"vacancies.{key}").format(**values)


def payload(intent: str, entities: dict[str, object] | None = None) -> str:
    """A button payload: ``/intent`` or ``/intent{"entity": value}``."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def new_search_button(language: str) -> Button:
    return Button(_t(language, "dialogue.button.new_search"), payload(SEARCH_INTENT))


def alert_button(language: str) -> Button:
    """Receive this search's new offers by e-mail (actions/alerts.py)."""
    return Button(text(language, "alerts.chat.button"), payload(ALERT_INTENT))


def consultant_button(language: str) -> Button:
    return Button(text(language, "intent.ask_human"), payload(HUMAN_INTENT))


def _wider_button(language: str, radius: int) -> Button:
    title = _t(language, "dialogue.button.wider", radius=radius)
    return Button(title, payload(INFORM_INTENT, {RADIUS: radius}))


def summary(query: SearchQuery, language: str) -> str:
    """What was searched, in the user's words: "Votre recherche : Cariste, dans un rayon de
    30 km autour de Courtrai." (the candidate sees how the assistant understood them)."""
    what = occupations_label(query.occupation_ids, language) or _t(
        language, "dialogue.any_occupation"
    )
    origin = query.origin
    area = _area(query, language)
    if origin is None:
        where = area or _t(language, "dialogue.where_anywhere")
        area = ""
    elif query.radius_km is None:
        of_place = _of(_places_name(query, language), language)
        where = _t(language, "dialogue.where_any_distance", of_place=of_place)
    else:
        radius = round(query.radius_km)
        of_place = _of(_places_name(query, language), language)
        where = _t(language, "dialogue.where_radius", radius=radius, of_place=of_place)
    if area:
        where = f"{where}, {area}"
    contract = ""
    if query.contract_types:
        label = _t(language, f"contract.{query.contract_types[0]}")
        contract = _t(language, "dialogue.contract", contract=label)
    return _t(language, "dialogue.summary", occupation=what, where=where, contract=contract)


def _places_name(query: SearchQuery, language: str) -> str:
    """ "Lille", or "Lille ou Tournai" when the request named two towns."""
    ids = (query.place_id, *query.other_place_ids)
    names = [p.name(language) for p in map(gazetteer.place, ids) if p is not None]
    return f" {_t(language, 'dialogue.or')} ".join(names)


def _area(query: SearchQuery, language: str) -> str:
    return area_label(query.area, language)


def area_label(area: Area | None, language: str) -> str:
    """ "en Flandre", "sauf en France": the area a search is limited to, or ""."""
    if area is None:
        return ""
    name = _t(language, f"dialogue.area.{area.value}")
    return _t(language, "dialogue.area_except" if area.excluded else "dialogue.area_in", area=name)


def occupations_label(occupation_ids: tuple[str, ...], language: str) -> str:
    """ "Soudeur ou Chaudronnier": the occupations a search names, or ""."""
    labels = [o.label(language) for o in map(gazetteer.occupation, occupation_ids) if o]
    return f" {_t(language, 'dialogue.or')} ".join(labels)


def _of(name: str, language: str) -> str:
    """ "de Lille" but "d'Ypres", "d'Armentières" (French elision; Dutch says "van" to both)."""
    key = "of_place_elided" if fold(name[:1]) in _VOWELS else "of_place"
    return _t(language, f"dialogue.{key}", place=name)


def page_replies(page: SearchPage, language: str, source_count: int) -> list[Reply]:
    """The messages for one page of a search (the first page or "show more")."""
    if not page.results and source_count and len(page.unavailable_sources) >= source_count:
        return [all_sources_down(page.query, language)]
    if not page.results:
        return _nothing_found(page, language)
    intro = "page.found" if page.query.offset == 0 else "dialogue.more_found"
    replies = [Reply(f"{summary(page.query, language)}\n{_t(language, intro)}")]
    replies += [_card(result, language) for result in page.results]
    if page.unavailable_sources:
        replies.append(Reply(_t(language, "page.partial")))
    buttons: list[Button] = []
    if page.has_more:
        buttons.append(Button(more_label(language), payload(MORE_INTENT)))
    wider = wider_radius(page.query)
    if wider is not None:
        buttons.append(_wider_button(language, wider))
    buttons += [alert_button(language), new_search_button(language), consultant_button(language)]
    replies.append(Reply(_t(language, "dialogue.next"), tuple(buttons)))
    return replies


def _card(result: SearchResult, language: str) -> Reply:
    """One offer; its first line (title and employer, as published) in the offer's language."""
    card = render_card(result, language)
    posted_in = result.vacancy.language
    if posted_in == language:
        return Reply(card)
    return Reply(card, line_languages=(posted_in,) + (language,) * card.count("\n"))


def _nothing_found(page: SearchPage, language: str) -> list[Reply]:
    """No result: on the first page what else to try, after "show more" that there is no more."""
    suggestions = page.suggestions
    if suggestions is None:
        replies = [no_more(page.query, language)]
    else:
        buttons: list[Button] = []
        message = f"{summary(page.query, language)}\n{render_suggestions(suggestions, language)}"
        if suggestions.wider_radius_km is not None:
            buttons.append(_wider_button(language, suggestions.wider_radius_km))
        related = [r.occupation for r in suggestions.related if r.vacancies]
        buttons += [
            Button(o.label(language), payload(INFORM_INTENT, {OCCUPATION: o.id}))
            for o in related[:MAX_RELATED_BUTTONS]
        ]
        buttons += [new_search_button(language), consultant_button(language)]
        replies = [Reply(message, tuple(buttons))]
    if page.unavailable_sources:
        replies.insert(0, Reply(_t(language, "page.partial")))
    return replies


def no_more(query: SearchQuery, language: str) -> Reply:
    """ "Show more" after the last page: say so, offer a wider radius or a new search."""
    buttons: list[Button] = []
    wider = wider_radius(query)
    if wider is not None:
        buttons.append(_wider_button(language, wider))
    buttons += [new_search_button(language), consultant_button(language)]
    return Reply(_t(language, "dialogue.no_more"), tuple(buttons))


def all_sources_down(query: SearchQuery, language: str) -> Reply:
    """No source answered: say so clearly and point to the official job sites."""
    sites = ", ".join(f"{site.name} ({site.url})" for site in job_sites_for(query))
    buttons = (new_search_button(language), consultant_button(language))
    return Reply(_t(language, "dialogue.all_down", sites=sites), buttons)


def no_search(language: str) -> Reply:
    """ "Show more" before any search."""
    return Reply(_t(language, "dialogue.no_search"), (new_search_button(language),))


def place_label(place_id: str, language: str) -> str:
    """A place with its province and country: "Lens (Hainaut, Belgique)"."""
    place = gazetteer.place(place_id)
    if place is None:
        return place_id
    return _t(
        language,
        "dialogue.place_option",
        name=place.name(language),
        subdivision=_t(language, f"subdivision.{subdivision_key(place.subdivision)}"),
        country=_t(language, f"country.{place.country}"),
    )


def _place_button(place_id: str, language: str) -> Button:
    return Button(place_label(place_id, language), payload(INFORM_INTENT, {LOCATION: place_id}))


def choose_place(options: Sequence[str], language: str, said: str | None = None) -> Reply:
    """The question after an ambiguous name, with one button per place.

    The question repeats the name the candidate wrote ("Komen"), or else a name all the
    options share ("Comines" for a French speaker, "Komen" for a Dutch speaker).
    """
    name = said or shared_name(options, language)
    buttons = tuple(_place_button(option, language) for option in options)
    return Reply(_t(language, "dialogue.choose_place", name=name), buttons)


def shared_name(options: Sequence[str], language: str) -> str:
    """The first name of the options, in the user's language first, that every option has."""
    places = [p for p in map(gazetteer.place, options) if p is not None]
    if not places:
        return options[0] if options else ""
    folded = [{_folded_name(n) for n in p.names} for p in places]
    candidates = [p.name(language) for p in places] + [n for p in places for n in p.names]
    for candidate in candidates:
        if all(_folded_name(candidate) in names for names in folded):
            return _BRACKETS.sub("", candidate)
    return places[0].name(language)


def _folded_name(name: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", fold(_BRACKETS.sub("", name))))


def _quoted(answer: Answer) -> bool:
    return answer.unknown is not None and len(answer.unknown.split()) <= LONG_ANSWER_WORDS


def unknown_place(answer: Answer, language: str) -> Reply:
    """An answer that names no known place: which name, near names as buttons, or a hint."""
    if _quoted(answer):
        first = _t(language, "dialogue.unknown_place", answer=answer.unknown)
    else:
        first = _t(language, "dialogue.unknown_place_sentence")
    if answer.suggestions:
        buttons = tuple(_place_button(place_id, language) for place_id in answer.suggestions)
        buttons += (Button(_t(language, "dialogue.button.anywhere"), _anywhere_payload()),)
        return Reply(f"{first} {_t(language, 'dialogue.place_suggestions')}", buttons)
    return Reply(f"{first} {_t(language, 'dialogue.place_hint')}")


def _anywhere_payload() -> str:
    return payload(INFORM_INTENT, {LOCATION: ANY})


def unknown_occupation(answer: Answer, language: str) -> Reply:
    """An answer that names no known occupation: which one, close occupations, or a hint."""
    if _quoted(answer):
        first = _t(language, "dialogue.unknown_occupation", answer=answer.unknown)
    else:
        first = _t(language, "dialogue.unknown_occupation_sentence")
    found = [gazetteer.occupation(o) for o in answer.suggestions]
    buttons = tuple(
        Button(o.label(language), payload(INFORM_INTENT, {OCCUPATION: o.id})) for o in found if o
    )
    if buttons:
        return Reply(f"{first} {_t(language, 'dialogue.occupation_suggestions')}", buttons)
    return Reply(f"{first} {_t(language, 'dialogue.occupation_hint')}")


def consultant_offer(language: str) -> Reply:
    """After repeated unknown answers: offer a consultant, or to stop."""
    stop = Button(_t(language, "dialogue.button.stop"), payload(STOP_INTENT))
    return Reply(_t(language, "dialogue.consultant_offer"), (consultant_button(language), stop))
