"""Data and administration commands: ``python -m bot.manage <command> ...``.

Each feature module offers a ``register(subparsers)`` function that adds its commands and
sets ``handler`` on them; this module only collects them. ``python -m bot.manage --help``
lists every command.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot import log
from bot.config import Settings

Register = Callable[[argparse._SubParsersAction], None]  # type: ignore[type-arg]


def _registrations() -> list[Register]:
    # Imported here so that one broken feature does not stop `--help` of the others.
    from bot.alerts import digest as alert_digest
    from bot.console import commands as console_commands
    from bot.ops import models as model_commands
    from bot.sessions import cli as session_commands
    from bot.storage import migrate
    from bot.vacancies import importer as vacancy_import
    from bot.vacancies import sync as vacancy_sync

    return [
        migrate.register,
        vacancy_import.register,
        vacancy_sync.register,
        session_commands.register,
        console_commands.register,
        model_commands.register,
        alert_digest.register,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.manage", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for register in _registrations():
        register(commands)
    args = parser.parse_args(argv)
    log.setup()
    return int(args.handler(Settings.from_env(), args) or 0)
