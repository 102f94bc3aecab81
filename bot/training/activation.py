"""Making a kept model the active one, from the shell (bot.ops.models) or the console.

:func:`switch` replaces ``models/crossborder.tar.gz`` (the file every Rasa process loads
when it starts) through the registry (bot/training/models.py, which writes the audit trail)
and asks each running Rasa process to load it through Rasa's HTTP API (``PUT /model``),
one process at a time, so that in production mode the others go on answering while one
loads. A process that is not running loads the file when it starts. No Rasa import: this
talks to Rasa over HTTP only.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.config import Settings
from bot.training.models import KeptModel, Registry

MODEL_NAME = "crossborder"
RELOAD_TIMEOUT_S = 300
FINGERPRINT_FILE = "fingerprint.json"
# What `make run` writes when it trains the model itself (no kept model is active yet).
MAKE_TRAIN = "make train"


def model_path(settings: Settings) -> Path:
    """The file the Rasa processes load."""
    return settings.models_dir / f"{MODEL_NAME}.tar.gz"


def registry(settings: Settings) -> Registry:
    return Registry(settings.models_dir, model_path(settings))


def current(settings: Settings) -> KeptModel | None:
    """The active kept model; the file the servers load is kept first if no model is."""
    kept = registry(settings)
    active = kept.active_id()
    if active is not None:
        return kept.get(active)
    path = model_path(settings)
    if not path.exists():
        return None
    stamp = settings.models_dir / FINGERPRINT_FILE
    data_hash = json.loads(stamp.read_text()).get("fingerprint", "") if stamp.exists() else ""
    model = kept.keep(path, trained_by=MAKE_TRAIN, data_hash=data_hash)
    kept.activate(model.id, by=MAKE_TRAIN, reason=None, action="kept")
    return model


def activate_file(
    settings: Settings, model_id: str, by: str, reason: str | None, action: str
) -> KeptModel:
    """The registry's activation, and the training fingerprint `make run` compares with
    data/ (it trains again only when data/ differs from what this model was trained on)."""
    model = registry(settings).activate(model_id, by=by, reason=reason, action=action)
    stamp = settings.models_dir / FINGERPRINT_FILE
    previous = json.loads(stamp.read_text()) if stamp.exists() else {}
    stamp.write_text(json.dumps({**previous, "fingerprint": model.data_hash}))
    return model


@dataclass(frozen=True)
class Reload:
    """What one Rasa process answered: ``outcome`` is loaded, refused, not_running or
    failed; ``detail`` the HTTP status or the error's type."""

    port: int
    outcome: str
    detail: str = ""

    def __str__(self) -> str:
        if self.outcome == "loaded":
            return "loaded"
        if self.outcome == "not_running":
            return "not running (loads the model when it starts)"
        return f"{self.outcome} ({self.detail})"


RASA_PORTS_FILE = "rasa-ports.json"


def rasa_ports_file(settings: Settings) -> Path:
    """Where production mode lists its Rasa processes' ports while it runs
    (bot.ops.production writes it at start and removes it when it stops)."""
    return settings.var_dir / "run" / RASA_PORTS_FILE


def rasa_ports(settings: Settings) -> list[int]:
    """The ports of the running Rasa processes: production mode's while it runs, else the
    embedded one's."""
    path = rasa_ports_file(settings)
    try:
        ports = json.loads(path.read_text())
    except (OSError, ValueError):
        return [settings.rasa_port]
    if isinstance(ports, list) and ports and all(isinstance(p, int) for p in ports):
        return ports
    return [settings.rasa_port]


async def reload_running(settings: Settings, model_file: Path) -> dict[int, Reload]:
    """Ask each running Rasa process, one after the other, to load ``model_file``."""
    results: dict[int, Reload] = {}
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
                    loaded = response.status == 204
                    results[port] = Reload(
                        port, "loaded" if loaded else "refused", str(response.status)
                    )
            except aiohttp.ClientConnectorError:
                results[port] = Reload(port, "not_running")
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                results[port] = Reload(port, "failed", type(exc).__name__)
    return results


async def switch(
    settings: Settings, model_id: str, by: str, reason: str | None, action: str
) -> tuple[KeptModel, dict[int, Reload]]:
    """Activate a kept model (``action``: activate or rollback) and have every running Rasa
    process load it. The file copy runs in a worker thread: the caller's loop keeps going."""
    model = await asyncio.to_thread(activate_file, settings, model_id, by, reason, action)
    return model, await reload_running(settings, model_path(settings))
