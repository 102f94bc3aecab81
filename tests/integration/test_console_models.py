"""The console's Models page: the real app and database (SQLite and PostgreSQL), kept models
in a real registry on disk, a local stand-in for Rasa's ``PUT /model`` (a real HTTP server
on loopback), and the training job running real child processes (a small command instead
of ``models train``: the real training is exercised by hand only)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.config import Secret, Settings
from bot.console import audit
from bot.messages import text as catalog
from bot.ops.cli import free_port
from bot.storage import db
from bot.training import activation
from bot.training.job import FAILED, FINISHED, RUNNING, JobState, TrainingJob, TrainingRunning
from bot.training.models import Registry
from bot.web.app import create_app
from bot.web.console.keys import MODEL_TRAINING
from tests.factories import html_text
from tests.integration.console_client import ADMIN, CONSULTANT, console_settings, prepare, sign_in

TOKEN = "models-api-token"
OLD, GOOD, BAD, RAW = "20261201-090000", "20261202-090000", "20261203-090000", "20261204-090000"


class FakeRasa:
    """Answers ``PUT /model`` as Rasa does (204) and records what it was asked to load."""

    def __init__(self) -> None:
        self.loads: list[tuple[str | None, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.loads.append((request.query.get("token"), body["model_file"]))
        return web.Response(status=204)


def _scores(per_intent: dict[str, tuple[float, int]], wrong: dict[str, str]) -> dict[str, Any]:
    """Held-out scores as bot.training.models.stored_scores writes them; ``wrong`` maps a
    message's text to the intent the model took it for (two messages per intent)."""
    languages: dict[str, list[float]] = {}
    results = []
    for key, (acc, n) in per_intent.items():
        total = languages.setdefault(key.split(" ")[0], [0.0, 0])
        total[0] += acc * n
        total[1] += n
        language, intent = key.split(" ")
        for number in range(n):
            text = f"{language}-{intent}-{number}"
            results.append([language, intent, wrong.get(text, intent), text])
    return {
        "heldout": {
            "intent": {lang: [acc / n, n] for lang, (acc, n) in languages.items()},
            "per_intent": {k: list(v) for k, v in per_intent.items()},
            "results": results,
        }
    }


ALL_RIGHT = {"fr greet": (100.0, 2), "fr goodbye": (100.0, 2)}
ALL_RIGHT_NL = {"nl greet": (100.0, 2), "nl goodbye": (100.0, 2)}


def _registry(settings: Settings) -> Registry:
    """Four kept models: OLD (active), GOOD (better), BAD (refused), RAW (not evaluated)."""
    registry = activation.registry(settings)
    scores = {
        # OLD misunderstood one French greeting as a goodbye; GOOD gets it right.
        OLD: _scores(
            {"fr greet": (50.0, 2), "fr goodbye": (100.0, 2), **ALL_RIGHT_NL},
            {"fr-greet-1": "goodbye"},
        ),
        GOOD: _scores({**ALL_RIGHT, **ALL_RIGHT_NL}, {}),
        # BAD loses a Dutch goodbye: 50 points on the intent, 75 % in Dutch.
        BAD: _scores(
            {**ALL_RIGHT, "nl greet": (100.0, 2), "nl goodbye": (50.0, 2)},
            {"nl-goodbye-0": "greet"},
        ),
    }
    for model_id in (OLD, GOOD, BAD, RAW):
        source = settings.var_dir / f"{model_id}.tar.gz"
        source.write_text(model_id)
        registry.keep(source, trained_by="anna", data_hash=f"hash{model_id}", model_id=model_id)
        if model_id in scores:
            registry.save_scores(model_id, scores[model_id])
    registry.activate(OLD, by="anna", reason=None, action="activate")
    return registry


async def _rasa(aiohttp_server: Any, fake: FakeRasa) -> int:
    api = web.Application()
    api.router.add_put("/model", fake.handle)
    return int((await aiohttp_server(api)).port)


