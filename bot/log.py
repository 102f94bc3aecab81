"""Logging set up once, with personal data masked in every record.

Log ids, not people: a filter on the root handlers replaces e-mail addresses, phone numbers
and booking references in the message and its arguments, so that a careless ``log.info(
"booked %s", email)`` never writes an address to disk.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import datetime, timezone
from typing import Any

from bot import references

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# International (+32 470 12 34 56, 0032...) and national (0470/12.34.56, 06 12 34 56 78) forms.
_PHONE = re.compile(r"(?<![\w/])(?:\+|00)?\d(?:[\s./-]?\d){8,13}(?![\w/])")

MASK = "***"
# ``BOT_LOG_FORMAT=json``: one JSON object per line (production mode sets it).
FORMAT_ENV = "BOT_LOG_FORMAT"
# The name of the process in every JSON line ("rasa-1", "actions", "web", "events"...).
PROCESS_ENV = "BOT_PROCESS_NAME"


def mask_emails(text: str) -> str:
    """``text`` with e-mail addresses replaced (phone numbers and references kept)."""
    return _EMAIL.sub("***@***", text)


def mask(text: str) -> str:
    """``text`` with e-mail addresses, phone numbers and booking references replaced."""
    text = mask_emails(text)
    text = _PHONE.sub(MASK, text)
    # Booking references as candidates type them too ("annuler k7p2 qx9m").
    return references.without_references(text, MASK)


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


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, process (and exception).

    The message and the exception text are masked again here: a record formatted by a
    handler without :class:`MaskingFilter` (a library's own handler) still loses its
    personal data, and a traceback may quote a value.
    """

    def __init__(self, process_name: str | None = None) -> None:
        super().__init__()
        self.process_name = process_name

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": mask(record.getMessage()),
            "process": self.process_name or os.environ.get(PROCESS_ENV) or "bot",
            "pid": record.process,
        }
        if entry["message"].startswith("{"):
            # Rasa's structlog events arrive already rendered as JSON: keep them as an object.
            try:
                entry["event"] = json.loads(entry.pop("message"))
            except ValueError:
                entry["message"] = mask(record.getMessage())
        if record.exc_info:
            entry["exception"] = mask(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def json_logging(environ: dict[str, str] | None = None) -> bool:
    """True when the environment asks for JSON lines (``BOT_LOG_FORMAT=json``)."""
    env = os.environ if environ is None else environ
    return env.get(FORMAT_ENV, "").strip().lower() == "json"


def setup(level: int = logging.INFO) -> None:
    """Configure logging for one process of the product (JSON lines when asked)."""
    if json_logging():
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(level)
    else:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_masking()
