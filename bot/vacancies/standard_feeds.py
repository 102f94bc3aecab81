"""Job feeds in the standard formats job boards and partners publish, read as feed rows.

- **schema.org JobPosting** (JSON-LD, https://schema.org/JobPosting, as job boards publish for
  Google for Jobs): a single object, a list, or an ``@graph``, in a ``.json`` / ``.jsonld``
  file or in the ``<script type="application/ld+json">`` blocks of an HTML page. Read:
  ``identifier`` (``value`` of a PropertyValue, else ``url`` or ``@id``), ``title``,
  ``description``, ``hiringOrganization.name``, ``jobLocation.address`` (``addressLocality``,
  ``postalCode``, ``addressCountry``) and ``jobLocation.geo`` (``latitude``, ``longitude``),
  ``occupationalCategory`` (ISCO-08 or ROME code, text or ``CategoryCode.codeValue``),
  ``employmentType`` (FULL_TIME, PART_TIME, TEMPORARY, CONTRACTOR, INTERN),
  ``datePosted``, ``validThrough``, ``url``.
- **HR-XML / HR Open PositionOpening** (``.xml``, version 2.x as partners still send it; any
  namespace, one or many ``PositionOpening`` elements): ``PositionRecordInfo/Id/IdValue``,
  ``PositionPostings/PositionPosting`` (``Id`` with ``validFrom`` / ``validTo``, ``Link``),
  ``PositionProfile`` (``xml:lang``) / ``PositionDetail``: ``Company/Name``,
  ``PhysicalLocation/PostalAddress`` (``CountryCode``, ``PostalCode``, ``Municipality``),
  ``PositionTitle``, ``JobCategory/CategoryCode``, ``PositionClassification``,
  ``PositionSchedule``.

The occupation is the code's (through the gazetteer) when it names one, else the title's;
the contract is the one the title names ("CDD", "interim", "vast contract"), else the
employment type's, else permanent. Each posting becomes a row of the project's feed format
(:mod:`bot.vacancies.feed`), checked like any other; the number given with a rejected
posting is its position in the file.
"""

from __future__ import annotations

import functools
import json
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator, Mapping
from html.parser import HTMLParser
from typing import Any

from bot import gazetteer
from bot.errors import InvalidFeed
from bot.text import fold
from bot.vacancies import contract_types
from bot.vacancies.feed_files import BadRow

Row = dict[str, Any]
_CODE = re.compile(r"^\s*([A-Z]\d{4}|\d{4})\b")
_FRANCE_TRAVAIL_PAGE = re.compile(
    r"https://candidat\.(?:francetravail|pole-emploi)\.fr/offres/recherche/detail/(\w+)"
)
_EMPLOYMENT = {"TEMPORARY": "fixed_term", "CONTRACTOR": "freelance", "INTERN": "internship"}
# Job boards repeat titles ("Cariste (H/F)"): reading a title's contract once is enough.
_title_contract = functools.lru_cache(maxsize=8192)(contract_types.contract_type)
_CLASSIFICATION = {
    "direct hire": "permanent",
    "temporary": "temp_agency",
    "temporary to hire": "temp_agency",
    "contract": "fixed_term",
    "contract to hire": "fixed_term",
    "internship": "internship",
}


def kind(content: str, suffix: str) -> str | None:
    """``"jsonld"``, ``"hrxml"`` or None (the project's own feed formats)."""
    if suffix in (".html", ".htm", ".jsonld"):
        return "jsonld"
    if suffix == ".xml":
        return "hrxml"
    if suffix == ".json" and re.match(r'\s*[\[{]\s*[{]?\s*"@(context|type|graph)"', content):
        return "jsonld"  # a JSON-LD object or list: its first key is "@context", "@type"...
    return None


