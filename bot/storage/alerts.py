"""The ``job_alerts`` table: saved searches a candidate asked to receive by e-mail.

One row per alert. The address and the conversation id are the personal data: they are
cleared when the alert ends (unsubscribed, erased, expired), and the row stays, without
them, for the console's counts (created, confirmed, unsubscribed).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Index, Integer, String, Table

from bot.storage.db import metadata

STATUSES = ("pending", "confirmed", "unsubscribed", "erased", "expired")

job_alerts = Table(
    "job_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("status", String(16), nullable=False),
    Column("email", String(254), nullable=True),
    Column("sender_id", String(255), nullable=True),
    Column("language", String(2), nullable=False),
    Column("occupation_id", String(64), nullable=True),
    Column("place_id", String(64), nullable=True),
    Column("radius_km", Float, nullable=True),
    Column("contract_types", String(200), nullable=False, server_default=""),
    # The search's other occupations, comma-separated ("soudeur ou chaudronnier"), and the
    # country or region it was limited to, as the vacancy_area slot holds it ("country:BE").
    Column("other_occupation_ids", String(400), nullable=False, server_default=""),
    Column("area", String(80), nullable=True),
    # When the candidate said yes to receiving e-mails (the consent), and confirmed the link.
    Column("consented_at", DateTime(timezone=True), nullable=False),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("last_sent_at", DateTime(timezone=True), nullable=True),
    # The last offer (vacancies.id) already looked at: the next digest has newer ones only.
    Column("last_vacancy_id", Integer, nullable=False, server_default="0"),
    # The last time the candidate used one of the alert's links (confirm, an offer).
    Column("last_opened_at", DateTime(timezone=True), nullable=True),
    Index("ix_job_alerts_status", "status"),
    Index("ix_job_alerts_email", "email"),
    Index("ix_job_alerts_sender_id", "sender_id"),
)
