"""Reading Rasa NLU training files (YAML) without Rasa: for tests, benchmarks and the console."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

_ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")


def examples(path: Path, plain: bool = False) -> dict[str, list[str]]:
    """The examples of each intent in one NLU file, in file order.

    Args:
        path: a Rasa 3 ``nlu:`` YAML file.
        plain: strip entity annotations ("[Frans](language:fr)" -> "Frans").
    """
    found: dict[str, list[str]] = {}
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
        if "intent" not in block:
            continue
        lines = [
            line.strip()[2:].strip()
            for line in block["examples"].splitlines()
            if line.strip().startswith("- ")
        ]
        found.setdefault(block["intent"], []).extend(
            _ANNOTATION.sub(r"\1", line) if plain else line for line in lines
        )
    return found


def examples_in(folder: Path, pattern: str = "*.yml", plain: bool = False) -> dict[str, list[str]]:
    """The examples of each intent over every matching file of ``folder``."""
    merged: dict[str, list[str]] = {}
    for path in sorted(folder.glob(pattern)):
        for intent, lines in examples(path, plain).items():
            merged.setdefault(intent, []).extend(lines)
    return merged