def read(content: str, suffix: str) -> tuple[list[tuple[int, Any]], Callable[[Any], Row]]:
    """The numbered postings of a standard feed and the function that makes each a row.

    Raises:
        InvalidFeed: not valid JSON-LD / XML, or no posting at all.
    """
    if kind(content, suffix) == "hrxml":
        items: list[Any] = list(_position_openings(content))
        convert: Callable[[Any], Row] = hrxml_row
    else:
        documents = _scripts(content) if suffix in (".html", ".htm") else [content]
        items = [p for d in documents for p in _postings(_json(d))]
        convert = jobposting_row
    if not items:
        raise InvalidFeed("no JobPosting / PositionOpening in the feed")
    return list(enumerate(items, start=1)), convert


def _json(content: str) -> Any:
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise InvalidFeed(f"not valid JSON-LD: {exc.msg}", exc.lineno) from exc


def _postings(document: Any) -> Iterator[Any]:
    """Every JobPosting of a JSON-LD document: an object, a list, an ``@graph``."""
    if isinstance(document, list):
        for item in document:
            yield from _postings(item)
    elif isinstance(document, Mapping):
        if "@graph" in document:
            yield from _postings(document["@graph"])
        elif _is_a(document, "JobPosting"):
            yield document


def _is_a(item: Mapping[str, Any], wanted: str) -> bool:
    types = item.get("@type")
    return wanted in (types if isinstance(types, list) else [types])


class _LdScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and ("type", "application/ld+json") in attrs
        if self._inside:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def _scripts(html: str) -> list[str]:
    parser = _LdScripts()
    parser.feed(html)
    return [b for b in parser.blocks if b.strip()]


def jobposting_row(posting: Any) -> Row:
    """A feed row from one schema.org JobPosting.

    Raises:
        BadRow: no identifier, or a location that is neither a town nor coordinates.
    """
    if not isinstance(posting, Mapping):
        raise BadRow("a JobPosting must be an object")
    title = _text(posting.get("title"))
    organisation = posting.get("hiringOrganization")
    address, geo = _location(posting.get("jobLocation"))
    types = posting.get("employmentType") or []
    types = [str(t).upper() for t in (types if isinstance(types, list) else [types])]
    row: Row = {
        "id": _identifier(posting),
        "title": title,
        "description": _text(posting.get("description")),
        "employer": _text(organisation.get("name"))
        if isinstance(organisation, Mapping)
        else _text(organisation),
        "occupation": _occupation(_category(posting.get("occupationalCategory"))),
        "contract_type": _title_contract(title)
        or next((_EMPLOYMENT[t] for t in types if t in _EMPLOYMENT), "permanent"),
        "working_time": "part" if "PART_TIME" in types and "FULL_TIME" not in types else "full",
        "url": _text(posting.get("url")),
        "posted": _text(posting.get("datePosted")),
        "expires": _text(posting.get("validThrough")),
        "official_id": _official_id(posting),
    }
    return {**row, **_place_fields(address, geo)}


def _official_id(posting: Mapping[str, Any]) -> str:
    """``francetravail:ID`` when the posting relays a France Travail offer: its ``sameAs``
    or ``url`` is the offer's page, or its identifier is named France Travail / Pôle emploi."""
    links = posting.get("sameAs") or []
    for link in [*(links if isinstance(links, list) else [links]), posting.get("url")]:
        match = _FRANCE_TRAVAIL_PAGE.match(_text(link))
        if match:
            return f"francetravail:{match.group(1)}"
    identifier = posting.get("identifier")
    if isinstance(identifier, Mapping):
        name = fold(_text(identifier.get("name")))
        if name in ("france travail", "pole emploi") and _text(identifier.get("value")):
            return f"francetravail:{_text(identifier.get('value'))}"
    return ""


def _identifier(posting: Mapping[str, Any]) -> str:
    identifier = posting.get("identifier")
    if isinstance(identifier, Mapping):
        identifier = identifier.get("value")
    found = _text(identifier) or _text(posting.get("url")) or _text(posting.get("@id"))
    if not found:
        raise BadRow("a JobPosting needs an 'identifier', a 'url' or an '@id'")
    return found


