"""The console's Models page: the kept models, a candidate beside the active one, and
whether an administrator may activate it (bot/training/models.py keeps them).

A candidate that :func:`bot.training.models.refusal_reasons` refuses may still be activated
with a written reason, which both the registry's audit trail and the console's keep; a
candidate never evaluated cannot be compared, so the console does not activate it (the
shell evaluates it first: ``python -m bot.manage models activate``). Rolling back to a
kept model compares nothing, as in the shell. Plain Python: the web handlers call these
in a worker thread (they copy model files).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.config import Settings
from bot.errors import Refused
from bot.training import activation
from bot.training.models import Comparison, KeptModel, Refusal, compare, refusal_reasons

MAX_REASON = 500


class ActivationRefused(Refused):
    """``reason`` (``console.models.refused.*``): ``not_evaluated``, ``reason`` (the
    candidate is refused and no reason was written), ``active`` (it is the active one)."""


@dataclass(frozen=True)
class Overview:
    active_id: str | None
    models: list[KeptModel]  # newest first
    # Models that were active once (what a roll-back goes back to), and the audit trail.
    once_active: frozenset[str]
    history: list[dict[str, object]]  # newest first


@dataclass(frozen=True)
class Review:
    candidate: KeptModel
    active: KeptModel | None
    comparison: Comparison | None  # None: the candidate is not evaluated
    refusals: list[Refusal]

    @property
    def is_active(self) -> bool:
        return self.active is not None and self.active.id == self.candidate.id

    @property
    def changed_intents(self) -> list[tuple[str, str, float | None, float, int]]:
        """The intents whose accuracy changed, the largest loss first."""
        if self.comparison is None:
            return []
        return [row for row in self.comparison.intents if row[2] is not None and row[2] != row[3]]


def overview(settings: Settings) -> Overview:
    registry = activation.registry(settings)
    history = registry.history()
    return Overview(
        active_id=registry.active_id(),
        models=registry.kept(),
        once_active=frozenset(str(record["id"]) for record in history),
        history=list(reversed(history)),
    )


def moment(value: object) -> dt.datetime | None:
    """A registry's ISO 8601 time ("2026-12-08T01:20:00+00:00") as a datetime."""
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def review(settings: Settings, model_id: str) -> Review:
    """``model_id`` beside the active model (ModelError when it is not kept). Reads only:
    a model file not kept yet is compared as "never evaluated"."""
    registry = activation.registry(settings)
    candidate = registry.get(model_id)
    active_id = registry.active_id()
    active = registry.get(active_id) if active_id is not None else None
    return _review(candidate, active)


def _review(candidate: KeptModel, active: KeptModel | None) -> Review:
    if not candidate.scores:
        return Review(candidate, active, None, [])
    comparison = compare(active, candidate)
    return Review(candidate, active, comparison, refusal_reasons(comparison))


def check_activation(settings: Settings, model_id: str, reason: str) -> tuple[Review, str | None]:
    """May ``model_id`` be activated with ``reason`` (blank: none)? The review and the
    reason to record; raises ActivationRefused. The model file the servers load is kept
    first when no kept model is active yet (as the shell does)."""
    candidate = activation.registry(settings).get(model_id)
    active = activation.current(settings)
    checked = _review(candidate, active)
    written = " ".join(reason.split())[:MAX_REASON] or None
    if checked.is_active:
        raise ActivationRefused("active")
    if checked.comparison is None:
        raise ActivationRefused("not_evaluated")
    if checked.refusals and written is None:
        raise ActivationRefused("reason")
    return checked, written


def check_rollback(settings: Settings, model_id: str) -> KeptModel:
    """A kept model that is not the active one (ModelError when it is not kept)."""
    activation.current(settings)
    registry = activation.registry(settings)
    model = registry.get(model_id)
    if registry.active_id() == model.id:
        raise ActivationRefused("active")
    return model
