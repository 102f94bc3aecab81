"""Information sessions in the console: seats, attendees, CSV, create, edit, cancel.

Seats and the waiting list are bot.sessions' business; these handlers call it (and
bot.sessions.use_cases, which e-mails a candidate promoted from the waiting list once the
cancellation is committed) in a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.engine import Connection

from bot import gazetteer, knowledge, sessions
from bot.console import audit
from bot.console import session_admin as admin
from bot.errors import BookingNotFound, SessionNotFound
from bot.mailer import Mailer
from bot.sessions import archive
from bot.storage import db
from bot.text import fold
from bot.web.console import blocking
from bot.web.console.context import context, request_language, route
from bot.web.console.keys import USER
from bot.web.keys import SETTINGS

log = logging.getLogger(__name__)

T = TypeVar("T")


def _topics(language: str) -> list[tuple[str, str]]:
    labels = knowledge.topics()
    return [
        (name, labels[name].label[language] if name in labels else name) for name in sessions.TOPICS
    ]


def _places(language: str) -> list[tuple[str, str]]:
    """(name in ``language``, label with the other language's name) of every known town."""
    found = []
    for place in gazetteer.places():
        name, other = place.name(language), place.name("fr" if language == "nl" else "nl")
        found.append((name, name if other == name else f"{name} ({other})"))
    return sorted(found, key=lambda item: fold(item[0]))


def _list(conn: Connection, include_past: bool, archived: bool) -> dict[str, Any]:
    return {
        "sessions": sessions.list_sessions(
            conn, include_past=include_past or archived, archived=archived
        ),
        "waiting": admin.waiting_counts(conn),
    }


async def session_list(request: web.Request) -> web.Response:
    include_past = request.query.get("all") == "yes"
    archived = request.query.get("archived") == "yes"  # only the archived ones
    found = await blocking.read(request, _list, include_past, archived)
    done = request.query.get("done")
    page = context(
        request, "sessions", include_past=include_past, archived=archived, done=done, **found
    )
    return aiohttp_jinja2.render_template("console/sessions.html", request, page)


def _detail(conn: Connection, session_id: int) -> admin.Attendance:
    session = sessions.get_session(conn, session_id)
    return admin.split(session, sessions.attendees(conn, session_id, include_cancelled=True))


async def _attendance(request: web.Request) -> admin.Attendance:
    try:
        return await blocking.read(request, _detail, int(request.match_info["id"]))
    except SessionNotFound:
        raise web.HTTPNotFound() from None


async def session_detail(request: web.Request) -> web.Response:
    attendance = await _attendance(request)
    asked = request.query.get("cancel", "")
    preview = admin.cancel_preview(attendance, int(asked)) if asked.isdigit() else None
    page = context(
        request,
        "sessions",
        attendance=attendance,
        done=request.query.get("done"),
        now=sessions.now_utc(),
        preview=preview,
    )
    return aiohttp_jinja2.render_template("console/session.html", request, page)


async def attendees_csv(request: web.Request) -> web.Response:
    """The attendees as CSV: names, e-mails, phones leave the console, so each export is in
    the audit trail (who, when, which session, how many rows)."""
    attendance = await _attendance(request)
    bookings = attendance.confirmed + attendance.waitlisted
    body = admin.attendee_csv(bookings, request_language(request))
    await blocking.write(
        request,
        audit.record,
        request[USER].email,
        "attendees_export",
        session=attendance.session.id,
        rows=len(bookings),
    )
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{admin.csv_filename(attendance.session)}"'
            )
        },
    )


async def _notifying(request: web.Request, change: Callable[..., T], *args: Any) -> T:
    """Run ``change(engine, mailer, public_url, *args)`` in a worker thread: a change that
    e-mails the candidates it concerns once it is committed."""
    settings = request.config_dict[SETTINGS]
    mailer = Mailer.from_settings(settings)
    engine = blocking.engine_of(request)
    return await blocking.call(change, engine, mailer, settings.public_url, *args)


def _cancel_booking(
    engine: Any,
    mailer: Mailer | None,
    public_url: str,
    session_id: int,
    booking_id: int,
    actor: str,
) -> str | None:
    """Cancel one booking of this session on behalf of its candidate (audited); what
    happened (:func:`bot.console.session_admin.cancel_outcome`), None if no such booking."""
    with db.reading(engine) as conn:
        found = [
            b
            for b in sessions.attendees(conn, session_id, include_cancelled=True)
            if b.id == booking_id
        ]
    if not found:
        return None
    result = sessions.cancel_and_notify(engine, mailer, public_url, found[0].reference, actor=actor)
    with db.transaction(engine) as conn:
        audit.record(conn, actor, "booking_cancelled", session=session_id, booking=booking_id)
    return admin.cancel_outcome(result)


async def cancel_booking(request: web.Request) -> web.StreamResponse:
    """Cancel on a candidate's behalf: first the page asks (and says what will happen)."""
    session_id, booking_id = int(request.match_info["id"]), int(request.match_info["booking"])
    session_url = route(request, "session").url_for(id=str(session_id))
    form = await request.post()
    if form.get("confirm") != "yes":
        asking = session_url.with_query(cancel=str(booking_id))
        raise web.HTTPSeeOther(f"{asking}#confirm-cancel")
    try:
        done = await _notifying(
            request, _cancel_booking, session_id, booking_id, request[USER].email
        )
    except (BookingNotFound, SessionNotFound):
        done = None
    if done is None:
        raise web.HTTPNotFound()
    raise web.HTTPSeeOther(session_url.with_query(done=done))