def _settings(tmp_path: Path, database_url: str, rasa_port: int) -> Settings:
    return dataclasses.replace(
        console_settings(tmp_path, database_url),
        models_dir=tmp_path / "models",
        rasa_port=rasa_port,
        rasa_api_token=Secret(TOKEN),
    )


async def _app(
    aiohttp_client: Any, settings: Settings, database_url: str, job: TrainingJob | None = None
) -> TestClient:
    prepare(database_url)
    app = create_app(settings)
    if job is not None:
        app[MODEL_TRAINING] = job
    return await aiohttp_client(app)


def _audit(database_url: str, action: str) -> list[audit.AuditEntry]:
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        entries = audit.recent(conn, action=action)
    engine.dispose()
    return entries


async def _signed_in(
    aiohttp_client: Any, tmp_path: Path, database_url: str, rasa_port: int, who: str
) -> tuple[Settings, Registry, Any, str]:
    """The four kept models of :func:`_registry`, the console, ``who`` signed in (CSRF)."""
    settings = _settings(tmp_path, database_url, rasa_port)
    registry = _registry(settings)
    client = await _app(aiohttp_client, settings, database_url)
    return settings, registry, client, await sign_in(client, who)


@pytest.fixture
async def rasa(aiohttp_server: Any) -> tuple[FakeRasa, int]:
    fake = FakeRasa()
    return fake, await _rasa(aiohttp_server, fake)


async def test_consultants_see_the_models_and_only_admins_act(
    aiohttp_client: Any, tmp_path: Path, database_url: str, rasa: tuple[FakeRasa, int]
) -> None:
    fake, port = rasa
    settings, registry, client, csrf = await _signed_in(
        aiohttp_client, tmp_path, database_url, port, CONSULTANT
    )  # reads Dutch
    page = await (await client.get("/console/models")).text()
    assert html_text("nl", "console.nav.models") in page
    assert html_text("nl", "console.models.title") in page
    assert page.index(RAW) < page.index(BAD) < page.index(GOOD) < page.index(OLD)  # newest first
    assert "100.0 %" in page and "75.0 %" in page  # held-out accuracy per language
    assert f"hash{OLD}"[:10] in page and html_text("nl", "console.models.not_evaluated") in page
    assert html_text("nl", "console.models.data") in page  # the column, a text
    assert html_text("nl", "console.models.admins_only") in page
    assert "/console/admin/models" not in page  # no train, activate nor roll-back form
    compared = await (await client.get(f"/console/models/{BAD}")).text()
    assert html_text("nl", "console.models.model.refusals") in compared
    assert "/console/admin/models" not in compared
    for url in (
        "/console/admin/models/train",
        f"/console/admin/models/{GOOD}/activate",
        f"/console/admin/models/{GOOD}/rollback",
    ):
        refused = await client.post(url, data={"csrf_token": csrf, "reason": "x"})
        assert refused.status == 403, url
    assert registry.active_id() == OLD and fake.loads == []
    assert (await client.get("/console/models/19990101-000000")).status == 404


