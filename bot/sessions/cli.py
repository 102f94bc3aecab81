"""``python -m bot.manage`` commands for information sessions.

create-session      add a session (times in Europe/Brussels)
edit-session        change capacity, deadline, venue or address (more seats go to the
                    waiting list first, and those candidates are e-mailed)
list-sessions       sessions with their seats and status
cancel-session      cancel a session and e-mail its candidates
seed-demo-sessions  demo sessions relative to today (idempotent; --replace redoes them)
"""

from __future__ import annotations

import argparse
import datetime as dt

from bot import sessions
from bot.config import Settings
from bot.errors import SessionNotFound
from bot.mailer import Mailer
from bot.sessions import demo as demo_sessions
from bot.storage import migrate
from bot.storage.db import make_engine, transaction

ACTOR = "manage"


def _moment(value: str) -> dt.datetime:
    """ "2026-12-09 09:30" (Europe/Brussels) or ISO 8601 with an offset."""
    try:
        moment = dt.datetime.fromisoformat(value.replace("T", " "))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD HH:MM, got {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=sessions.TIMEZONE)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the session commands to ``python -m bot.manage``."""
    create = commands.add_parser("create-session", help="add an information session")
    create.add_argument("--title-fr", required=True)
    create.add_argument("--title-nl", required=True)
    create.add_argument("--topic", required=True, choices=sessions.TOPICS)
    create.add_argument("--start", required=True, type=_moment, help="YYYY-MM-DD HH:MM")
    duration = create.add_mutually_exclusive_group(required=True)
    duration.add_argument("--end", type=_moment, help="YYYY-MM-DD HH:MM")
    duration.add_argument("--minutes", type=int)
    create.add_argument("--venue", required=True, help="office name, e.g. 'VDAB Kortrijk'")
    create.add_argument("--address", help="street address, only when confirmed")
    create.add_argument("--place-id", help="id in bot/resources/places.csv, e.g. be-kortrijk")
    create.add_argument("--online", action="store_true")
    create.add_argument("--language", required=True, choices=sessions.LANGUAGES)
    create.add_argument("--capacity", required=True, type=int)
    create.add_argument("--deadline", type=_moment, help="default: 2 working days before")
    create.add_argument("--demo", action="store_true")
    create.set_defaults(handler=_create)

    edit = commands.add_parser("edit-session", help="change a session")
    edit.add_argument("session_id", type=int)
    edit.add_argument("--capacity", type=int)
    edit.add_argument("--deadline", type=_moment)
    edit.add_argument("--venue")
    edit.add_argument("--address")
    edit.set_defaults(handler=_edit)

    listing = commands.add_parser("list-sessions", help="list sessions and their seats")
    listing.add_argument("--all", action="store_true", help="include past sessions")
    listing.set_defaults(handler=_list)

    cancel = commands.add_parser("cancel-session", help="cancel a session, e-mail its candidates")
    cancel.add_argument("session_id", type=int)
    cancel.set_defaults(handler=_cancel)

    seed = commands.add_parser("seed-demo-sessions", help="demo sessions relative to today")
    seed.add_argument("--replace", action="store_true", help="delete demo sessions first")
    seed.set_defaults(handler=_seed)


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    migrate.upgrade(settings.database_url)
    return make_engine(settings.database_url)


def _create(settings: Settings, args: argparse.Namespace) -> int:
    end = args.end or args.start + dt.timedelta(minutes=args.minutes or 0)
    try:
        with transaction(_engine(settings)) as conn:
            session = sessions.create_session(
                conn,
                title_fr=args.title_fr,
                title_nl=args.title_nl,
                topic=args.topic,
                starts_at=args.start,
                ends_at=end,
                venue=args.venue,
                address=args.address,
                place_id=args.place_id,
                online=args.online,
                language=args.language,
                capacity=args.capacity,
                registration_deadline=args.deadline,
                demo=args.demo,
                actor=ACTOR,
            )
    except ValueError as error:
        print(f"[sessions] not created: {error}")
        return 2
    print(f"[sessions] created session {session.id}")
    print(_row(session))
    return 0


def _edit(settings: Settings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    try:
        with transaction(engine) as conn:
            session, promoted = sessions.update_session(
                conn,
                args.session_id,
                capacity=args.capacity,
                registration_deadline=args.deadline,
                venue=args.venue,
                address=args.address,
                actor=ACTOR,
            )
    except (ValueError, SessionNotFound) as error:
        print(f"[sessions] not changed: {error}")
        return 2
    mailer = Mailer.from_settings(settings)
    sent = sessions.notify_promoted(mailer, settings.public_url, session, promoted)
    print(_row(session))
    print(f"[sessions] {len(promoted)} promoted from the waiting list, {sent} e-mailed")
    return 0


def _list(settings: Settings, args: argparse.Namespace) -> int:
    with transaction(_engine(settings)) as conn:
        found = sessions.list_sessions(conn, include_past=args.all)
    print(f"{'id':>4}  {'start (Brussels)':16}  {'town':14} {'lang':5} {'seats':>7}  status")
    for session in found:
        print(_row(session))
    print(f"[sessions] {len(found)} session(s)")
    return 0


def _row(session: sessions.InfoSession) -> str:
    town = "online" if session.online else session.city_name("fr") or "-"
    seats = f"{session.seats_taken}/{session.capacity}"
    flags = " demo" if session.demo else ""
    return (
        f"{session.id:>4}  {session.starts_at:%Y-%m-%d %H:%M}  {town[:14]:14} "
        f"{session.language:5} {seats:>7}  {session.status}{flags}  {session.title_fr}"
    )


def _cancel(settings: Settings, args: argparse.Namespace) -> int:
    try:
        session, count, sent = sessions.cancel_session_and_notify(
            _engine(settings),
            Mailer.from_settings(settings),
            settings.public_url,
            args.session_id,
            actor=ACTOR,
        )
    except SessionNotFound as error:
        print(f"[sessions] {error}")
        return 2
    print(_row(session))
    print(f"[sessions] {count} candidate(s) to tell, {sent} e-mailed")
    return 0


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    with transaction(_engine(settings)) as conn:
        removed = demo_sessions.remove(conn) if args.replace else 0
        report = demo_sessions.seed(conn)
    print(
        f"[sessions] demo sessions: {report.created} created, {report.existing} already there"
        f"{f', {removed} removed first' if removed else ''}; {report.bookings} demo bookings"
    )
    return 0
