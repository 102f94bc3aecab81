"""``python -m bot.manage models list|train|evaluate|activate|rollback``: bot/training/models.py.

``activate`` and ``rollback`` replace ``models/crossborder.tar.gz`` (the file every Rasa
process loads when it starts) and ask each running Rasa process to load it through Rasa's
HTTP API (``PUT /model``): bot.training.activation.switch, which the console's Models page
calls too.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import time

from bot.config import Settings
from bot.ops import cli
from bot.training import activation, models
from bot.training.activation import registry
from bot.training.models import KeptModel, ModelError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("models", help="kept models: list, train, evaluate, activate")
    actions = parser.add_subparsers(dest="models_command", required=True)
    actions.add_parser("list", help="the kept models, newest first").set_defaults(handler=_list)
    train = actions.add_parser("train", help="train and keep a model (the active one stays)")
    train.add_argument("--by", default=None, help="who trains it (default: this user)")
    train.add_argument("--evaluate", action="store_true", help="and score it at once")
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
    if args.evaluate:
        model = evaluate(settings, model)
        _say(f"kept and evaluated {model.id} ({model.training_seconds} s)")
        return 0
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
    return activation.current(settings)


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
    model, loaded = asyncio.run(activation.switch(settings, model_id, by, reason, action))
    _say(f"{model.id} is the active model ({action} by {by})")
    for port, result in loaded.items():
        _say(f"Rasa on port {port}: {result}")
    return 0