async def test_a_better_model_is_activated_and_every_rasa_process_loads_it(
    aiohttp_client: Any, tmp_path: Path, database_url: str, rasa: tuple[FakeRasa, int]
) -> None:
    fake, port = rasa
    settings, registry, client, csrf = await _signed_in(
        aiohttp_client, tmp_path, database_url, port, ADMIN
    )  # reads French
    compared = await (await client.get(f"/console/models/{GOOD}")).text()
    assert html_text("fr", "console.models.model.may_activate") in compared
    assert 'id="newly-right"' in compared and "fr-greet-1" in compared
    assert "50 %" in compared and "100 %" in compared  # fr greet, side by side
    assert 'id="newly-wrong"' not in compared

    activated = await client.post(
        f"/console/admin/models/{GOOD}/activate", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert activated.status == 303
    assert f"rasa={port}-loaded" in activated.headers["Location"]
    page = await (await client.get(activated.headers["Location"])).text()
    assert html_text("fr", "console.models.done.activated", model=GOOD) in page
    assert html_text("fr", "console.models.reload.outcomes.loaded") in page
    assert registry.active_id() == GOOD
    assert registry.active_file.read_text() == GOOD
    assert fake.loads == [(TOKEN, str(activation.model_path(settings).resolve()))]
    [entry] = _audit(database_url, "model_activated")
    assert entry.actor == ADMIN and entry.details == {"model": GOOD, "reason": None}
    assert registry.history()[-1]["by"] == ADMIN


async def test_a_refused_model_needs_a_written_reason_which_both_audit_trails_keep(
    aiohttp_client: Any, tmp_path: Path, database_url: str, rasa: tuple[FakeRasa, int]
) -> None:
    fake, port = rasa
    settings, registry, client, csrf = await _signed_in(
        aiohttp_client, tmp_path, database_url, port, ADMIN
    )
    compared = await (await client.get(f"/console/models/{BAD}")).text()
    assert html_text("fr", "console.models.model.refusals") in compared
    assert 'id="newly-wrong"' in compared and "nl-goodbye-0" in compared
    language = html_text("fr", "console.language.nl")
    assert f"{language} : 75.0 % de réussite, sous le seuil de 90 %" in compared
    assert "perd 50.0 points (100 % → 50 %)" in compared
    assert 'name="reason"' in compared and "required" in compared

    url = f"/console/admin/models/{BAD}/activate"
    for blank in ("", "   "):
        refused = await client.post(url, data={"csrf_token": csrf, "reason": blank})
        assert refused.status == 400
        assert html_text("fr", "console.models.refused.reason") in await refused.text()
    assert registry.active_id() == OLD and fake.loads == []

    reason = "Nouvelles étiquettes urgentes, au revoir corrigé demain"
    activated = await client.post(
        url, data={"csrf_token": csrf, "reason": reason}, allow_redirects=False
    )
    assert activated.status == 303
    assert registry.active_id() == BAD and len(fake.loads) == 1
    assert registry.history()[-1]["reason"] == reason
    [entry] = _audit(database_url, "model_activated")
    assert entry.details == {"model": BAD, "reason": reason}
    history = await (await client.get("/console/models")).text()
    assert reason in history  # the page's list of activations


async def test_rollback_switches_the_active_model_back(
    aiohttp_client: Any, tmp_path: Path, database_url: str, rasa: tuple[FakeRasa, int]
) -> None:
    fake, port = rasa
    settings = _settings(tmp_path, database_url, port)
    registry = _registry(settings)
    registry.activate(GOOD, by="anna", reason=None, action="activate")
    client = await _app(aiohttp_client, settings, database_url)
    csrf = await sign_in(client, ADMIN)
    page = await (await client.get("/console/models")).text()
    assert f"/console/admin/models/{OLD}/rollback" in page  # was active once
    assert f"/console/admin/models/{BAD}/rollback" not in page  # never was
    rolled = await client.post(
        f"/console/admin/models/{OLD}/rollback", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert rolled.status == 303
    assert registry.active_id() == OLD and registry.active_file.read_text() == OLD
    assert [r["action"] for r in registry.history()][-1] == "rollback"
    assert len(fake.loads) == 1
    [entry] = _audit(database_url, "model_rolled_back")
    assert entry.details == {"model": OLD, "reason": None}
    again = await client.post(f"/console/admin/models/{OLD}/rollback", data={"csrf_token": csrf})
    assert again.status == 400  # already the active one
    assert html_text("fr", "console.models.refused.active") in await again.text()


async def test_in_production_mode_each_rasa_process_loads_the_model_in_turn(
    aiohttp_client: Any,
    aiohttp_server: Any,
    tmp_path: Path,
    database_url: str,
    rasa: tuple[FakeRasa, int],
) -> None:
    """Production mode lists its processes' ports while it runs; the embedded port (the
    ``rasa`` fixture's) is then not asked, and it is again once that list is gone."""
    embedded, embedded_port = rasa
    processes = [FakeRasa(), FakeRasa()]
    ports = [await _rasa(aiohttp_server, fake) for fake in processes]
    settings = _settings(tmp_path, database_url, embedded_port)
    registry = _registry(settings)
    ports_file = activation.rasa_ports_file(settings)
    ports_file.parent.mkdir(parents=True, exist_ok=True)
    ports_file.write_text(json.dumps(ports))
    client = await _app(aiohttp_client, settings, database_url)
    csrf = await sign_in(client, ADMIN)
    activated = await client.post(
        f"/console/admin/models/{GOOD}/activate", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert all(f"rasa={port}-loaded" in activated.headers["Location"] for port in ports)
    assert [len(fake.loads) for fake in processes] == [1, 1] and embedded.loads == []
    ports_file.unlink()  # production mode stopped
    rolled = await client.post(
        f"/console/admin/models/{OLD}/rollback", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert f"rasa={embedded_port}-loaded" in rolled.headers["Location"]
    assert [len(fake.loads) for fake in processes] == [1, 1] and len(embedded.loads) == 1
    assert registry.active_id() == OLD


async def test_a_model_never_evaluated_is_not_activated_and_a_stopped_rasa_is_reported(
    aiohttp_client: Any, tmp_path: Path, database_url: str
) -> None:
    settings, registry, client, csrf = await _signed_in(
        aiohttp_client, tmp_path, database_url, free_port(), ADMIN
    )  # nothing listens there
    compared = await (await client.get(f"/console/models/{RAW}")).text()
    assert html_text("fr", "console.models.model.not_evaluated", id=RAW) in compared
    refused = await client.post(
        f"/console/admin/models/{RAW}/activate", data={"csrf_token": csrf, "reason": "test"}
    )
    assert refused.status == 400 and registry.active_id() == OLD
    activated = await client.post(
        f"/console/admin/models/{GOOD}/activate", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert f"rasa={settings.rasa_port}-not_running" in activated.headers["Location"]
    assert registry.active_id() == GOOD


# --- the training job ----------------------------------------------------------------------

# Prints, waits until the test creates the file "go" (so that the test sees it running),
# then exits with the status given.
SCRIPT = """
import pathlib, sys, time
print("training by", sys.argv[1], flush=True)
print("epoch 1/2\\r", "epoch 2/2", flush=True)
# What Rasa's training prints (rasa.engine.training.hooks, then tqdm's bar with carriage returns)
print("INFO rasa.engine.training.hooks - Starting to train component 'RegexFeaturizer'.")
print("INFO rasa.engine.training.hooks - Starting to train component 'ResponseSelector'.")
print("Epochs:   0%|   | 0/40 [00:00<?, ?it/s]\\rEpochs:  30%|#  | 12/40 [00:20<00:45]", flush=True)
go = pathlib.Path(sys.argv[2])
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.05)
print("the end", flush=True)
sys.exit(int(sys.argv[3]))
"""


def _job(tmp_path: Path, status: int = 0, repository: Path | None = None) -> TrainingJob:
    """A job running SCRIPT in a repository of the test's own (Train writes the labelled
    messages into its data/ first: never into the project's)."""
    go = tmp_path / "go"
    repository = repository or tmp_path / "repo"
    repository.mkdir(exist_ok=True)

    def command(by: str) -> list[str]:
        return [sys.executable, "-c", SCRIPT, by, str(go), str(status)]

    return TrainingJob(tmp_path / "var", command=command, cwd=repository)


async def _until(condition: Any) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition never came true")


async def test_the_training_job_runs_one_child_at_a_time_and_logs_its_output(
    tmp_path: Path,
) -> None:
    job = _job(tmp_path)
    assert job.status().state == "idle" and job.tail() == []
    running = await job.start("anna")
    assert running.state == RUNNING and running.pid and job.status().state == RUNNING
    with pytest.raises(TrainingRunning) as second:
        await job.start("bert")
    assert second.value.state.by == "anna"
    await _until(lambda: "training by anna" in job.tail())
    (tmp_path / "go").touch()
    ended = await asyncio.wait_for(job.wait(), 30)
    assert ended.state == FINISHED and ended.returncode == 0
    tail = job.tail()
    assert tail[-1] == "the end"
    # A progress bar (carriage returns) shows its last state only.
    assert " epoch 2/2" in tail and not any("epoch 1/2" in line for line in tail), tail
    assert tail[-2] == "Epochs:  30%|#  | 12/40 [00:20<00:45]"
    assert TrainingJob(tmp_path / "var").status().state == FINISHED  # what another process sees
    assert (await job.start("bert")).state == RUNNING  # a new one may start now
    assert (await asyncio.wait_for(job.wait(), 30)).by == "bert"


async def test_two_web_processes_clicked_at_once_start_one_training(tmp_path: Path) -> None:
    """Two jobs on one var/ directory, as two web processes have: each sees the state file,
    and only one of two simultaneous starts runs (without the file lock, both did)."""
    first, second = _job(tmp_path), _job(tmp_path)
    started = await asyncio.gather(
        first.start("anna"), second.start("bert"), return_exceptions=True
    )
    running = [s for s in started if isinstance(s, JobState)]
    refused = [s for s in started if isinstance(s, TrainingRunning)]
    assert len(running) == 1 and len(refused) == 1, started
    assert refused[0].state.by == running[0].by
    (tmp_path / "go").touch()
    job = first if running[0].by == "anna" else second
    assert (await asyncio.wait_for(job.wait(), 30)).state == FINISHED


async def test_a_failed_or_missing_command_says_why(tmp_path: Path) -> None:
    (tmp_path / "go").touch()
    job = _job(tmp_path, status=3)
    await job.start("anna")
    failed = await asyncio.wait_for(job.wait(), 30)
    assert failed.state == FAILED and failed.reason == "exit" and failed.returncode == 3
    assert failed.detail == "the end"
    missing = TrainingJob(tmp_path / "other", command=lambda by: [str(tmp_path / "no-such")])
    started = await missing.start("anna")
    assert started.state == FAILED and started.reason == "start"
    assert missing.status().state == FAILED


async def test_a_training_whose_process_vanished_is_reported_lost(tmp_path: Path) -> None:
    job = _job(tmp_path)
    await job.start("anna")
    job.close()  # as when the web server stops: the child goes on
    (tmp_path / "go").touch()
    other = TrainingJob(tmp_path / "var")  # a web process started again
    state = other.status()
    assert state.state in (RUNNING, FAILED)  # running until the child is gone...
    await _until(lambda: other.status().state == FAILED)
    assert other.status().reason == "lost"


async def test_admins_train_from_the_page_and_see_the_state_a_second_start_is_refused(
    aiohttp_client: Any, tmp_path: Path, database_url: str, rasa: tuple[FakeRasa, int]
) -> None:
    _fake, port = rasa
    settings = _settings(tmp_path, database_url, port)
    registry = _registry(settings)
    job = _job(tmp_path)
    client = await _app(aiohttp_client, settings, database_url, job)
    csrf = await sign_in(client, ADMIN)
    started = await client.post(
        "/console/admin/models/train", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert started.status == 303
    page = await (await client.get(started.headers["Location"])).text()
    assert html_text("fr", "console.models.done.training") in page
    assert 'data-state="running"' in page and "console-models.js" in page

    state = await (await client.get("/console/models/training")).json()
    assert state["state"] == "running" and ADMIN in state["text"]
    again = await client.post("/console/admin/models/train", data={"csrf_token": csrf})
    assert again.status == 409
    assert html_text("fr", "console.models.refused.running", by=ADMIN, elapsed="")[:40] in (
        await again.text()
    )
    await _until(lambda: any("12/40" in line for line in job.tail()))
    state = await (await client.get("/console/models/training")).json()
    assert "training by " + ADMIN in state["tail"]
    assert (state["epoch"], state["epochs"]) == (12, 40)
    assert state["stage"] == catalog("fr", "console.models.training.stage_component").format(
        component="ResponseSelector", number=2
    ) + catalog("fr", "console.models.training.stage_epoch").format(epoch=12, epochs=40)
    page = await (await client.get("/console/models")).text()
    assert 'id="training-progress" max="40" value="12"' in page

    (tmp_path / "go").touch()
    await asyncio.wait_for(job.wait(), 30)
    state = await (await client.get("/console/models/training")).json()
    assert state["state"] == "finished" and not state["running"]
    assert [e.actor for e in _audit(database_url, "model_training")] == [ADMIN]
    assert registry.active_id() == OLD


async def test_a_failed_training_says_why_and_leaves_the_active_model(
    aiohttp_client: Any, tmp_path: Path, database_url: str, rasa: tuple[FakeRasa, int]
) -> None:
    fake, port = rasa
    settings = _settings(tmp_path, database_url, port)
    registry = _registry(settings)
    (tmp_path / "go").touch()
    job = _job(tmp_path, status=1)
    client = await _app(aiohttp_client, settings, database_url, job)
    csrf = await sign_in(client, CONSULTANT)  # reads Dutch, cannot train
    assert (
        await client.post("/console/admin/models/train", data={"csrf_token": csrf})
    ).status == 403
    assert job.status().state == "idle"
    admin = await aiohttp_client(client.server)
    csrf = await sign_in(admin, ADMIN)
    await admin.post("/console/admin/models/train", data={"csrf_token": csrf})
    ended = await asyncio.wait_for(job.wait(), 30)
    assert ended.state == FAILED
    state = await (await client.get("/console/models/training")).json()
    assert state["state"] == "failed" and "code 1" in state["text"]
    assert "the end" in state["text"]  # the log's last line says why
    page = await (await client.get("/console/models")).text()
    assert html_text("nl", "console.models.training.title") in page
    assert registry.active_id() == OLD and registry.active_file.read_text() == OLD
    assert fake.loads == []


# --- labelled inbox messages into the training data ----------------------------------------


def _data_dir(root: Path) -> Path:
    """A repository's data/ in small: Dutch teaches an intent French does not."""
    for language, intents in (
        ("fr", {"greet": ["bonjour", "salut"]}),
        ("nl", {"greet": ["hallo", "dag"], "dutch_only": ["alleen in het Nederlands"]}),
    ):
        folder = root / "data" / f"nlu_{language}"
        folder.mkdir(parents=True)
        lines = ['version: "3.1"', "nlu:"]
        for intent, examples in intents.items():
            lines += [f"- intent: {intent}", "  examples: |", *(f"    - {e}" for e in examples)]
        (folder / "core.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root / "data"


def _label_inbox(database_url: str, labels: dict[str, str]) -> None:
    from bot.console import inbox
    from bot.console.projection import refresh_projection
    from tests.console_factories import greeting, store_events, user

    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        store_events(conn, "fr-1", [*greeting(), user("salut", "greet", 0.3, "fr")])
        store_events(conn, "fr-1", [user("coucou tout le monde", "greet", 0.3, "fr")])
        store_events(conn, "fr-1", [user("un mot pour les Flamands", "greet", 0.3, "fr")])
        store_events(
            conn, "nl-1", [*greeting("Dag", "nl"), user("hoi allemaal", "greet", 0.3, "nl")]
        )
    refresh_projection(engine, inbox_confidence=0.6)
    with db.transaction(engine) as conn:
        items, _ = inbox.list_inbox(conn, 0.6)
        ids = {item.text: item.id for item in items}
        for text, intent in labels.items():
            assert inbox.label(conn, ids[text], intent, ADMIN, ["greet", "dutch_only"])
    engine.dispose()


async def _console_with_data(
    aiohttp_client: Any, tmp_path: Path, database_url: str, rasa: tuple[FakeRasa, int]
) -> tuple[Path, TrainingJob, Any]:
    """The console on a repository of the test's own (its data/ of :func:`_data_dir`), with
    the kept models of :func:`_registry`: the data directory, the training job, the client."""
    settings = _settings(tmp_path, database_url, rasa[1])
    _registry(settings)
    repository = tmp_path / "repo"
    data = _data_dir(repository)
    job = _job(tmp_path, repository=repository)
    return data, job, await _app(aiohttp_client, settings, database_url, job)


async def test_train_writes_the_labelled_messages_first(
    aiohttp_client: Any, tmp_path: Path, database_url: str, rasa: tuple[FakeRasa, int]
) -> None:
    data, job, client = await _console_with_data(aiohttp_client, tmp_path, database_url, rasa)
    _label_inbox(database_url, {"coucou tout le monde": "greet"})
    csrf = await sign_in(client, ADMIN)
    started = await client.post(
        "/console/admin/models/train", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert started.status == 303
    from bot.training import data as training_data

    fr_file = data / "nlu_fr" / "console_inbox.yml"
    assert training_data.examples(fr_file) == {"greet": ["coucou tout le monde"]}
    [written] = _audit(database_url, "inbox_written")
    assert written.details == {"added_fr": 1, "added_nl": 0, "refused": 0}
    again = await client.post("/console/admin/models/train", data={"csrf_token": csrf})
    assert again.status == 409  # one training at a time: nothing written again
    assert len(_audit(database_url, "inbox_written")) == 1
    (tmp_path / "go").touch()
    assert (await asyncio.wait_for(job.wait(), 30)).state == FINISHED


async def test_labelled_messages_are_written_per_language_and_the_other_languages_intent_refused(
    aiohttp_client: Any, tmp_path: Path, database_url: str, rasa: tuple[FakeRasa, int]
) -> None:
    data, _training, client = await _console_with_data(aiohttp_client, tmp_path, database_url, rasa)
    _label_inbox(
        database_url,
        {
            "salut": "greet",  # already in the French data
            "coucou tout le monde": "greet",
            "un mot pour les Flamands": "dutch_only",  # taught in Dutch only: refused
            "hoi allemaal": "greet",
        },
    )
    csrf = await sign_in(client, ADMIN)
    written = await client.post("/console/admin/models/data", data={"csrf_token": csrf})
    assert written.status == 200
    page = await written.text()
    french, dutch = (html_text("fr", f"console.language.{code}") for code in ("fr", "nl"))
    assert f"{french} : 1 nouveaux exemples écrits dans console_inbox.yml, 1 déjà présents" in page
    assert f"{dutch} : 1 nouveaux exemples" in page
    assert 'data-refused="fr dutch_only"' in page
    fr_file = data / "nlu_fr" / "console_inbox.yml"
    nl_file = data / "nlu_nl" / "console_inbox.yml"
    from bot.training import data as training_data

    assert training_data.examples(fr_file) == {"greet": ["coucou tout le monde"]}
    assert training_data.examples(nl_file) == {"greet": ["hoi allemaal"]}
    again = await (
        await client.post("/console/admin/models/data", data={"csrf_token": csrf})
    ).text()
    assert f"{french} : 0 nouveaux exemples" in again  # written once only
    assert training_data.examples(fr_file) == {"greet": ["coucou tout le monde"]}
    [entry, _first] = _audit(database_url, "inbox_written")
    assert entry.details == {"added_fr": 0, "added_nl": 0, "refused": 1}
