"""The Models page (bot.console.models): every signed-in consultant sees the kept models,
their comparison with the active one and the training's state; admins (routes under
``admin/``) train, activate and roll back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.engine import Connection

from bot.console import audit, inbox
from bot.console import models as console_models
from bot.language.codes import SUPPORTED
from bot.training.activation import Reload, switch
from bot.training.job import RUNNING, JobState, Progress, TrainingJob, TrainingRunning
from bot.training.models import MAX_INTENT_LOSS, MIN_ACCURACY, ModelError
from bot.web.console import blocking
from bot.web.console.context import context, request_language, route
from bot.web.console.keys import MODEL_TRAINING, USER
from bot.web.i18n import translator
from bot.web.keys import SETTINGS

OUTCOMES = ("loaded", "refused", "not_running", "failed")
DONE = ("activated", "rolled_back", "training")


def duration(seconds: float | None) -> str:
    """ "2 min 05 s" (the same in French and Dutch)."""
    if seconds is None:
        return "–"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def _reloads(request: web.Request) -> list[Reload]:
    """The Rasa processes' answers, carried by the redirect after an activation."""
    found = []
    for value in request.query.getall("rasa", []):
        port, _, outcome = value.partition("-")
        if port.isdigit() and outcome in OUTCOMES:
            found.append(Reload(int(port), outcome))
    return found


def _training(request: web.Request) -> TrainingJob:
    return request.config_dict[MODEL_TRAINING]


async def training_state(request: web.Request) -> dict[str, Any]:
    """The training's state as the page and its JSON show it, in the reader's words."""
    training = _training(request)
    job, tail, progress = await blocking.call(training.snapshot)
    t = translator(request_language(request))
    values = {
        "by": job.by or "",
        "elapsed": duration(job.elapsed()),
        "code": "" if job.returncode is None else str(job.returncode),
        "detail": job.detail or "",
    }
    key = job.state if job.state != "failed" else f"failed_{job.reason or 'exit'}"
    return {
        "state": job.state,
        "running": job.state == RUNNING,
        "text": t(f"console.models.training.{key}", **values),
        "tail": tail,
        "stage": _stage(t, progress),
        "epoch": progress.epoch if progress else None,
        "epochs": progress.epochs if progress else None,
    }


def _stage(t: Any, progress: Progress | None) -> str:
    """ "Step: ResponseSelector (component 9), epoch 12 of 40", in the reader's words."""
    if progress is None:
        return ""
    if progress.evaluating:
        return str(t("console.models.training.stage_evaluation"))
    stage = t(
        "console.models.training.stage_component",
        component=progress.component or "",
        number=progress.number,
    )
    if progress.epoch is not None and progress.epochs:
        stage += t(
            "console.models.training.stage_epoch", epoch=progress.epoch, epochs=progress.epochs
        )
    return str(stage)


async def _page(
    request: web.Request,
    status: int = 200,
    error: str | None = None,
    error_values: dict[str, str] | None = None,
    written: list[inbox.Written] | None = None,
) -> web.Response:
    settings = request.config_dict[SETTINGS]
    seen = await blocking.call(console_models.overview, settings)
    state = await training_state(request)
    page = context(
        request,
        "models",
        overview=seen,
        moment=console_models.moment,
        duration=duration,
        languages=SUPPORTED,
        min_accuracy=MIN_ACCURACY,
        max_intent_loss=MAX_INTENT_LOSS,
        training=state,
        done=request.query.get("done") if request.query.get("done") in DONE else None,
        done_model=request.query.get("model", ""),
        reloads=_reloads(request),
        error=error,
        error_values=error_values or {},
        written=written,
        export_file=inbox.EXPORT_FILE,
    )
    return aiohttp_jinja2.render_template("console/models.html", request, page, status=status)


async def models_page(request: web.Request) -> web.Response:
    return await _page(request)


async def training_status(request: web.Request) -> web.Response:
    """The training's state, polled by static/console-models.js while it runs."""
    state = await training_state(request)
    return web.json_response(state, headers={"Cache-Control": "no-store"})


