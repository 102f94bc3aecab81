"""Reading vacancy feeds (JSON, JSON Lines, CSV) into checked ``Vacancy`` values.

One row per vacancy, with these fields (JSON keys or CSV columns):

==================  ===============================================================
``id``              the source's own id (``source_id`` is accepted too); required
``title``           required; ``description`` optional
``employer``        required
``place``           gazetteer id ("be-kortrijk") or a name in either language
                    ("Courtrai", "Kortrijk"); ``postcode`` picks between places of the
                    same name (Lens 62300 / 7870). A place outside the gazetteer needs
                    ``town``, ``lat``, ``lon`` and ``country`` instead.
``occupation``      gazetteer id, ROME or ISCO-08 code, or a label in either language;
                    when missing, the title is read ("Lasser (m/v/x)" is ``welder``)
``language``        language of the posting, ``fr`` or ``nl`` (default: Dutch in
                    Flanders, French elsewhere)
``contract_type``   permanent, fixed_term, temp_agency, apprenticeship, internship,
                    student, freelance (CDI, CDD, interim, vast... are understood)
``working_time``    full or part (default full)
``required_languages``  list, or "nl|fr" / "nl,fr"
``url``             http(s) link to the offer; required
``posted``          ISO date, or ``posted_days_ago`` relative to the import day
``expires``         ISO date, or ``expires_in_days``; default 60 days after posting
``demo``            true for invented offers (also true for any source named "demo...")
``official_id``     the offer's id at the public service that published it first, as
                    ``francetravail:199TSTA``: the same offer from two sources is shown once
==================  ===============================================================

A JSON feed is a list of rows or an object ``{"source": ..., "demo": ..., "vacancies":
[...]}``. schema.org JobPosting (JSON-LD, HTML) and HR-XML feeds are read too
(:mod:`bot.vacancies.standard_feeds`).
Bad rows are reported with their line number and a reason; an unreadable file
raises :class:`bot.errors.InvalidFeed`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot import gazetteer
from bot.errors import InvalidFeed
from bot.text import fold
from bot.vacancies import feed_files, standard_feeds
from bot.vacancies.feed_files import BadRow as BadRow
from bot.vacancies.model import CONTRACT_TYPES, LANGUAGES, WORKING_TIMES, Vacancy

DEFAULT_VALIDITY_DAYS = 60
MAX_LENGTHS = {
    "id": 128,
    "title": 300,
    "employer": 200,
    "town": 120,
    "url": 500,
    "official_id": 160,
}

_CONTRACT_ALIASES = {
    "cdi": "permanent",
    "vast": "permanent",
    "vast contract": "permanent",
    "onbepaalde duur": "permanent",
    "cdd": "fixed_term",
    "tijdelijk": "fixed_term",
    "bepaalde duur": "fixed_term",
    "interim": "temp_agency",
    "uitzendwerk": "temp_agency",
    "temp": "temp_agency",
    "apprentissage": "apprenticeship",
    "alternance": "apprenticeship",
    "leercontract": "apprenticeship",
    "duaal leren": "apprenticeship",
    "stage": "internship",
    "job etudiant": "student",
    "studentenjob": "student",
    "independant": "freelance",
    "zelfstandige": "freelance",
}
_WORKING_TIME_ALIASES = {
    "full_time": "full",
    "fulltime": "full",
    "temps plein": "full",
    "voltijds": "full",
    "voltijd": "full",
    "part_time": "part",
    "parttime": "part",
    "temps partiel": "part",
    "deeltijds": "part",
    "deeltijd": "part",
}


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class Feed:
    """What a file holds: checked vacancies with their line numbers, and the bad rows."""

    source: str
    vacancies: list[tuple[int, Vacancy]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.vacancies) + len(self.errors)


def read_feed(
    path: Path, source: str | None = None, today: date | None = None, demo: bool = False
) -> Feed:
    """Read and check every row of ``path``; ``source`` overrides the feed's own name.

    Raises:
        InvalidFeed: the file cannot be read at all (nothing should be imported).
    """
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidFeed(f"cannot read {path.name}: {exc}") from exc
    return read_text(content, path.suffix.lower(), source, today, demo)


def read_text(
    content: str,
    suffix: str,
    source: str | None = None,
    today: date | None = None,
    demo: bool = False,
) -> Feed:
    """Read and check a feed's text; ``suffix`` (".json", ".csv", ".xml"...) says the format.

    The project's own formats, and the standard ones of :mod:`bot.vacancies.standard_feeds`
    (schema.org JobPosting in JSON-LD or HTML, HR-XML PositionOpening).

    Raises:
        InvalidFeed: the text cannot be read at all (nothing should be imported).
    """
    convert = None
    header: dict[str, Any] = {}
    if standard_feeds.kind(content, suffix) is not None:
        items, convert = standard_feeds.read(content, suffix)
    else:
        header, items = feed_files.rows(content, suffix)
    name = source or str(header.get("source") or "")
    if not name:
        raise InvalidFeed("no source name: give --source NAME or a 'source' in the feed")
    demo = demo or bool(header.get("demo")) or "demo" in name.lower()
    return check_rows(items, name, today or date.today(), demo, convert)


def check_rows(
    items: list[tuple[int, Any]],
    source: str,
    today: date,
    demo: bool = False,
    convert: Callable[[Any], Any] | None = None,
) -> Feed:
    """Turn raw rows into vacancies of ``source``; duplicates of an id are bad rows.

    ``convert`` first makes each item a row (a standard format's posting); its
    :class:`BadRow` is the item's reason too.
    """
    feed = Feed(source)
    first_line: dict[str, int] = {}
    for line, item in items:
        try:
            vacancy = to_vacancy(convert(item) if convert else item, source, today, demo)
        except BadRow as exc:
            feed.errors.append(RowError(line, str(exc)))
            continue
        first = first_line.get(vacancy.source_id)
        if first is not None:
            reason = f"duplicate id {vacancy.source_id!r} (first on line {first})"
            feed.errors.append(RowError(line, reason))
            continue
        first_line[vacancy.source_id] = line
        feed.vacancies.append((line, vacancy))
    return feed


def to_vacancy(item: Any, source: str, today: date, demo: bool = False) -> Vacancy:
    """One checked vacancy from one raw row (JSON object or CSV row).

    Raises:
        BadRow: with the reason, for any missing, unknown or inconsistent value.
    """
    if not isinstance(item, Mapping):
        raise BadRow("a vacancy must be an object with named fields")
    row = _Row(item)
    title = row.text("title")
    place, town, lat, lon, country = _where(row)
    occupation = _occupation(row, title)
    posted = row.day("posted", "posted_days_ago", today, backwards=True)
    if posted is None:
        raise BadRow("missing 'posted' (ISO date) or 'posted_days_ago'")
    expires = row.day("expires", "expires_in_days", today) or posted + timedelta(
        days=DEFAULT_VALIDITY_DAYS
    )
    if expires < posted:
        raise BadRow(f"expires ({expires}) before posted ({posted})")
    return Vacancy(
        source=source,
        source_id=row.text("id", "source_id"),
        title=title,
        employer=row.text("employer"),
        language=_language(row, place),
        occupation_id=occupation.id,
        isco08=occupation.isco08,
        place_id=place.id if place else None,
        town=town,
        lat=lat,
        lon=lon,
        country=country,
        contract_type=_choice(row, "contract_type", CONTRACT_TYPES, _CONTRACT_ALIASES),
        working_time=_choice(row, "working_time", WORKING_TIMES, _WORKING_TIME_ALIASES, "full"),
        required_languages=_languages(row),
        url=_url(row),
        posted_on=posted,
        expires_on=expires,
        description=row.text("description", required=False),
        demo=demo or row.flag("demo"),
        official_id=row.text("official_id", required=False) or None,
    )


class _Row:
    """Typed access to the fields of one raw row, with the reasons of failures."""

    def __init__(self, item: Mapping[str, Any]) -> None:
        self._item = item

    def raw(self, *names: str) -> Any:
        for name in names:
            value = self._item.get(name)
            if value not in (None, ""):
                return value
        return None

    def text(self, *names: str, required: bool = True) -> str:
        value = self.raw(*names)
        if value is None:
            if required:
                raise BadRow(f"missing '{names[0]}'")
            return ""
        if not isinstance(value, str | int):
            raise BadRow(f"'{names[0]}' must be text")
        value = str(value).strip()
        limit = MAX_LENGTHS.get(names[0])
        if limit and len(value) > limit:
            raise BadRow(f"'{names[0]}' is longer than {limit} characters")
        return value

    def number(self, name: str) -> float | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise BadRow(f"'{name}' must be a number, got {value!r}") from None

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        return value is True or str(value).strip().lower() in ("true", "yes", "1")

    def day(self, name: str, offset_name: str, today: date, backwards: bool = False) -> date | None:
        value, offset = self.raw(name), self.number(offset_name)
        if value is not None:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                raise BadRow(f"'{name}' must be a date like 2026-11-25, got {value!r}") from None
        if offset is None:
            return None
        return today - timedelta(days=offset) if backwards else today + timedelta(days=offset)


def _where(row: _Row) -> tuple[gazetteer.Place | None, str, float | None, float | None, str | None]:
    name = row.text("place", required=False)
    lat, lon = row.number("lat"), row.number("lon")
    if name:
        match = gazetteer.resolve_place(name)
        if match is not None:
            place = _by_postcode(match, row.text("postcode", required=False))
            return (
                place,
                row.text("town", required=False) or place.name_fr,
                place.lat if lat is None else lat,
                place.lon if lon is None else lon,
                place.country,
            )
    town, country = row.text("town", required=False), row.text("country", required=False).upper()
    if town and lat is not None and lon is not None and country in ("FR", "BE"):
        return None, town, lat, lon, country
    if name:
        raise BadRow(f"unknown place {name!r} (not in the gazetteer; give town, lat, lon, country)")
    raise BadRow("missing 'place'")


def _by_postcode(match: gazetteer.Match[gazetteer.Place], postcode: str) -> gazetteer.Place:
    for candidate in (match.item, *match.alternatives):
        if postcode and candidate.postcode == postcode:
            return candidate
    return match.item


def _occupation(row: _Row, title: str) -> gazetteer.Occupation:
    name = row.text("occupation", required=False)
    if name:
        found = gazetteer.find_occupation(name)
        if found is None:
            raise BadRow(f"unknown occupation {name!r}")
        return found
    spans = [s for s in gazetteer.extract(title) if s.kind == gazetteer.OCCUPATION]
    found = gazetteer.occupation(str(spans[0].value)) if spans else None
    if found is None:
        raise BadRow(f"no 'occupation', and the title {title!r} names none")
    return found


def _language(row: _Row, place: gazetteer.Place | None) -> str:
    value = row.text("language", required=False).lower()
    if not value:
        return "nl" if place is not None and place.region == "Vlaanderen" else "fr"
    if value not in ("fr", "nl"):
        raise BadRow(f"'language' must be fr or nl, got {value!r}")
    return value


def _choice(
    row: _Row, name: str, allowed: tuple[str, ...], aliases: dict[str, str], default: str = ""
) -> str:
    value = row.text(name, required=not default) or default
    if value in allowed:
        return value
    chosen = aliases.get(fold(value).replace("-", " ").strip())
    if chosen is None:
        raise BadRow(f"unknown {name} {value!r} (one of {', '.join(allowed)})")
    return chosen


def _languages(row: _Row) -> tuple[str, ...]:
    value = row.raw("required_languages")
    if value is None:
        return ()
    parts = value if isinstance(value, list) else str(value).replace("|", ",").split(",")
    codes = tuple(str(p).strip().lower() for p in parts if str(p).strip())
    unknown = [c for c in codes if c not in LANGUAGES]
    if unknown:
        raise BadRow(f"unknown required language {unknown[0]!r} (one of {', '.join(LANGUAGES)})")
    return tuple(dict.fromkeys(codes))


def _url(row: _Row) -> str:
    url = row.text("url")
    if not url.startswith(("https://", "http://")):
        raise BadRow(f"'url' must start with https:// or http://, got {url!r}")
    return url
