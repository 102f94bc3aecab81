"""Bilingual gazetteer: places and occupations with French and Dutch names, codes, coordinates.

Data: ``bot/resources/places.csv`` (304 places of the border area; answers write an exonym
only where it is in common use today, e.g. Lille = Rijsel, Kortrijk = Courtrai, Mons = Bergen,
each with its source, and the official name otherwise: Tourcoing, not "Toerkonje", which is
still read) and ``bot/resources/occupations.csv`` (138
occupations with French and Dutch labels, masculine and feminine forms, synonyms, ISCO-08
codes of the ILO and ROME codes of France Travail). Coordinates come from GeoNames
(geonames.org, CC BY 4.0, credited on the website). The official code of the main towns
(``Place.code``, :func:`place_by_code`) comes from INSEE's Code officiel géographique for
French communes (insee.fr, COG) and from Statbel's REFNIS codes for Belgian municipalities
(statbel.fgov.be, "Code INS / NIS-code"); a town without one is searched by département.

Lookups fold case and accents ("kortrijk", "KORTRIJK"), accept every name in both languages
and every alias, occupations in the plural, and near misses ("Kortrik", "soudeuse" for
"soudeur" is an exact form). A French and a Dutch name of the same job give the same id, so
"soudeur", "lasser" and "welder" are all ``welder``.

Ambiguous names:

- *Komen* is the Dutch name of Comines (France) and what Flemish speakers call
  Comines-Warneton (Belgium): it resolves to Comines-Warneton, with Comines (France) as an
  alternative; "Komen (Frankrijk)" and "Comines (France)" are unambiguous.
- *Lens* resolves to Lens (Pas-de-Calais), with Lens (Hainaut) as an alternative; "Lens
  (Belgique)" / "Lens (Henegouwen)" name the Belgian one.
- *Mons* is Mons (Hainaut, Bergen in Dutch), with Mons-en-Barœul (near Lille, locally
  "Mons" too) as an alternative; the longest name wins, so "Mons en Baroeul" never gives
  Mons.
- *Wervik* / *Wervicq* are the Belgian town (Wervicq-Sud as an alternative for "Wervicq");
  *Wervicq-Sud* / *Zuid-Wervik* the French one.
- *Comines* is the French town, with Comines-Warneton as an alternative.
- *Lille* is always Lille (France); the village in the province of Antwerp is not listed.
- *Beveren* is the merged municipality of Beveren-Kruibeke-Zwijndrecht (Oost-Vlaanderen); a
  village of the same name in West-Vlaanderen is not listed.

Every lookup that had to choose returns the other candidates (``Match.alternatives``,
``Span.alternatives``) so that the dialogue can ask which one was meant.
"""

from __future__ import annotations

from bot.gazetteer._data import (
    EARTH_RADIUS_KM,
    Occupation,
    Place,
    distance_km,
    occupation,
    occupations,
    place,
    place_by_code,
    places,
    related_occupations,
)
from bot.gazetteer._index import COMMON_WORD_NAMES, OCCUPATION, PLACE
from bot.gazetteer._lookup import (
    Match,
    find_occupation,
    find_place,
    place_names,
    resolve_occupation,
    resolve_place,
)
from bot.gazetteer._mentions import ANYWHERE, RADIUS, Span, extract, parse_radius

__all__ = [
    "place_names",
    "ANYWHERE",
    "EARTH_RADIUS_KM",
    "COMMON_WORD_NAMES",
    "OCCUPATION",
    "PLACE",
    "RADIUS",
    "Match",
    "Occupation",
    "Place",
    "Span",
    "distance_km",
    "extract",
    "find_occupation",
    "find_place",
    "occupation",
    "occupations",
    "parse_radius",
    "place",
    "place_by_code",
    "places",
    "related_occupations",
    "resolve_occupation",
    "resolve_place",
]
