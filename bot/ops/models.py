"""``python -m bot.manage models list|train|evaluate|activate|rollback``: bot/training/models.py.

``activate`` and ``rollback`` replace ``models/crossborder.tar.gz`` (the file every Rasa
process loads when it starts) and ask each running Rasa process to load it through Rasa's
HTTP API (``PUT /model``), one process at a time, so that in production mode the others
go on answering while one loads. A process that is not running loads the file when it
starts.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import time
from pathlib import Path

import aiohttp

from bot.config import Settings
from bot.ops import cli
from bot.training import models
from bot.training.models import KeptModel, ModelError, Registry

RELOAD_TIMEOUT_S = 300


def registry(settings: Settings) -> Registry:
    return Registry(settings.models_dir, cli.model_path(settings))


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("models", help="kept models: list, train, evaluate, activate")
    actions = parser.add_subparsers(dest="models_command", required=True)
    actions.add_parser("list", help="the kept models, newest first").set_defaults(handler=_list)
    train = actions.add_parser("train", help="train and keep a model (the active one stays)")
    train.add_argument("--by", default=None, help="who trains it (default: this user)")
    train.set_defaults(handler=_train)
    evaluate = actions.add_parser("evaluate", help="score a kept model on the held-out set")
    evaluate.add_argument("model", help="a kept model's id")
    evaluate.set_defaults(handler=_evaluate)
    activate = actions.add_parser("activate", help="compare with the active model, activate")
    activate.add_argument("model", help="a kept model's id")
    activate.add_argument("--reason", help="activate although it is refused, saying why")
    activate.add_argument("--by", default=None, help="who activates it (default: this user)")
    activate.set_defaults(handler=_activate)
    rollback = actions.add_parser("rollback", help="back to the model active before")
    rollback.add_argument("model", nargs="?", help="a kept model's id (default: the previous)")
    rollback.add_argument("--by", default=None, help="who rolls back (default: this user)")
    rollback.set_defaults(handler=_rollback)


def _who(args: argparse.Namespace) -> str:
    return str(args.by or getpass.getuser())


def _say(text: str) -> None:
    print(f"[models] {text}", flush=True)


def _list(settings: Settings, args: argparse.Namespace) -> int:
    kept = registry(settings)
    active = kept.active_id()
    for model in kept.kept():
        scores = " ".join(
            f"{lang} {acc:.1f} %"
            for lang in ("fr", "nl")
            if (acc := model.accuracy(lang)) is not None
        )
        seconds = f"{model.training_seconds:.0f} s" if model.training_seconds else "-"
        mark = "*" if model.id == active else " "
        print(f"{mark} {model.id}  {model.created}  {model.trained_by:<12} {seconds:>6}  {scores}")
    if active is None:
        _say("no kept model is active yet (the first activation keeps the current one too)")
    return 0


def _train(settings: Settings, args: argparse.Namespace) -> int:
    kept = registry(settings)
    model_id = kept.new_id()
    started = time.monotonic()
    _say(f"training {model_id} from data/ (the active model keeps serving)...")
    out = kept.kept_dir / model_id
    trained = cli.rasa_train(out, "model", force=True)
    model = kept.keep(
        trained,
        trained_by=_who(args),
        data_hash=cli.training_fingerprint(),
        training_seconds=round(time.monotonic() - started, 1),
        model_id=model_id,
    )
    _say(f"kept {model.id} ({model.training_seconds} s); next: models evaluate {model.id}")
    return 0


def evaluate(settings: Settings, model: KeptModel) -> KeptModel:
    from bot.nlu.evaluation import nlu_figures

    _say(f"evaluating {model.id} on the held-out and development sets...")
    figures = asyncio.run(nlu_figures(model.file))
    return registry(settings).save_scores(model.id, models.stored_scores(figures))


def _evaluate(settings: Settings, args: argparse.Namespace) -> int:
    model = evaluate(settings, registry(settings).get(args.model))
    for lang in ("fr", "nl"):
        _say(f"{lang}: held-out accuracy {model.accuracy(lang):.1f} %")
    return 0


def _current(settings: Settings) -> KeptModel | None:
    """The active kept model; the file the servers load is kept first if no model is."""
    kept = registry(settings)
    active = kept.active_id()
    if active is not None:
        return kept.get(active)
    path = cli.model_path(settings)
    if not path.exists():
        return None
    stamp = settings.models_dir / "fingerprint.json"
    data_hash = json.loads(stamp.read_text()).get("fingerprint", "") if stamp.exists() else ""
    model = kept.keep(path, trained_by="make train", data_hash=data_hash)
    kept.activate(model.id, by="make train", reason=None, action="kept")
    return model


def _activate(settings: Settings, args: argparse.Namespace) -> int:
    kept = registry(settings)
    try:
        candidate = kept.get(args.model)
        active = _current(settings)
        if candidate.scores is None:
            candidate = evaluate(settings, candidate)
        if active is not None and active.scores is None and active.id != candidate.id:
            active = evaluate(settings, active)
        comparison = models.compare(active, candidate)
    except ModelError as exc:
        _say(str(exc))
        return 2
    for lang, (old, new) in comparison.languages.items():
        before = f"{old:.1f} %" if old is not None else "-"
        _say(f"{lang}: held-out {before} -> {new:.1f} %")
    _say(f"newly right: {len(comparison.newly_right)}, newly wrong: {len(comparison.newly_wrong)}")
    for lang, intent, got, text in comparison.newly_wrong[:20]:
        _say(f"  now wrong [{lang}] {intent} -> {got}: {text}")
    refused = models.refusals(comparison)
    for reason in refused:
        _say(f"refused: {reason}")
    if refused and not args.reason:
        _say("not activated; --reason 'why' activates it anyway (kept in the audit trail)")
        return 1
    return _switch(settings, candidate.id, _who(args), args.reason, "activate")


def _rollback(settings: Settings, args: argparse.Namespace) -> int:
    kept = registry(settings)
    target = args.model or kept.previous_id()
    if target is None:
        _say("no earlier model to roll back to")
        return 2
    try:
        kept.get(target)
    except ModelError as exc:
        _say(str(exc))
        return 2
    return _switch(settings, target, _who(args), None, "rollback")


def _switch(settings: Settings, model_id: str, by: str, reason: str | None, action: str) -> int:
    settings = cli.ensure_api_token(settings)
    model = registry(settings).activate(model_id, by=by, reason=reason, action=action)
    stamp = settings.models_dir / "fingerprint.json"
    previous = json.loads(stamp.read_text()) if stamp.exists() else {}
    # `make run` trains again only when data/ differs from what this model was trained on.
    stamp.write_text(json.dumps({**previous, "fingerprint": model.data_hash}))
    _say(f"{model.id} is the active model ({action} by {by})")
    loaded = asyncio.run(reload_running(settings, cli.model_path(settings)))
    for port, result in loaded.items():
        _say(f"Rasa on port {port}: {result}")
    return 0


def rasa_ports(settings: Settings) -> list[int]:
    """The ports of the running Rasa processes: production mode's when it runs, else the
    embedded one's."""
    if (settings.var_dir / "run" / "processes.json").exists():
        from bot.ops.production_config import ProductionSettings

        try:
            return list(ProductionSettings.from_env().rasa_ports)
        except ValueError:
            pass
    return [settings.rasa_port]


async def reload_running(settings: Settings, model_file: Path) -> dict[int, str]:
    """Ask each running Rasa process, one after the other, to load ``model_file``."""
    results: dict[int, str] = {}
    token = settings.rasa_api_token
    timeout = aiohttp.ClientTimeout(total=RELOAD_TIMEOUT_S, sock_connect=3)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for port in rasa_ports(settings):
            url = f"http://127.0.0.1:{port}/model"
            params = {"token": str(token)} if token else {}
            try:
                async with session.put(
                    url, params=params, json={"model_file": str(model_file.resolve())}
                ) as response:
                    results[port] = (
                        "loaded" if response.status == 204 else f"refused ({response.status})"
                    )
            except aiohttp.ClientConnectorError:
                results[port] = "not running (loads the model when it starts)"
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                results[port] = f"failed ({type(exc).__name__})"
    return results
