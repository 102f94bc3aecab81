"""The models kept, their scores, and which one is active: train, compare, activate, roll back.

Every model trained with ``python -m bot.manage models train`` is kept under
``models/kept/<id>/`` (the model file and ``meta.json``: when, by whom, from which training
data, how long training took, and its scores once evaluated). The active model is the file
the servers load, ``models/crossborder.tar.gz``; ``models/active.json`` says which kept model
it is, and ``models/activations.jsonl`` is the audit trail of every activation and roll-back
(who, when, why).

A candidate is compared with the active model on the held-out set: accuracy per language,
per intent, and the messages that changed (newly right, newly wrong). It is refused when a
language falls below :data:`MIN_ACCURACY` or an intent loses more than
:data:`MAX_INTENT_LOSS` points; an administrator may still activate it with a written reason,
which the audit trail keeps. Nothing here loads a model: bot.nlu.evaluation scores one and
bot.ops.models runs the commands.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

# Held-out intent accuracy, in %, below which no language may fall (today's model: 96 %).
MIN_ACCURACY = 90.0
# Points of held-out accuracy one intent may lose against the active model (an intent has
# about twelve held-out messages: one more miss costs 8.3 points, two cost 16.7).
MAX_INTENT_LOSS = 10.0

ACTIVE_FILE = "active.json"
AUDIT_FILE = "activations.jsonl"
KEPT_DIR = "kept"
_ID = re.compile(r"^[0-9]{8}-[0-9]{6}(-[0-9]+)?$")


class ModelError(Exception):
    """A model that does not exist, or a registry that cannot do what was asked."""


@dataclass(frozen=True)
class KeptModel:
    """One kept model and what is known of it."""

    id: str
    created: str
    trained_by: str
    data_hash: str
    training_seconds: float | None = None
    scores: dict[str, Any] | None = None
    directory: Path = field(default=Path(), compare=False)

    @property
    def file(self) -> Path:
        return self.directory / "model.tar.gz"

    def accuracy(self, language: str) -> float | None:
        """Held-out intent accuracy in ``language`` (%), when evaluated."""
        value = ((self.scores or {}).get("heldout") or {}).get("intent", {}).get(language)
        return float(value[0]) if value else None


@dataclass(frozen=True)
class Comparison:
    """A candidate beside the active model, on the held-out set."""

    # language -> (active %, candidate %); active None when it was never evaluated.
    languages: dict[str, tuple[float | None, float]]
    # (language, intent, active %, candidate %, messages), the largest loss first.
    intents: list[tuple[str, str, float | None, float, int]]
    newly_right: list[tuple[str, str, str]]  # language, intent, text
    newly_wrong: list[tuple[str, str, str, str]]  # language, intent, predicted, text


class Registry:
    """The models under ``models_dir`` (see the module docstring)."""

    def __init__(self, models_dir: Path, active_file: Path) -> None:
        self.models_dir = models_dir
        self.active_file = active_file
        self.kept_dir = models_dir / KEPT_DIR

    def new_id(self, now: datetime | None = None) -> str:
        stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
        candidate, n = stamp, 1
        while (self.kept_dir / candidate).exists():
            n += 1
            candidate = f"{stamp}-{n}"
        return candidate

    def keep(
        self,
        model_file: Path,
        *,
        trained_by: str,
        data_hash: str,
        training_seconds: float | None = None,
        model_id: str | None = None,
    ) -> KeptModel:
        """Keep a copy of ``model_file`` (or move it, when it is already in the kept folder)."""
        model_id = model_id or self.new_id()
        directory = self.kept_dir / model_id
        directory.mkdir(parents=True, exist_ok=True)
        if model_file.resolve() != (directory / "model.tar.gz").resolve():
            _copy(model_file, directory / "model.tar.gz")
        kept = KeptModel(
            id=model_id,
            created=_now(),
            trained_by=trained_by,
            data_hash=data_hash,
            training_seconds=training_seconds,
            directory=directory,
        )
        self._write_meta(kept)
        return kept

    def kept(self) -> list[KeptModel]:
        """Every kept model, newest first."""
        if not self.kept_dir.is_dir():
            return []
        found = [self._read(p) for p in self.kept_dir.iterdir() if (p / "meta.json").is_file()]
        return sorted(found, key=lambda m: m.id, reverse=True)

    def get(self, model_id: str) -> KeptModel:
        if not _ID.match(model_id) or not (self.kept_dir / model_id / "meta.json").is_file():
            raise ModelError(f"no kept model {model_id!r} (python -m bot.manage models list)")
        return self._read(self.kept_dir / model_id)

    def save_scores(self, model_id: str, scores: dict[str, Any]) -> KeptModel:
        kept = self.get(model_id)
        updated = KeptModel(**{**_fields(kept), "scores": scores}, directory=kept.directory)
        self._write_meta(updated)
        return updated

    def active_id(self) -> str | None:
        path = self.models_dir / ACTIVE_FILE
        if not path.is_file():
            return None
        value = json.loads(path.read_text(encoding="utf-8")).get("id")
        return value if isinstance(value, str) else None

    def activate(self, model_id: str, *, by: str, reason: str | None, action: str) -> KeptModel:
        """Make a kept model the one the servers load (an atomic replace of the file), and
        write it in the audit trail."""
        kept = self.get(model_id)
        _copy(kept.file, self.active_file)
        record = {"id": model_id, "at": _now(), "by": by, "action": action, "reason": reason}
        _write_json(self.models_dir / ACTIVE_FILE, record)
        with (self.models_dir / AUDIT_FILE).open("a", encoding="utf-8") as audit:
            audit.write(json.dumps(record, ensure_ascii=False) + "\n")
        return kept

    def history(self) -> list[dict[str, Any]]:
        """The audit trail, oldest first."""
        path = self.models_dir / AUDIT_FILE
        if not path.is_file():
            return []
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def previous_id(self) -> str | None:
        """The model that was active before the active one: what a roll-back goes back to."""
        active = self.active_id()
        ids = [record["id"] for record in self.history()]
        while ids and ids[-1] == active:
            ids.pop()
        return ids[-1] if ids else None

    def _read(self, directory: Path) -> KeptModel:
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        return KeptModel(**meta, directory=directory)

    def _write_meta(self, kept: KeptModel) -> None:
        _write_json(kept.directory / "meta.json", _fields(kept))


def compare(active: KeptModel | None, candidate: KeptModel) -> Comparison:
    """``candidate`` beside ``active`` on the held-out set (both must be evaluated, except an
    active model that never was: then only the candidate's figures are given)."""
    new = _heldout(candidate)
    if new is None:
        raise ModelError(f"model {candidate.id} is not evaluated yet")
    old = _heldout(active) if active is not None else None
    languages = {
        lang: (_acc(old, "intent", lang), float(value[0]))
        for lang, value in sorted(new["intent"].items())
    }
    intents = []
    for key, (acc, count) in new["per_intent"].items():
        language, intent = key.split(" ", 1)
        intents.append((language, intent, _acc(old, "per_intent", key), float(acc), int(count)))
    intents.sort(key=lambda row: (row[3] - row[2]) if row[2] is not None else 0.0)
    newly_right: list[tuple[str, str, str]] = []
    newly_wrong: list[tuple[str, str, str, str]] = []
    if old is not None:
        before = {(lang, intent, text): got for lang, intent, got, text in old["results"]}
        for lang, intent, got, text in new["results"]:
            was = before.get((lang, intent, text))
            if was is None or (was == intent) == (got == intent):
                continue
            if got == intent:
                newly_right.append((lang, intent, text))
            else:
                newly_wrong.append((lang, intent, got, text))
    return Comparison(languages, intents, newly_right, newly_wrong)


@dataclass(frozen=True)
class Refusal:
    """One reason a candidate must not replace the active model, for any language to word.

    ``kind`` is "accuracy" (a language below ``limit``; ``intent`` is None, ``before`` the
    active model's accuracy) or "intent" (an intent losing more than ``limit`` points).
    """

    kind: str
    language: str
    intent: str | None
    before: float | None
    after: float
    limit: float

    def __str__(self) -> str:
        if self.kind == "accuracy":
            return (
                f"{self.language}: held-out accuracy {self.after:.1f} % is below {self.limit:.1f} %"
            )
        before = self.before or 0.0
        return (
            f"{self.language}/{self.intent}: loses {before - self.after:.1f} points"
            f" ({before:.0f} % -> {self.after:.0f} %)"
        )


def refusal_reasons(
    comparison: Comparison,
    min_accuracy: float = MIN_ACCURACY,
    max_intent_loss: float = MAX_INTENT_LOSS,
) -> list[Refusal]:
    """Why the candidate must not replace the active model (empty: it may)."""
    found = [
        Refusal("accuracy", lang, None, old, new, min_accuracy)
        for lang, (old, new) in comparison.languages.items()
        if new < min_accuracy
    ]
    found += [
        Refusal("intent", lang, intent, old, new, max_intent_loss)
        for lang, intent, old, new, _n in comparison.intents
        if old is not None and old - new > max_intent_loss
    ]
    return found


def refusals(
    comparison: Comparison,
    min_accuracy: float = MIN_ACCURACY,
    max_intent_loss: float = MAX_INTENT_LOSS,
) -> list[str]:
    """:func:`refusal_reasons` in English words (the shell's)."""
    return [str(r) for r in refusal_reasons(comparison, min_accuracy, max_intent_loss)]


def stored_scores(figures: dict[str, Any]) -> dict[str, Any]:
    """bot.nlu.evaluation's figures as JSON (intent keys "fr faq/taxes"), without misses."""

    def one(part: dict[str, Any]) -> dict[str, Any]:
        return {
            "intent": {lang: list(value) for lang, value in part["intent"].items()},
            "per_intent": {f"{k[0]} {k[1]}": list(v) for k, v in part["per_intent"].items()},
            "results": [list(row) for row in part["results"]],
        }

    return {
        "heldout": one(figures["heldout"]),
        "dev": one(figures["dev"]),
        "detection": {lang: list(value) for lang, value in figures["detection"].items()},
    }


def _heldout(kept: KeptModel | None) -> dict[str, Any] | None:
    if kept is None or not kept.scores:
        return None
    value = kept.scores.get("heldout")
    return value if isinstance(value, dict) else None


def _acc(part: dict[str, Any] | None, table: str, key: str) -> float | None:
    value = (part or {}).get(table, {}).get(key)
    return float(value[0]) if value else None


def _fields(kept: KeptModel) -> dict[str, Any]:
    values = asdict(kept)
    values.pop("directory")
    return values


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _copy(source: Path, target: Path) -> None:
    """Copy through a temporary file and an atomic rename: a server starting meanwhile
    loads the old file or the new one, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    shutil.copyfile(source, part)
    os.replace(part, target)


def _write_json(path: Path, value: dict[str, Any]) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(value, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(part, path)
