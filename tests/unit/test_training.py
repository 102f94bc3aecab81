"""When ``make train`` retrains, and when it must not trust Rasa's training cache."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops import cli
from bot.training import job


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


# --- the console's training progress, read off the log -------------------------------------

# Lines of a real `make train` log (2026-12-08): Rasa's hooks, then tqdm's bar, whose updates
# are separated by carriage returns, then the shell command's evaluation.
RASA_LOG = (
    "2026-12-08 01:55:30 INFO     rasa.engine.training.hooks  - Starting to train component"
    " 'RegexFeaturizer'.\n"
    "2026-12-08 01:55:30 INFO     rasa.engine.training.hooks  - Finished training component"
    " 'RegexFeaturizer'.\n"
    "2026-12-08 01:55:44 INFO     rasa.engine.training.hooks  - Starting to train component"
    " 'ResponseSelector'.\n"
    "Epochs:   0%|          | 0/40 [00:00<?, ?it/s]\r"
    "Epochs:   2%|▎         | 1/40 [00:04<02:57,  4.56s/it]\r"
    "Epochs:   5%|▌         | 2/40 [00:05<01:24,  2.22s/it, t_loss=6.71, r_acc=0.3]"
)


def test_progress_names_the_component_under_way_and_its_epoch() -> None:
    assert job.progress("Loading data...\n") is None
    assert job.progress(RASA_LOG) == job.Progress("ResponseSelector", 2, 2, 40)
    finished = (
        RASA_LOG + "\n2026-12-08 01:56:19 INFO  - Finished training component 'ResponseSelector'.\n"
    )
    started = finished + "... - Starting to train component 'FaqTopicVote'.\n"
    assert job.progress(started) == job.Progress("FaqTopicVote", 3)  # no epochs of its own
    evaluating = started + "[models] evaluating 20261208-020000 on the held-out and dev sets...\n"
    assert job.progress(evaluating) == job.Progress("FaqTopicVote", 3, evaluating=True)
