"""The gazetteer's data files: enough places and occupations, each named in French and Dutch."""

from __future__ import annotations

import csv
from pathlib import Path

RESOURCES = Path(__file__).resolve().parents[2] / "bot" / "resources"


def _rows(name: str) -> list[dict[str, str]]:
    with (RESOURCES / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_places_csv_has_150_places_or_more_each_named_in_french_and_dutch() -> None:
    rows = _rows("places.csv")
    assert len(rows) >= 150
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["name_fr"].strip() and row["name_nl"].strip(), row["id"]
        assert row["country"] in ("FR", "BE"), row["id"]
        assert 49.0 < float(row["lat"]) < 51.6 and 1.4 < float(row["lon"]) < 5.7, row["id"]


def test_occupations_csv_has_100_occupations_or_more_each_labelled_in_french_and_dutch() -> None:
    rows = _rows("occupations.csv")
    assert len(rows) >= 100
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["label_fr"].strip() and row["label_nl"].strip(), row["id"]
        assert row["isco08"].isdigit() and len(row["isco08"]) == 4, row["id"]


def test_fuzzy_stop_words_are_folded_single_words() -> None:
    lines = (RESOURCES / "fuzzy_stopwords.txt").read_text(encoding="utf-8").splitlines()
    words = [w for w in lines if w and not w.startswith("#")]
    assert len(words) > 1000
    assert all(w.isalpha() and w == w.lower() and w.isascii() for w in words)


def _official(row: dict[str, str]) -> set[str]:
    """The official names: French in France and Wallonia, Dutch in Flanders, both in Brussels."""
    if row["region"] == "Bruxelles":
        return {row["name_fr"], row["name_nl"]}
    return {row["name_nl"] if row["region"] == "Vlaanderen" else row["name_fr"]}


def test_an_answer_uses_an_exonym_only_with_its_source() -> None:
    for row in _rows("places.csv"):
        exonyms = {row["name_fr"], row["name_nl"]} - _official(row)
        assert bool(exonyms) == bool(row["exonym_source"].strip()), row["id"]
        if exonyms:
            assert "https://" in row["exonym_source"], row["id"]


def test_exonyms_in_common_use_are_written_and_the_others_only_read() -> None:
    rows = {r["id"]: r for r in _rows("places.csv")}
    written_nl = {
        "fr-lille": "Rijsel",
        "fr-dunkerque": "Duinkerke",
        "be-mons": "Bergen",
        "be-tournai": "Doornik",
        "be-liege": "Luik",
        "be-mouscron": "Moeskroen",
    }
    written_fr = {"be-kortrijk": "Courtrai", "be-ieper": "Ypres", "be-veurne": "Furnes"}
    official_nl = {
        "fr-tourcoing": "Tourcoing",
        "fr-roubaix": "Roubaix",
        "fr-valenciennes": "Valenciennes",
    }
    for place_id, name in {**written_nl, **official_nl}.items():
        assert rows[place_id]["name_nl"] == name
    for place_id, name in written_fr.items():
        assert rows[place_id]["name_fr"] == name
    assert rows["be-harelbeke"]["name_fr"] == "Harelbeke"
    # The names answers no longer use are still read.
    for place_id, alias in (
        ("fr-tourcoing", "Toerkonje"),
        ("fr-roubaix", "Robaais"),
        ("fr-valenciennes", "Valencijn"),
        ("be-harelbeke", "Harlebeke"),
    ):
        assert alias in rows[place_id]["aliases"].split("|")


# INSEE département codes, and the first digits of the Belgian NIS codes of each province
# (arrondissements: 21 Brussels, 23-24 Vlaams-Brabant, 25 Brabant wallon, 3x West-Vlaanderen...).
_DEPARTMENTS = {"Nord": "59", "Pas-de-Calais": "62", "Somme": "80", "Aisne": "02"}
_NIS_PREFIXES = {
    "Antwerpen": ("1",),
    "Région de Bruxelles-Capitale": ("21",),
    "Vlaams-Brabant": ("23", "24"),
    "Brabant wallon": ("25",),
    "West-Vlaanderen": ("3",),
    "Oost-Vlaanderen": ("4",),
    "Hainaut": ("5",),
    "Liège": ("6",),
    "Namur": ("9",),
}


def test_official_codes_have_the_shape_of_their_country_and_subdivision() -> None:
    """An INSEE code starts with its département, a NIS code with its province's digits: a
    code copied onto the wrong town of another subdivision fails here."""
    rows = [r for r in _rows("places.csv") if r["code"]]
    assert {r["country"] for r in rows} == {"FR", "BE"}
    assert len({(r["country"], r["code"]) for r in rows}) == len(rows)
    for row in rows:
        assert row["code"].isdigit() and len(row["code"]) == 5, row["id"]
        if row["country"] == "FR":
            assert row["code"].startswith(_DEPARTMENTS[row["subdivision"]]), row["id"]
        else:
            assert row["code"].startswith(_NIS_PREFIXES[row["subdivision"]]), row["id"]
