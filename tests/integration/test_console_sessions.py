"""Information sessions in the console: seats, attendees, CSV export, forms, cancellation,
through the real app on SQLite and PostgreSQL, with bot.sessions underneath."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from bot import sessions
from bot.console import audit
from bot.messages import text
from bot.storage import db
from bot.web.app import create_app
from tests.factories import booking_fields, html_text, in_days, make_info_session
from tests.integration.console_client import (
    ADMIN,
    CONSULTANT,
    console_settings,
    prepare,
    sign_in,
)


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path, database_url: str) -> TestClient:
    prepare(database_url)
    engine = db.make_engine(database_url)
    with db.transaction(engine) as conn:
        session = make_info_session(conn, capacity=2, title_fr="Impôts des frontaliers")
        for n, name in enumerate(["Hélène Dubois-Lefèvre", "Anne-Sophie Maes", "Jan Peeters"]):
            sessions.book(
                conn, session.id, **booking_fields(name=name, phone="+32470123456" if n else None)
            )
    engine.dispose()
    return await aiohttp_client(create_app(console_settings(tmp_path, database_url)))


async def test_session_list_shows_seats_taken_left_and_waiting(client: TestClient) -> None:
    await sign_in(client, CONSULTANT)
    page = await (await client.get("/console/sessions")).text()
    assert "Belastingen" in page  # the Dutch title for a Dutch-speaking consultant
    assert '<td class="number">2 / 2</td>' in page
    assert re.search(r'<td class="number">0</td>\s*<td class="number">1</td>', page)


async def test_attendee_list_and_csv_open_in_a_spreadsheet(client: TestClient) -> None:
    await sign_in(client, CONSULTANT)
    page = await (await client.get("/console/sessions/1")).text()
    assert "Hélène Dubois-Lefèvre" in page and "Jan Peeters" in page
    response = await client.get("/console/sessions/1/attendees.csv")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        text("nl", f"console.sessions.csv.{c}")
        for c in ("reference", "status", "name", "email", "phone", "language", "booked_at")
    ]
    names = [row[2] for row in rows[1:]]
    assert names == ["Hélène Dubois-Lefèvre", "Anne-Sophie Maes", "Jan Peeters"]
    assert rows[3][1] == text("nl", "console.sessions.booking_status.waitlisted")
    assert rows[2][4] == "+32470123456"  # a plain number is not taken for a formula


async def test_every_attendee_export_is_audited(client: TestClient, database_url: str) -> None:
    await sign_in(client, CONSULTANT)
    for _ in range(2):
        assert (await client.get("/console/sessions/1/attendees.csv")).status == 200
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        entries = audit.recent(conn, action="attendees_export")
    engine.dispose()
    assert [(e.actor, e.details) for e in entries] == [(CONSULTANT, {"session": 1, "rows": 3})] * 2
    await sign_in(client, ADMIN)  # the audit page is an admin's, in French here
    page = await (await client.get("/console/admin/audit")).text()
    label = html_text("fr", "console.audit.actions.attendees_export")
    assert page.count(label) == 2 and CONSULTANT in page
    assert "<code>rows</code> 3" in page and "<code>session</code> 1" in page


async def test_cancelling_a_booking_gives_the_seat_to_the_waiting_list(
    client: TestClient, database_url: str
) -> None:
    csrf = await sign_in(client, CONSULTANT)
    page = await (await client.get("/console/sessions/1")).text()
    first = re.search(r'action="(/console/sessions/1/bookings/(\d+)/cancel)"', page)
    assert first
    asked = await client.post(first.group(1), data={"csrf_token": csrf}, allow_redirects=False)
    assert asked.status == 303
    assert asked.headers["Location"].endswith(f"?cancel={first.group(2)}#confirm-cancel")
    question = await (await client.get(asked.headers["Location"])).text()
    will = html_text(
        "nl", "console.sessions.cancel_booking_will.promote", name="Hélène Dubois-Lefèvre"
    )
    assert will in question
    assert html_text("nl", "console.sessions.cancel_booking_yes") in question
    response = await client.post(
        first.group(1), data={"csrf_token": csrf, "confirm": "yes"}, allow_redirects=False
    )
    assert response.status == 303
    assert response.headers["Location"].endswith("done=cancelled_promoted")
    told = await (await client.get(response.headers["Location"])).text()
    assert html_text("nl", "console.sessions.done.cancelled_promoted") in told
    again = await client.post(
        first.group(1), data={"csrf_token": csrf, "confirm": "yes"}, allow_redirects=False
    )
    assert again.headers["Location"].endswith("done=already_cancelled")
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        attendees = sessions.attendees(conn, 1)
        session = sessions.get_session(conn, 1)
    engine.dispose()
    assert session.seats_taken == 2
    assert [b.status for b in attendees] == ["confirmed", "confirmed"]
    assert "Jan Peeters" in {b.candidate_name for b in attendees}
    audit = await client.get("/console/admin/audit")
    assert audit.status == 403  # consultants do not see the audit trail
    page = await (await client.get("/console/sessions/1")).text()
    second = re.search(r'action="(/console/sessions/1/bookings/(\d+)/cancel)"', page)
    assert second
    question = await (await client.get(f"/console/sessions/1?cancel={second.group(2)}")).text()
    assert "niemand staat op de wachtlijst" in question.lower()  # nobody waits any more
    freed = await client.post(
        second.group(1), data={"csrf_token": csrf, "confirm": "yes"}, allow_redirects=False
    )
    assert freed.headers["Location"].endswith("done=cancelled_seat_free")


async def test_consultant_creates_and_edits_a_session(
    client: TestClient, database_url: str
) -> None:
    csrf = await sign_in(client, CONSULTANT)
    day = in_days(20).date().isoformat()
    form = {
        "csrf_token": csrf,
        "title_fr": "Job dating logistique",
        "title_nl": "Jobdating logistiek",
        "topic": "job_dating",
        "language": "fr+nl",
        "day": day,
        "start": "09:30",
        "end": "12:00",
        "capacity": "25",
        "venue": "Forem Mouscron",
        "place": "Moeskroen",  # Mouscron, by its Dutch name
    }
    bad = await client.post("/console/sessions/new", data={**form, "end": "08:00", "capacity": "0"})
    assert bad.status == 400
    page = await bad.text()
    assert html_text("nl", "console.sessions.form.fields.end") in page
    assert html_text("nl", "console.sessions.form.fields.capacity") in page
    assert html_text("nl", "console.sessions.form.reasons.capacity_too_small") in page
    created = await client.post("/console/sessions/new", data=form, allow_redirects=False)
    assert created.status == 303, await created.text()
    url = created.headers["Location"].split("?")[0]
    detail = await (await client.get(url)).text()
    assert "Jobdating logistiek" in detail and "0 / 25" in detail
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        created_session = sessions.get_session(conn, int(url.rsplit("/", 1)[1]))
    engine.dispose()
    assert created_session.place_id == "be-mouscron"
    edit = await client.post(
        f"{url}/edit",
        data={
            "csrf_token": csrf,
            "capacity": "30",
            "venue": "Forem Mouscron",
            "address": "Rue 1",
            "deadline_day": "",
            "deadline_time": "",
        },
        allow_redirects=False,
    )
    assert edit.status == 303
    assert "0 / 30" in await (await client.get(url)).text()


async def test_a_refused_edit_shows_the_form_again_with_the_reason(client: TestClient) -> None:
    csrf = await sign_in(client, CONSULTANT)
    form = {"csrf_token": csrf, "capacity": "40", "venue": "", "address": "Rue du Test 7"}
    missing = await client.post("/console/sessions/1/edit", data=form)
    assert missing.status == 400
    page = await missing.text()
    assert html_text("nl", "console.sessions.form.fields.venue") in page and "Rue du Test 7" in page
    late = {**form, "venue": "VDAB Kortrijk", "deadline_day": in_days(400).date().isoformat()}
    refused = await client.post("/console/sessions/1/edit", data=late)
    assert refused.status == 400
    page = await refused.text()
    assert html_text("nl", "console.sessions.form.reasons.deadline_after_start") in page
    assert "registration_deadline" not in page and "starts_at" not in page  # no English
    fewer = await client.post(
        "/console/sessions/1/edit", data={**form, "venue": "VDAB Kortrijk", "capacity": "1"}
    )
    assert fewer.status == 400
    assert (
        html_text("nl", "console.sessions.form.reasons.below_taken", taken=2) in await fewer.text()
    )


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"day": "2020-03-02"}, "start", "past"),
        ({"capacity": "5000"}, "capacity", "capacity_too_large"),
        ({"place": "Xyzzyville"}, "place", "unknown_place"),
        ({"place": "Lens"}, "place", "ambiguous_place"),
        ({"deadline_day": in_days(30).date().isoformat()}, "deadline", "deadline_after_start"),
    ],
)
async def test_a_new_session_is_refused_with_the_reason_in_the_consultants_language(
    client: TestClient, changes: dict[str, str], field: str, reason: str
) -> None:
    csrf = await sign_in(client, CONSULTANT)
    form = {
        "csrf_token": csrf,
        "title_fr": "Séance",
        "title_nl": "Sessie",
        "topic": "job_dating",
        "language": "nl",
        "day": in_days(20).date().isoformat(),
        "start": "09:30",
        "end": "12:00",
        "capacity": "25",
        "venue": "VDAB",
        "place": "Courtrai",
    }
    response = await client.post("/console/sessions/new", data={**form, **changes})
    assert response.status == 400
    page = await response.text()
    assert f'<li id="error-{field}">' in page
    expected = html_text("nl", f"console.sessions.form.reasons.{reason}", max=500, taken=0)
    assert expected in page


async def test_more_seats_promote_the_waiting_list(client: TestClient, database_url: str) -> None:
    csrf = await sign_in(client, CONSULTANT)
    response = await client.post(
        "/console/sessions/1/edit",
        data={"csrf_token": csrf, "capacity": "3", "venue": "VDAB Kortrijk", "address": ""},
        allow_redirects=False,
    )
    assert response.status == 303
    engine = db.make_engine(database_url)
    with db.reading(engine) as conn:
        statuses = [b.status for b in sessions.attendees(conn, 1)]
    engine.dispose()
    assert statuses == ["confirmed"] * 3


async def test_cancelling_a_session_needs_a_confirmation(client: TestClient) -> None:
    csrf = await sign_in(client, CONSULTANT)
    unconfirmed = await client.post(
        "/console/sessions/1/cancel", data={"csrf_token": csrf}, allow_redirects=False
    )
    assert unconfirmed.headers["Location"].endswith("done=confirm")
    confirmed = await client.post(
        "/console/sessions/1/cancel",
        data={"csrf_token": csrf, "confirm": "yes"},
        allow_redirects=False,
    )
    assert confirmed.headers["Location"].endswith("done=session_cancelled")
    page = await (await client.get("/console/sessions/1")).text()
    assert html_text("nl", "console.sessions.statuses.cancelled") in page
