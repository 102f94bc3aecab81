"""Rows of a feed file with the line each starts on: JSON, JSON Lines or CSV.

Line numbers matter because whoever fixes a feed opens it in an editor. CSV and JSON Lines
give them for free; for a JSON document, ``json.loads`` first checks the whole text (its
error carries the line of the mistake), then each row of the list is decoded on its own with
``JSONDecoder.raw_decode`` to learn where it starts.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from bot.errors import InvalidFeed


class BadRow(ValueError):
    """A row that cannot become a vacancy; the message is the reason shown to the user."""


def rows(content: str, suffix: str) -> tuple[dict[str, Any], list[tuple[int, Any]]]:
    """The feed's header fields (JSON object feeds only) and its (line, row) pairs.

    Raises:
        InvalidFeed: not a format we read, or not valid JSON / CSV with a header.
    """
    if suffix == ".csv":
        return {}, list(_csv_rows(content))
    if suffix in (".jsonl", ".ndjson"):
        return {}, list(_json_lines(content))
    if suffix == ".json":
        return _json_document(content)
    raise InvalidFeed(
        f"unknown feed format {suffix!r}: use .json, .jsonl, .csv, .jsonld, .html or .xml"
    )


def _csv_rows(content: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content))
    if not reader.fieldnames or "title" not in reader.fieldnames:
        raise InvalidFeed("a CSV feed needs a header line with at least 'id' and 'title'", 1)
    start = 2
    for row in reader:
        yield start, {k: v for k, v in row.items() if k is not None}
        start = reader.line_num + 1


def _json_lines(content: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidFeed(f"not valid JSON: {exc.msg}", number) from exc


def _json_document(content: str) -> tuple[dict[str, Any], list[tuple[int, Any]]]:
    """The rows of a JSON feed with the line each row starts on.

    ``json.loads`` checks the whole document first (its error has the line of the mistake);
    the rows are then decoded one by one to learn where each starts.
    """
    try:
        document = json.loads(content)
    except json.JSONDecodeError as exc:
        raise InvalidFeed(f"not valid JSON: {exc.msg}", exc.lineno) from exc
    if isinstance(document, list):
        return {}, _array_items(content, content.index("["))
    if isinstance(document, dict) and isinstance(document.get("vacancies"), list):
        header = {k: v for k, v in document.items() if k != "vacancies"}
        return header, _array_items(content, _position_of_list(content, "vacancies"))
    raise InvalidFeed("expected a list of vacancies or an object with a 'vacancies' list", 1)


def _position_of_list(content: str, wanted: str) -> int:
    """Where the list value of the top-level key ``wanted`` starts."""
    decoder = json.JSONDecoder()
    position = _skip_blanks(content, content.index("{") + 1)
    while True:
        name, position = decoder.raw_decode(content, position)
        position = _skip_blanks(content, _skip_blanks(content, position) + 1)  # the ":"
        if name == wanted:
            return position
        _value, position = decoder.raw_decode(content, position)
        position = _skip_blanks(content, _skip_blanks(content, position) + 1)  # the ","


def _array_items(content: str, start: int) -> list[tuple[int, Any]]:
    decoder = json.JSONDecoder()
    items: list[tuple[int, Any]] = []
    line, counted = 1 + content.count("\n", 0, start), start
    position = _skip_blanks(content, start + 1)
    while content[position] != "]":
        line += content.count("\n", counted, position)
        counted = position
        item, position = decoder.raw_decode(content, position)
        items.append((line, item))
        position = _skip_blanks(content, position)
        if content[position] == ",":
            position = _skip_blanks(content, position + 1)
    return items


def _skip_blanks(content: str, position: int) -> int:
    while content[position] in " \t\r\n":
        position += 1
    return position
