"""Schema migrations of the project's tables (Alembic), run by ``make run`` and the tests.

``python -m bot.manage migrate`` upgrades the database of ``DATABASE_URL``;
``python -m bot.manage make-migration -m "what changed" --branch-label sessions`` writes a new
migration from the difference between the tables in ``bot.storage.tables`` and the database.

Each feature's migrations form their own branch (several heads are fine), and ``upgrade``
always goes to every head. Rasa's tracker store tables are not ours: ``env.py`` leaves them out
of autogeneration.
"""

from __future__ import annotations

import argparse
from importlib import resources

from alembic import command
from alembic.config import Config

from bot.config import Settings


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for ``database_url`` with the package's migration scripts."""
    config = Config()
    location = resources.files("bot.storage").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    # ConfigParser interpolation would read a "%" in a password as a reference.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Bring the project's tables in ``database_url`` up to date (creates them if new)."""
    command.upgrade(alembic_config(database_url), "heads")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The ``migrate`` command of ``python -m bot.manage``."""
    parser = commands.add_parser("migrate", help="apply every pending schema migration")
    parser.set_defaults(handler=lambda settings, _args: _upgrade_and_say(settings.database_url))
    revision = commands.add_parser("make-migration", help="write a migration from table changes")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--head", default="base", help="branch to extend (default: a new one)")
    revision.add_argument("--branch-label", default=None)
    revision.set_defaults(handler=_revision)


def _upgrade_and_say(database_url: str) -> int:
    upgrade(database_url)
    print("[migrate] the database is up to date")
    return 0


def _revision(settings: Settings, args: argparse.Namespace) -> int:
    command.revision(
        alembic_config(settings.database_url),
        message=args.message,
        autogenerate=True,
        head=args.head,
        branch_label=args.branch_label,
    )
    return 0
