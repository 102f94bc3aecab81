"""Schema migrations of the project's tables (Alembic), run by ``make run`` and the tests.

``python -m bot.storage.migrate`` upgrades the database of ``DATABASE_URL``;
``python -m bot.storage.migrate revision -m "what changed"`` writes a new migration from the
difference between the tables in ``bot.storage.tables`` and the database.

Each feature's migrations form their own branch (several heads are fine), and ``upgrade``
always goes to every head. Rasa's tracker store tables are not ours: ``env.py`` leaves them out
of autogeneration.
"""

from __future__ import annotations

import argparse
import sys
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.storage.migrate")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("upgrade", help="apply every pending migration (the default)")
    revision = commands.add_parser("revision", help="write a migration from the table changes")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--head", default="base", help="branch to extend (default: new one)")
    revision.add_argument("--branch-label", default=None)
    args = parser.parse_args(argv)
    url = Settings.from_env().database_url
    if args.command == "revision":
        command.revision(
            alembic_config(url),
            message=args.message,
            autogenerate=True,
            head=args.head,
            branch_label=args.branch_label,
        )
    else:
        upgrade(url)
        print("[migrate] database is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
