"""When ``make train`` retrains, and when it must not trust Rasa's training cache."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops import cli


@pytest.fixture
def rasa_train(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """Record the ``rasa train`` commands instead of training, and write the model file."""
    commands: list[list[str]] = []

    def run(command: list[str], **_kwargs: object) -> subprocess.CompletedProcess[bytes]:
        commands.append(command)
        (tmp_path / f"{cli.MODEL_NAME}.tar.gz").write_bytes(b"model")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(cli.subprocess, "run", run)
    return commands


def _inputs(monkeypatch: pytest.MonkeyPatch, data: str, code: str) -> None:
    def fingerprint(inputs: tuple[str, ...] = cli.TRAINING_INPUTS) -> str:
        return code if tuple(inputs) == cli.CODE_INPUTS else data + code

    monkeypatch.setattr(cli, "training_fingerprint", fingerprint)


def test_code_change_retrains_without_the_cache_and_data_change_with_it(
    rasa_train: list[list[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = Settings.from_env({"BOT_MODELS_DIR": str(tmp_path)})
    _inputs(monkeypatch, data="d1", code="c1")
    cli.train(settings)
    cli.train(settings)  # nothing changed: no training
    assert len(rasa_train) == 1 and "--force" in rasa_train[0]  # no record of the code

    _inputs(monkeypatch, data="d2", code="c1")
    cli.train(settings)
    assert len(rasa_train) == 2 and "--force" not in rasa_train[1]

    _inputs(monkeypatch, data="d2", code="c2")
    cli.train(settings)
    assert len(rasa_train) == 3 and "--force" in rasa_train[2]
