"""URL map of the console, under ``/console/``; pages under ``admin/`` need the admin role.

Every route is named ``console.<name>`` (templates build links with ``url(name)``), and the
security tests walk the router: a page added here without thinking is still refused to
anonymous visitors, because the authentication middleware lets only the sign-in page
through, and to consultants when it sits under ``admin/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.web.console import (
    admin_views,
    analytics_views,
    auth_views,
    callback_views,
    conversation_views,
    filter_views,
    handoff_views,
    inbox_views,
    live,
    model_views,
    reply_views,
    session_views,
)
from bot.web.console.context import ROUTE_PREFIX

PREFIX = "/console"
ID = "{id:\\d+}"
MODEL = "{model:[0-9-]+}"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ROUTES: tuple[tuple[str, str, Handler, str], ...] = (
    ("GET", "/", conversation_views.index, "index"),
    ("GET", "/login", auth_views.login, "login"),
    ("POST", "/login", auth_views.login_submit, "login_submit"),
    ("POST", "/logout", auth_views.logout, "logout"),
    ("GET", "/account", auth_views.account, "account"),
    ("POST", "/account/language", auth_views.account_language, "account_language"),
    ("POST", "/account/password", auth_views.account_password, "account_password"),
    ("GET", "/conversations", conversation_views.conversation_list, "conversations"),
    ("POST", "/conversations/filters", filter_views.save_filter, "save_filter"),
    (
        "POST",
        f"/conversations/filters/{ID}/delete",
        filter_views.delete_filter,
        "delete_filter",
    ),
    ("GET", f"/conversations/{ID}", conversation_views.conversation, "conversation"),
    ("POST", f"/conversations/{ID}/reveal", conversation_views.reveal, "reveal"),
    ("POST", f"/conversations/{ID}/tags", conversation_views.add_tag, "add_tag"),
    ("POST", f"/conversations/{ID}/tags/remove", conversation_views.remove_tag, "remove_tag"),
    ("POST", f"/conversations/{ID}/notes", conversation_views.add_note, "add_note"),
    ("POST", f"/conversations/{ID}/review", conversation_views.review, "review"),
    ("POST", f"/conversations/{ID}/wrong", inbox_views.report_wrong, "report_wrong"),
    ("POST", f"/conversations/{ID}/takeover", handoff_views.take_over, "take_over"),
    ("POST", f"/conversations/{ID}/takeover/from", handoff_views.take_over_from, "take_over_from"),
    ("POST", f"/conversations/{ID}/takeover/give", handoff_views.give, "give"),
    ("POST", f"/conversations/{ID}/message", handoff_views.send_message, "send_message"),
    ("POST", f"/conversations/{ID}/handback", handoff_views.hand_back, "hand_back"),
    ("GET", "/live", live.stream, "live"),
    ("GET", "/callbacks", handoff_views.callback_queue, "callbacks"),
    ("POST", f"/callbacks/{ID}/status", handoff_views.callback_status, "callback_status"),
    ("GET", f"/callbacks/{ID}", callback_views.callback_page, "callback"),
    ("POST", f"/callbacks/{ID}/note", callback_views.add_note, "callback_note"),
    ("POST", f"/callbacks/{ID}/attempt", callback_views.add_attempt, "callback_attempt"),
    ("POST", f"/callbacks/{ID}/outcome", callback_views.close, "callback_outcome"),
    ("GET", "/inbox", inbox_views.inbox_page, "inbox"),
    ("POST", f"/inbox/{ID}/label", inbox_views.label, "inbox_label"),
    ("POST", f"/inbox/{ID}/ignore", inbox_views.ignore, "inbox_ignore"),
    ("POST", f"/inbox/{ID}/reopen", inbox_views.reopen, "inbox_reopen"),
    ("POST", "/inbox/export/{lang:fr|nl}", inbox_views.export, "inbox_export"),
    ("GET", "/analytics", analytics_views.analytics_page, "analytics"),
    ("GET", "/sessions", session_views.session_list, "sessions"),
    ("GET", "/sessions/new", session_views.new_session, "new_session"),
    ("POST", "/sessions/new", session_views.create_session, "create_session"),
    ("GET", f"/sessions/{ID}", session_views.session_detail, "session"),
    ("GET", f"/sessions/{ID}/attendees.csv", session_views.attendees_csv, "attendees_csv"),
    ("GET", f"/sessions/{ID}/edit", session_views.edit_session, "edit_session"),
    ("POST", f"/sessions/{ID}/edit", session_views.update_session, "update_session"),
    ("POST", f"/sessions/{ID}/cancel", session_views.cancel_session, "cancel_session"),
    ("POST", f"/sessions/{ID}/archive", session_views.archive_session, "archive_session"),
    (
        "POST",
        f"/sessions/{ID}/bookings/{{booking:\\d+}}/cancel",
        session_views.cancel_booking,
        "cancel_booking",
    ),
    ("GET", "/models", model_views.models_page, "models"),
    ("GET", "/models/training", model_views.training_status, "model_training"),
    ("GET", f"/models/{MODEL}", model_views.compare_page, "model"),
    ("POST", "/admin/models/train", model_views.train, "model_train"),
    ("POST", "/admin/models/data", model_views.write_data, "model_data"),
    ("POST", f"/admin/models/{MODEL}/activate", model_views.activate, "model_activate"),
    ("POST", f"/admin/models/{MODEL}/rollback", model_views.rollback, "model_rollback"),
    ("GET", "/admin/users", admin_views.users_page, "users"),
    ("POST", "/admin/users", admin_views.create_user, "create_user"),
    ("POST", f"/admin/users/{ID}", admin_views.change_user, "change_user"),
    ("GET", "/admin/privacy", admin_views.privacy_page, "privacy"),
    ("POST", "/admin/privacy", admin_views.privacy_search, "privacy_search"),
    ("POST", "/admin/privacy/export", admin_views.privacy_export, "privacy_export"),
    ("POST", "/admin/privacy/erase", admin_views.privacy_erase, "privacy_erase"),
    ("GET", "/admin/retention", admin_views.retention_page, "retention"),
    ("POST", "/admin/retention/purge", admin_views.retention_purge, "retention_purge"),
    ("GET", "/admin/audit", admin_views.audit_page, "audit"),
    ("GET", "/admin/replies", reply_views.replies_page, "replies"),
    ("POST", "/admin/replies", reply_views.create_reply, "create_reply"),
    ("POST", f"/admin/replies/{ID}/delete", reply_views.delete_reply, "delete_reply"),
)


async def _to_console(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently(f"{PREFIX}/")


def setup(app: web.Application) -> None:
    """Add the console's routes to the website ``app``."""
    app.router.add_get(PREFIX, _to_console, name=f"{ROUTE_PREFIX}root")
    for method, path, handler, name in ROUTES:
        app.router.add_route(method, f"{PREFIX}{path}", handler, name=f"{ROUTE_PREFIX}{name}")
