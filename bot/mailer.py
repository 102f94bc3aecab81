"""Sending e-mail over SMTP (standard library), configured by ``SMTP_*`` settings.

The transport only: what to write lives in ``bot.sessions.mail``. ``deliver`` never raises:
a booking is stored before its confirmation is sent, and a mail server that is down must
not turn a stored booking into an error for the candidate. Failures are logged with the
address masked (bot.log).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage
from email.utils import getaddresses

from bot.config import Settings, SmtpSettings
from bot.contact import is_reserved_address
from bot.log import mask

log = logging.getLogger(__name__)


class Mailer:
    """Sends messages through one SMTP server; one connection per message (``batch``: one
    for a round)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        """A mailer when ``SMTP_HOST`` is set, else None (e-mail disabled)."""
        return cls(settings.smtp) if settings.smtp else None

    @property
    def sender(self) -> str:
        return self.settings.sender

    def send(self, message: EmailMessage) -> None:
        """Send ``message`` now.

        Raises:
            smtplib.SMTPException, OSError: when the server refuses or cannot be reached.
        """
        if "From" not in message:
            message["From"] = self.settings.sender
        with self._connect() as client:
            client.send_message(message)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            context = ssl.create_default_context()
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout_s, context=context
            )
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        try:
            if s.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if s.user and s.password:
                client.login(s.user, str(s.password))
        except BaseException:
            client.close()
            raise
        return client

    @contextmanager
    def batch(self) -> Iterator[Mailer]:
        """A mailer that sends a round of messages (the job alerts' digests) over one
        connection, opened again when the server drops it; only for the thread that opened
        it."""
        batch = _BatchMailer(self.settings)
        try:
            yield batch
        finally:
            batch.close()

    def deliver(self, message: EmailMessage, about: str = "e-mail") -> bool:
        """Send ``message``; False (and a warning naming ``about``, not a person) on failure.

        Messages to reserved example domains (the demo candidates) are never sent.
        """
        recipients = [address for _name, address in getaddresses(message.get_all("To", []))]
        if any(is_reserved_address(address) for address in recipients):
            log.info("%s not sent: reserved demo address", about)
            return False
        try:
            self.send(message)
        except (smtplib.SMTPException, OSError) as error:
            # The error may quote the address: masked here too, in case this process never
            # installed bot.log's filter.
            log.warning("%s not sent: %s", about, mask(str(error)))
            return False
        return True


class _BatchMailer(Mailer):
    """:meth:`Mailer.batch`'s mailer: one connection kept open between messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        super().__init__(settings)
        self._client: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        if "From" not in message:
            message["From"] = self.settings.sender
        for attempt in (1, 2):
            if self._client is None:
                self._client = self._connect()
            try:
                self._client.send_message(message)
                return
            except smtplib.SMTPServerDisconnected:
                self._client = None  # dropped between two messages: once more, anew
                if attempt == 2:
                    raise
            except (smtplib.SMTPException, OSError):
                self.close()
                raise

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with suppress(smtplib.SMTPException, OSError):
                client.quit()
            client.close()
