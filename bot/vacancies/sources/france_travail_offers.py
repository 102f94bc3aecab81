"""France Travail's offers as the project's vacancies, and searches as its query parameters.

Field names are those of the "Offres d'emploi v2" API (``GET /offresdemploi/v2/offres/search``,
francetravail.io): an answer is ``{"resultats": [offer, ...], "filtresPossibles": [...]}``;
an offer has ``id``, ``intitule``, ``description``, ``dateCreation``, ``dateActualisation``,
``lieuTravail`` (``libelle`` "59 - LILLE", ``latitude``, ``longitude``, ``codePostal``,
``commune``: the INSEE code), ``romeCode``, ``entreprise.nom``, ``typeContrat`` (CDI, CDD,
MIS...), ``alternance``, ``dureeTravailLibelleConverti`` ("Temps plein" / "Temps partiel"),
``langues`` (``libelle``, ``exigence``) and ``origineOffre``. The link shown is the offer's
page on francetravail.fr.

An offer that cannot become a vacancy raises :class:`bot.vacancies.feed.BadRow` with the
reason; the others of the same answer are kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot import gazetteer
from bot.text import fold
from bot.vacancies.feed import MAX_LENGTHS, BadRow
from bot.vacancies.model import SearchQuery, Vacancy

OFFER_URL = "https://candidat.francetravail.fr/offres/recherche/detail/{id}"
# Départements (INSEE codes) of the gazetteer's French places.
DEPARTMENTS = {"Nord": "59", "Pas-de-Calais": "62", "Somme": "80", "Aisne": "02"}
# typeContrat codes of the API and the project's contract types.
CONTRACTS = {
    "CDI": "permanent",
    "CDD": "fixed_term",
    "SAI": "fixed_term",  # saisonnier
    "DDI": "fixed_term",  # CDD d'insertion
    "MIS": "temp_agency",  # mission intérimaire
    "TTI": "temp_agency",  # contrat de travail temporaire d'insertion
    "DIN": "temp_agency",  # CDI intérimaire
    "LIB": "freelance",  # profession libérale
    "FRA": "freelance",  # franchise
    "REP": "freelance",  # reprise d'entreprise
    "CCE": "freelance",  # profession commerciale
}
_ASKED = {"permanent": ("CDI",), "fixed_term": ("CDD", "SAI"), "temp_agency": ("MIS",)}
_LANGUAGES = {"francais": "fr", "neerlandais": "nl", "anglais": "en", "allemand": "de"}
MAX_DISTANCE_KM = 200


def search_params(query: SearchQuery) -> dict[str, str] | None:
    """The API's parameters for ``query`` (without ``range``), or None when France Travail
    cannot have anything: no French place within the radius, or France excluded.

    A French town with an INSEE code is searched by ``commune`` and ``distance`` (nearest
    first, ``sort=2``); otherwise the départements of the gazetteer's French towns inside
    the radius (around a Belgian town too), newest first (``sort=1``).
    """
    params: dict[str, str] = {}
    codes = sorted(
        {o.rome for o in map(gazetteer.occupation, query.occupation_ids) if o and o.rome}
    )
    if query.occupation_ids and not codes:
        return None
    if codes:
        params["codeROME"] = ",".join(codes)
    if query.contract_types and all(c in _ASKED for c in query.contract_types):
        params["typeContrat"] = ",".join(code for c in query.contract_types for code in _ASKED[c])
    where = _where(query)
    if where is None:
        return None
    return {**params, **where}


def _where(query: SearchQuery) -> dict[str, str] | None:
    area = query.area
    if area is not None and not any(
        p.country == "FR" and area.allows(p.id) for p in gazetteer.places()
    ):
        return None  # an area without French towns: "en Belgique", "pas en France"
    origin = query.origin
    if origin is None or query.radius_km is None:
        return {"sort": "1"}
    distance = min(MAX_DISTANCE_KM, math.ceil(query.radius_km))
    if origin.country == "FR" and origin.code:
        return {"commune": origin.code, "distance": str(distance), "sort": "2"}
    departments = sorted(
        {
            DEPARTMENTS[p.subdivision]
            for p in gazetteer.places()
            if p.country == "FR"
            and p.subdivision in DEPARTMENTS
            and gazetteer.distance_km(origin.lat, origin.lon, p.lat, p.lon) <= query.radius_km
        }
    )
    if not departments:
        return None
    return {"departement": ",".join(departments), "sort": "1"}


def to_vacancy(offer: Any, source: str) -> Vacancy:
    """One vacancy from one offer of an answer.

    Raises:
        BadRow: the offer lacks an id, a title, a creation date or a place, or
            names an occupation or a contract the project does not know.
    """
    if not isinstance(offer, Mapping):
        raise BadRow("an offer must be an object")
    offer_id = _text(offer, "id", 128)
    title = _text(offer, "intitule", MAX_LENGTHS["title"])
    # Many employers do not disclose their name to France Travail: the card then shows the
    # title alone.
    employer = str(_object(offer, "entreprise").get("nom") or "").strip()[: MAX_LENGTHS["employer"]]
    place, town, lat, lon = _place(_object(offer, "lieuTravail"))
    occupation = _occupation(offer, title)
    return Vacancy(
        source=source,
        source_id=offer_id,
        title=title,
        employer=employer,
        language="fr",
        occupation_id=occupation.id,
        isco08=occupation.isco08,
        place_id=place.id if place else None,
        town=town,
        lat=lat,
        lon=lon,
        country="FR",
        contract_type=_contract(offer),
        working_time=_working_time(offer),
        required_languages=_languages(offer),
        url=OFFER_URL.format(id=offer_id),
        posted_on=_created(offer),
        expires_on=None,
        description=str(offer.get("description") or ""),
        official_id=f"francetravail:{offer_id}",
    )


def _object(offer: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = offer.get(name)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise BadRow(f"'{name}' must be an object")
    return value


def _text(item: Mapping[str, Any], name: str, limit: int, label: str | None = None) -> str:
    value = item.get(name)
    if not isinstance(value, str | int) or not str(value).strip():
        raise BadRow(f"missing '{label or name}'")
    return str(value).strip()[:limit]


def _number(item: Mapping[str, Any], name: str) -> float | None:
    value = item.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _place(
    where: Mapping[str, Any],
) -> tuple[gazetteer.Place | None, str, float | None, float | None]:
    """The gazetteer's town when the INSEE code (or the postcode and name) names one, else
    the offer's own coordinates and town name ("59 - LILLE" is "Lille")."""
    label = str(where.get("libelle") or "")
    town = label.partition(" - ")[2].strip().title() if " - " in label else label.strip()
    lat, lon = _number(where, "latitude"), _number(where, "longitude")
    place = gazetteer.place_by_code("FR", str(where.get("commune") or ""))
    if place is None and town:
        match = gazetteer.resolve_place(town)
        postcode = str(where.get("codePostal") or "")
        candidates = (match.item, *match.alternatives) if match else ()
        place = next((p for p in candidates if p.country == "FR" and p.postcode == postcode), None)
    if place is not None:
        return place, place.name_fr, place.lat, place.lon
    if lat is None or lon is None or not town:
        raise BadRow("no usable 'lieuTravail' (unknown commune and no coordinates)")
    return None, town[: MAX_LENGTHS["town"]], lat, lon


