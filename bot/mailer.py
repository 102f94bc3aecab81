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
from email.message import EmailMessage
from email.utils import getaddresses

from bot.config import Settings, SmtpSettings
from bot.contact import is_reserved_address
from bot.log import mask

log = logging.getLogger(__name__)


class Mailer:
    """Sends messages through one SMTP server; one connection per message."""

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
        s = self.settings
        if "From" not in message:
            message["From"] = s.sender
        if s.security == "ssl":
            context = ssl.create_default_context()
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout_s, context=context
            )
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        with client:
            if s.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if s.user and s.password:
                client.login(s.user, str(s.password))
            client.send_message(message)

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
