"""Kept models: keep, list, activate, roll back, compare and refuse (bot/training/models.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.training import models
from bot.training.models import ModelError, Registry


def _registry(tmp_path: Path) -> Registry:
    return Registry(tmp_path / "models", tmp_path / "models" / "crossborder.tar.gz")


def _model_file(tmp_path: Path, content: str) -> Path:
    path = tmp_path / f"{content}.tar.gz"
    path.write_text(content)
    return path


def _scores(per_intent: dict[str, tuple[float, int]], results: list[list[str]]) -> dict:
    """Held-out scores as bot.training.models.stored_scores writes them."""
    languages: dict[str, list[float]] = {}
    for key, (acc, n) in per_intent.items():
        total = languages.setdefault(key.split(" ")[0], [0.0, 0])
        total[0] += acc * n
        total[1] += n
    return {
        "heldout": {
            "intent": {lang: [acc / n, n] for lang, (acc, n) in languages.items()},
            "per_intent": {k: list(v) for k, v in per_intent.items()},
            "results": results,
        }
    }


def test_kept_models_are_listed_newest_first_and_activated_atomically(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    first = registry.keep(_model_file(tmp_path, "one"), trained_by="anna", data_hash="h1")
    second = registry.keep(_model_file(tmp_path, "two"), trained_by="bert", data_hash="h2")
    assert [m.id for m in registry.kept()] == [second.id, first.id]
    assert registry.active_id() is None

    registry.activate(first.id, by="anna", reason=None, action="activate")
    registry.activate(second.id, by="bert", reason="new labels", action="activate")
    assert registry.active_file.read_text() == "two"
    assert registry.active_id() == second.id
    assert not list(registry.models_dir.glob("*.part"))
    assert registry.previous_id() == first.id

    registry.activate(registry.previous_id() or "", by="anna", reason=None, action="rollback")
    assert registry.active_file.read_text() == "one"
    audit = [(r["id"], r["by"], r["action"], r["reason"]) for r in registry.history()]
    assert audit == [
        (first.id, "anna", "activate", None),
        (second.id, "bert", "activate", "new labels"),
        (first.id, "anna", "rollback", None),
    ]
    meta = json.loads((first.directory / "meta.json").read_text())
    assert meta["trained_by"] == "anna" and meta["data_hash"] == "h1"


@pytest.mark.parametrize("model_id", ["nope", "../models", "20261207-101010"])
def test_an_unknown_or_malformed_id_is_refused(tmp_path: Path, model_id: str) -> None:
    with pytest.raises(ModelError, match="no kept model"):
        _registry(tmp_path).get(model_id)


def test_the_comparison_lists_the_messages_that_changed_and_the_losses(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    old = registry.keep(_model_file(tmp_path, "old"), trained_by="a", data_hash="h")
    new = registry.keep(_model_file(tmp_path, "new"), trained_by="a", data_hash="h")
    old = registry.save_scores(
        old.id,
        _scores(
            {"fr greet": (100.0, 2), "fr faq/taxes": (50.0, 2)},
            [
                ["fr", "greet", "greet", "bonjour"],
                ["fr", "greet", "greet", "salut"],
                ["fr", "faq/taxes", "faq/pension", "impôts ?"],
                ["fr", "faq/taxes", "faq/taxes", "je paie où ?"],
            ],
        ),
    )
    new = registry.save_scores(
        new.id,
        _scores(
            {"fr greet": (50.0, 2), "fr faq/taxes": (100.0, 2)},
            [
                ["fr", "greet", "greet", "bonjour"],
                ["fr", "greet", "goodbye", "salut"],
                ["fr", "faq/taxes", "faq/taxes", "impôts ?"],
                ["fr", "faq/taxes", "faq/taxes", "je paie où ?"],
            ],
        ),
    )
    comparison = models.compare(old, new)
    assert comparison.languages == {"fr": (75.0, 75.0)}
    assert comparison.newly_right == [("fr", "faq/taxes", "impôts ?")]
    assert comparison.newly_wrong == [("fr", "greet", "goodbye", "salut")]
    assert comparison.intents[0][:4] == ("fr", "greet", 100.0, 50.0)  # the largest loss first
    assert models.refusals(comparison) == [
        "fr: held-out accuracy 75.0 % is below 90.0 %",
        "fr/greet: loses 50.0 points (100 % -> 50 %)",
    ]
    assert models.refusals(comparison, min_accuracy=70.0, max_intent_loss=60.0) == []
    assert models.refusals(models.compare(old, old), min_accuracy=70.0) == []


def test_a_model_never_evaluated_cannot_be_compared(tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    kept = registry.keep(_model_file(tmp_path, "x"), trained_by="a", data_hash="h")
    with pytest.raises(ModelError, match="not evaluated"):
        models.compare(None, kept)
