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