def _occupation(offer: Mapping[str, Any], title: str) -> gazetteer.Occupation:
    """The gazetteer's occupation of the ROME code (the one the title names when several
    share it), else the one the title names."""
    rome = str(offer.get("romeCode") or "")
    named = [s.value for s in gazetteer.extract(title) if s.kind == gazetteer.OCCUPATION]
    coded = [o for o in gazetteer.occupations() if rome and o.rome == rome]
    for candidate in coded:
        if candidate.id in named:
            return candidate
    if coded:
        return coded[0]
    found = gazetteer.occupation(str(named[0])) if named else None
    if found is None:
        raise BadRow(f"ROME code {rome or 'missing'} and title {title!r} name no known occupation")
    return found


def _contract(offer: Mapping[str, Any]) -> str:
    if offer.get("alternance") is True:
        return "apprenticeship"
    code = str(offer.get("typeContrat") or "")
    contract = CONTRACTS.get(code)
    if contract is None:
        raise BadRow(f"unknown typeContrat {code!r}")
    return contract


def _working_time(offer: Mapping[str, Any]) -> str:
    converted = fold(str(offer.get("dureeTravailLibelleConverti") or ""))
    return "part" if "partiel" in converted else "full"


def _languages(offer: Mapping[str, Any]) -> tuple[str, ...]:
    found = []
    for language in offer.get("langues") or ():
        if isinstance(language, Mapping):
            words = fold(str(language.get("libelle") or "")).split()
            code = _LANGUAGES.get(words[0]) if words else None
            if code and code not in found:
                found.append(code)
    return tuple(found)


def _created(offer: Mapping[str, Any]) -> date:
    value = offer.get("dateCreation")
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise BadRow(f"'dateCreation' must be a date, got {value!r}") from None