def _location(value: Any) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    place = value[0] if isinstance(value, list) and value else value
    if not isinstance(place, Mapping):
        raise BadRow("missing 'jobLocation'")
    address, geo = place.get("address"), place.get("geo")
    return (
        address if isinstance(address, Mapping) else {},
        geo if isinstance(geo, Mapping) else {},
    )


def _category(value: Any) -> str:
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, Mapping):
        return _text(first.get("codeValue") or first.get("name"))
    return _text(first)


def _occupation(category: str) -> str:
    """The code or label when the gazetteer knows it; "" lets the title decide."""
    match = _CODE.match(category)
    for candidate in (match.group(1) if match else "", category):
        if candidate and gazetteer.find_occupation(candidate) is not None:
            return candidate
    return ""


def _place_fields(address: Mapping[str, Any], geo: Mapping[str, Any]) -> Row:
    country = address.get("addressCountry")
    if isinstance(country, Mapping):
        country = country.get("name")
    return {
        "place": _text(address.get("addressLocality")),
        "town": _text(address.get("addressLocality")),
        "postcode": _text(address.get("postalCode")),
        "country": _text(country).upper()[:2],
        "lat": geo.get("latitude"),
        "lon": geo.get("longitude"),
    }


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int | float) else ""


# HR-XML / HR Open PositionOpening


def _position_openings(content: str) -> Iterator[ElementTree.Element]:
    if re.search(r"<!(DOCTYPE|ENTITY)", content):
        raise InvalidFeed("an XML feed must not declare a DOCTYPE or entities")
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        raise InvalidFeed(f"not valid XML: {exc}", exc.position[0]) from exc
    return (e for e in root.iter() if _local(e.tag) == "PositionOpening")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _find(element: ElementTree.Element | None, path: str) -> ElementTree.Element | None:
    """The first descendant along ``path`` ("PositionDetail/Company/Name"), any namespace."""
    for name in path.split("/"):
        if element is None:
            return None
        element = next(
            (c for c in element.iter() if c is not element and _local(c.tag) == name), None
        )
    return element


def _value(element: ElementTree.Element | None, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def hrxml_row(opening: Any) -> Row:
    """A feed row from one HR-XML ``PositionOpening`` element.

    Raises:
        BadRow: no id.
    """
    if not isinstance(opening, ElementTree.Element):
        raise BadRow("a PositionOpening must be an XML element")
    posting = _find(opening, "PositionPosting/Id")
    identifier = _value(opening, "PositionRecordInfo/Id/IdValue") or _value(posting, "IdValue")
    if not identifier:
        raise BadRow("a PositionOpening needs PositionRecordInfo/Id/IdValue")
    profile = _find(opening, "PositionProfile")
    title = _value(profile, "PositionTitle")
    language = ""
    if profile is not None:
        language = profile.get("{http://www.w3.org/XML/1998/namespace}lang", "")
    classification = _value(profile, "PositionClassification").lower()
    schedule = _value(profile, "PositionSchedule").lower()
    return {
        "id": identifier,
        "title": title,
        "description": _value(opening, "FormattedPositionDescription/Value"),
        "employer": _value(profile, "Company/Name") or _value(opening, "Organization/Name"),
        "place": _value(profile, "PostalAddress/Municipality"),
        "town": _value(profile, "PostalAddress/Municipality"),
        "postcode": _value(profile, "PostalAddress/PostalCode"),
        "country": _value(profile, "PostalAddress/CountryCode").upper()[:2],
        "occupation": _occupation(_value(profile, "JobCategory/CategoryCode")),
        "language": language.lower()[:2] if language.lower()[:2] in ("fr", "nl") else "",
        "contract_type": _title_contract(title) or _CLASSIFICATION.get(classification, "permanent"),
        "working_time": "part" if "part" in schedule else "full",
        "url": _value(opening, "PositionPosting/Link"),
        "posted": posting.get("validFrom", "") if posting is not None else "",
        "expires": posting.get("validTo", "") if posting is not None else "",
    }
