"""Logging set up once, with personal data masked in every record.

Log ids, not people: a filter on the root handlers replaces e-mail addresses, phone numbers
and booking references in the message and its arguments, so that a careless ``log.info(
"booked %s", email)`` never writes an address to disk.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# International (+32 470 12 34 56, 0032...) and national (0470/12.34.56, 06 12 34 56 78) forms.
_PHONE = re.compile(r"(?<![\w/])(?:\+|00)?\d(?:[\s./-]?\d){8,13}(?![\w/])")
# Booking references look like "BK-7KQ2-X9PM" (see bot.sessions): masked too.
_REFERENCE = re.compile(r"\b[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b")

MASK = "***"


def mask_emails(text: str) -> str:
    """``text`` with e-mail addresses replaced (phone numbers and references kept)."""
    return _EMAIL.sub("***@***", text)


def mask(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers and booking references replaced."""
    text = mask_emails(text)
    text = _PHONE.sub(MASK, text)
    return _REFERENCE.sub(MASK, text)


def _masked(value: Any) -> Any:
    return mask(value) if isinstance(value, str) else value


class MaskingFilter(logging.Filter):
    """Masks personal data in a record's message and arguments (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_masked(value) for value in record.args)
        return True


def install_masking(logger: logging.Logger | None = None) -> None:
    """Add the masking filter to every handler of ``logger`` (the root logger by default).

    Filters on handlers, not loggers, see records propagated from every library logger.
    """
    target = logger or logging.getLogger()
    if not target.handlers:
        logging.basicConfig(level=logging.INFO)
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())


def setup(level: int = logging.INFO) -> None:
    """Configure logging for one process of the product."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_masking()