# --- create, edit, cancel a session -------------------------------------------------------


def _form_page(
    request: web.Request, template: str, status: int = 200, **extra: Any
) -> web.Response:
    language = request_language(request)
    values: dict[str, Any] = {
        "form": {},
        "errors": [],
        "reasons": {},
        "problem": None,
        "session": None,
    }
    page = context(
        request,
        "sessions",
        topics=_topics(language),
        languages=sessions.LANGUAGES,
        places=_places(language),
        max_capacity=admin.MAX_CAPACITY,
        **{**values, **extra},
    )
    return aiohttp_jinja2.render_template(template, request, page, status=status)


async def new_session(request: web.Request) -> web.Response:
    return _form_page(request, "console/session_form.html")


def _create(conn: Connection, fields: dict[str, Any], actor: str) -> sessions.InfoSession:
    session = sessions.create_session(conn, actor=actor, **fields)
    audit.record(conn, actor, "session_saved", session=session.id, change="created")
    return session


async def create_session(request: web.Request) -> web.StreamResponse:
    form = {k: str(v) for k, v in (await request.post()).items()}
    try:
        fields = admin.new_session_fields(form)
        session = await blocking.write(request, _create, fields, request[USER].email)
    except admin.FormErrors as exc:
        return _form_page(
            request,
            "console/session_form.html",
            400,
            form=form,
            errors=exc.fields,
            reasons=exc.reasons,
        )
    except ValueError:  # the sessions module's own checks, which the form should have made
        log.exception("session form refused by bot.sessions")
        return _form_page(request, "console/session_form.html", 400, form=form, problem="refused")
    url = route(request, "session").url_for(id=str(session.id)).with_query(done="created")
    raise web.HTTPSeeOther(url)


async def edit_session(request: web.Request) -> web.Response:
    attendance = await _attendance(request)
    session = attendance.session
    return _form_page(
        request, "console/session_edit.html", session=session, form=admin.form_values(session)
    )


def _update(
    engine: Any,
    mailer: Mailer | None,
    public_url: str,
    session_id: int,
    form: dict[str, str],
    actor: str,
) -> sessions.InfoSession:
    with db.transaction(engine) as conn:
        session = sessions.get_session(conn, session_id)
        changes = admin.edit_session_fields(form, session)
        session, promoted = sessions.update_session(conn, session_id, actor=actor, **changes)
        audit.record(conn, actor, "session_saved", session=session_id, change="edited")
    sessions.notify_promoted(mailer, public_url, session, promoted)
    return session


async def update_session(request: web.Request) -> web.StreamResponse:
    session_id = int(request.match_info["id"])
    form = {k: str(v) for k, v in (await request.post()).items()}
    try:
        await _notifying(request, _update, session_id, form, request[USER].email)
    except SessionNotFound:
        raise web.HTTPNotFound() from None
    except admin.FormErrors as exc:
        return await _edit_refused(request, form, errors=exc.fields, reasons=exc.reasons)
    except ValueError:  # bot.sessions' own checks, in English: logged, not shown
        log.exception("session edit refused by bot.sessions")
        return await _edit_refused(request, form, problem="refused")
    url = route(request, "session").url_for(id=str(session_id)).with_query(done="saved")
    raise web.HTTPSeeOther(url)


async def _edit_refused(request: web.Request, form: dict[str, str], **why: Any) -> web.Response:
    """The edit form again, as filled in, with why it was refused (``errors`` or ``problem``)."""
    current = (await _attendance(request)).session
    return _form_page(request, "console/session_edit.html", 400, session=current, form=form, **why)


def _cancel_session(
    engine: Any, mailer: Mailer | None, public_url: str, session_id: int, actor: str
) -> None:
    sessions.cancel_session_and_notify(engine, mailer, public_url, session_id, actor=actor)
    with db.transaction(engine) as conn:
        audit.record(conn, actor, "session_saved", session=session_id, change="cancelled")


async def cancel_session(request: web.Request) -> web.StreamResponse:
    session_id = int(request.match_info["id"])
    form = await request.post()
    if form.get("confirm") != "yes":
        url = route(request, "session").url_for(id=str(session_id)).with_query(done="confirm")
        raise web.HTTPSeeOther(url)
    try:
        await _notifying(request, _cancel_session, session_id, request[USER].email)
    except SessionNotFound:
        raise web.HTTPNotFound() from None
    url = route(request, "session").url_for(id=str(session_id)).with_query(done="session_cancelled")
    raise web.HTTPSeeOther(url)


def _archive(conn: Connection, session_id: int, actor: str) -> None:
    archive.archive_session(conn, session_id, actor)
    audit.record(conn, actor, "session_saved", session=session_id, change="archived")


async def archive_session(request: web.Request) -> web.StreamResponse:
    """Archive a past or test session: it leaves the lists, kept for the statistics."""
    session_id = int(request.match_info["id"])
    try:
        await blocking.write(request, _archive, session_id, request[USER].email)
    except SessionNotFound:
        raise web.HTTPNotFound() from None
    except archive.ArchiveRefused as refused:
        url = route(request, "session").url_for(id=str(session_id))
        raise web.HTTPSeeOther(url.with_query(done=f"archive_{refused.reason}")) from None
    raise web.HTTPSeeOther(route(request, "sessions").url_for().with_query(done="archived"))
