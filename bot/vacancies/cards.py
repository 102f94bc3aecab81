"""Result cards and "nothing found" answers in the user's language (bot/resources/fr.yml, nl.yml).

A card speaks the user's language even when the offer does not: the town is "Courtrai" for a
French speaker and "Kortrijk" for a Dutch speaker, the contract and the required languages
("néerlandais requis" / "Frans vereist") are translated, and an offer written in the other
language says which occupation it is in the user's words. The title and the employer stay
as published. Demonstration offers always say that they are not real.
"""

from __future__ import annotations

from datetime import date

from bot import gazetteer
from bot.messages import text
from bot.vacancies.model import SearchResult, Suggestions, Vacancy


def render_card(result: SearchResult, language: str) -> str:
    """One offer as a few short lines: title and employer, town and distance, terms,
    required languages, occupation (offers in the other language), source and date, link."""
    vacancy = result.vacancy
    lines = [
        _t(language, "card.title", title=vacancy.title, employer=vacancy.employer)
        if vacancy.employer
        else _t(language, "card.title_alone", title=vacancy.title),  # employer not disclosed
        _where(vacancy, result.distance_km, language),
        _capitalised(
            _t(
                language,
                "card.terms",
                contract=_t(language, f"contract.{vacancy.contract_type}"),
                working_time=_t(language, f"working_time.{vacancy.working_time}"),
            )
        ),
    ]
    if vacancy.required_languages:
        names = _language_list(vacancy.required_languages, language)
        lines.append(_t(language, "card.languages", languages=names))
    occupation = gazetteer.occupation(vacancy.occupation_id) if vacancy.occupation_id else None
    if occupation is not None and vacancy.language != language:
        posted_in = _t(language, f"language.{vacancy.language}")
        label = occupation.label(language)
        lines.append(_t(language, "card.occupation", occupation=label, posted_in=posted_in))
    lines.append(
        _t(
            language,
            "card.source",
            source=_source(vacancy, language),
            date=_date(vacancy.posted_on),
        )
    )
    if vacancy.demo:
        lines.append(_t(language, "card.demo"))
    lines.append(_t(language, "card.link", url=vacancy.url))
    return "\n".join(lines)


def more_label(language: str) -> str:
    """The label of the "show more" button."""
    return _t(language, "page.more")


def render_suggestions(suggestions: Suggestions, language: str) -> str:
    """Nothing found: a wider radius that finds offers, related occupations, job sites."""
    lines = [_t(language, "none.nothing")]
    if suggestions.wider_radius_km is not None:
        lines.append(_t(language, "none.wider_radius", radius=suggestions.wider_radius_km))
    with_offers = [r.occupation.label(language) for r in suggestions.related if r.vacancies]
    others = [r.occupation.label(language) for r in suggestions.related if not r.vacancies]
    if with_offers:
        lines.append(_t(language, "none.related", occupations=", ".join(with_offers)))
    elif others:
        lines.append(_t(language, "none.related_without_offers", occupations=", ".join(others)))
    if suggestions.job_sites:
        sites = ", ".join(f"{site.name} ({site.url})" for site in suggestions.job_sites)
        lines.append(_t(language, "none.job_sites", sites=sites))
    return "\n".join(lines)


def _t(language: str, key: str, **values: object) -> str:
    return text(language, f"vacancies.{key}").format(**values)


def _capitalised(line: str) -> str:
    return line[:1].upper() + line[1:]


def _where(vacancy: Vacancy, distance: float | None, language: str) -> str:
    place = gazetteer.place(vacancy.place_id) if vacancy.place_id else None
    town = place.name(language) if place else vacancy.town
    if distance is None:
        return _t(language, "card.where", town=town)
    if distance < 1:
        return _t(language, "card.where_near", town=town)
    return _t(language, "card.where_distance", town=town, distance=round(distance))


def _language_list(codes: tuple[str, ...], language: str) -> str:
    names = [_t(language, f"language.{code}") for code in codes]
    names[0] = _t(language, f"language_capitalised.{codes[0]}")
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + _t(language, "and") + names[-1]


def _source(vacancy: Vacancy, language: str) -> str:
    if vacancy.demo and vacancy.source.lower().startswith("demo"):
        return _t(language, "demo_source")
    return vacancy.source


def _date(day: date) -> str:
    return day.strftime("%d/%m/%Y")