async def _review_page(
    request: web.Request,
    review: console_models.Review,
    status: int = 200,
    error: str | None = None,
    reason: str = "",
) -> web.Response:
    page = context(
        request,
        "models",
        review=review,
        moment=console_models.moment,
        duration=duration,
        languages=SUPPORTED,
        min_accuracy=MIN_ACCURACY,
        max_intent_loss=MAX_INTENT_LOSS,
        error=error,
        reason=reason,
        max_reason=console_models.MAX_REASON,
    )
    return aiohttp_jinja2.render_template("console/model.html", request, page, status=status)


async def _get_review(request: web.Request) -> console_models.Review:
    settings = request.config_dict[SETTINGS]
    try:
        return await blocking.call(console_models.review, settings, request.match_info["model"])
    except ModelError:
        raise web.HTTPNotFound() from None


async def compare_page(request: web.Request) -> web.Response:
    return await _review_page(request, await _get_review(request))


async def _switched(
    request: web.Request, model_id: str, reason: str | None, action: str
) -> web.StreamResponse:
    settings = request.config_dict[SETTINGS]
    actor = request[USER].email
    model, reloads = await switch(settings, model_id, actor, reason, action)
    name = "model_activated" if action == "activate" else "model_rolled_back"
    await blocking.write(request, audit.record, actor, name, model=model.id, reason=reason)
    query = [("done", "activated" if action == "activate" else "rolled_back"), ("model", model.id)]
    query += [("rasa", f"{r.port}-{r.outcome}") for r in reloads.values()]
    raise web.HTTPSeeOther(route(request, "models").url_for().with_query(query))


async def activate(request: web.Request) -> web.StreamResponse:
    settings = request.config_dict[SETTINGS]
    form = await request.post()
    reason = str(form.get("reason") or "")
    model_id = request.match_info["model"]
    try:
        _review, written = await blocking.call(
            console_models.check_activation, settings, model_id, reason
        )
    except ModelError:
        raise web.HTTPNotFound() from None
    except console_models.ActivationRefused as refused:
        review = await _get_review(request)
        return await _review_page(request, review, 400, refused.reason, reason)
    return await _switched(request, model_id, written, "activate")


async def rollback(request: web.Request) -> web.StreamResponse:
    settings = request.config_dict[SETTINGS]
    model_id = request.match_info["model"]
    try:
        await blocking.call(console_models.check_rollback, settings, model_id)
    except ModelError:
        raise web.HTTPNotFound() from None
    except console_models.ActivationRefused as refused:
        return await _page(request, 400, refused.reason)
    return await _switched(request, model_id, None, "rollback")


def _running(state: JobState) -> dict[str, str]:
    return {"by": state.by or "", "elapsed": duration(state.elapsed())}


async def train(request: web.Request) -> web.StreamResponse:
    """Write the inbox's labelled messages into the data (as the data button does), then
    start a training: one click trains on them too."""
    actor = request[USER].email
    job = _training(request)
    current = await blocking.call(job.status)
    if current.state == RUNNING:
        return await _page(request, 409, "running", _running(current))
    await blocking.write(request, _write_data, job.data_dir, actor)
    try:
        await job.start(actor)
    except TrainingRunning as running:
        return await _page(request, 409, "running", _running(running.state))
    await blocking.write(request, audit.record, actor, "model_training")
    raise web.HTTPSeeOther(route(request, "models").url_for().with_query(done="training"))


def _write_data(conn: Connection, data_dir: Path, actor: str) -> list[inbox.Written]:
    written = inbox.write_training_data(conn, data_dir)
    counts = {f"added_{w.language}": w.added for w in written}
    refused = sum(sum(w.refused.values()) for w in written)
    audit.record(conn, actor, "inbox_written", **counts, refused=refused)
    return written


async def write_data(request: web.Request) -> web.StreamResponse:
    """The inbox's labelled messages into data/nlu_<language>/ (not while a training reads
    it); the page says what was added and refused (writing again adds nothing)."""
    job = _training(request)
    state = await blocking.call(job.status)
    if state.state == RUNNING:
        return await _page(request, 409, "running", _running(state))
    written = await blocking.write(request, _write_data, job.data_dir, request[USER].email)
    return await _page(request, written=written)
