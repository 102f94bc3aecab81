"""Console commands of ``python -m bot.manage``: accounts and the retention purge.

    python -m bot.manage create-user EMAIL --role admin|consultant [--language fr|nl]
    python -m bot.manage set-password EMAIL
    python -m bot.manage purge-conversations [--days N]

Passwords are asked twice on the terminal, or read from the first line of standard input
with ``--password-stdin`` (scripts, tests); never from the command line, where other users
of the machine could read them in the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot import privacy
from bot.config import Settings
from bot.console import audit, projection, users
from bot.errors import InvalidUser, UserExists
from bot.storage import db, migrate
from bot.storage.console import ROLES


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the console's commands to ``python -m bot.manage``."""
    create = commands.add_parser("create-user", help="create a console account")
    create.add_argument("email")
    create.add_argument("--role", choices=ROLES, default="consultant")
    create.add_argument("--language", choices=("fr", "nl"), default="fr")
    create.add_argument("--password-stdin", action="store_true", help="read the password")
    create.set_defaults(handler=_create_user)
    password = commands.add_parser("set-password", help="set a console account's password")
    password.add_argument("email")
    password.add_argument("--password-stdin", action="store_true", help="read the password")
    password.set_defaults(handler=_set_password)
    purge = commands.add_parser(
        "purge-conversations", help="delete conversations idle for longer than the retention"
    )
    purge.add_argument("--days", type=int, default=None, help="default: BOT_RETENTION_DAYS")
    purge.set_defaults(handler=_purge)


def prepare(settings: Settings) -> tuple[str, str] | None:
    """What the launcher does before start, after the migrations: the first-start demo account.

    Returns the demo account's e-mail and password when it was just created (to be shown
    once), else None.
    """
    with db.transaction(db.engine_for(settings.database_url)) as conn:
        return users.ensure_demo_user(conn)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise InvalidUser("the two passwords differ")
    return first


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    migrate.upgrade(settings.database_url)
    try:
        password = _read_password(args.password_stdin)
        with db.transaction(db.engine_for(settings.database_url)) as conn:
            user = users.create_user(conn, args.email, password, args.role, args.language)
            audit.record(conn, "cli", "user_created", user=user.id, role=user.role)
    except InvalidUser as exc:
        print(f"[console] cannot create the account: {_reason(exc.reason)}", file=sys.stderr)
        return 2
    except UserExists:
        print("[console] an account with this e-mail address exists already", file=sys.stderr)
        return 2
    print(f"[console] {user.role} account created: {user.email}")
    return 0


def _set_password(settings: Settings, args: argparse.Namespace) -> int:
    migrate.upgrade(settings.database_url)
    try:
        password = _read_password(args.password_stdin)
        with db.transaction(db.engine_for(settings.database_url)) as conn:
            user = users.get_by_email(conn, args.email)
            if user is None:
                print("[console] no account with this e-mail address", file=sys.stderr)
                return 2
            users.set_password(conn, user.id, password)
            audit.record(conn, "cli", "user_changed", user=user.id, change="password")
    except InvalidUser as exc:
        print(f"[console] cannot set the password: {_reason(exc.reason)}", file=sys.stderr)
        return 2
    print(f"[console] password changed for {user.email}; its sessions are signed out")
    return 0


def _reason(reason: str) -> str:
    return {
        "email": "not an e-mail address",
        "password": f"the password needs at least {users.MIN_PASSWORD} characters",
    }.get(reason, reason)


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    days = settings.retention_days if args.days is None else args.days
    if days < 1:
        print("[console] --days must be at least 1", file=sys.stderr)
        return 2
    migrate.upgrade(settings.database_url)
    engine = db.engine_for(settings.database_url)
    projection.refresh_for(engine, settings)
    with db.transaction(engine) as conn:
        count = privacy.purge(conn, days, actor="cli")
    print(f"[console] {count} conversations idle for more than {days} days deleted")
    return 0
