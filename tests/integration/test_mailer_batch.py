"""A round of e-mails over one SMTP connection (bot.mailer.Mailer.batch), on a real server."""

from __future__ import annotations

from email.message import EmailMessage

from bot.config import Settings
from bot.mailer import Mailer
from tests.smtp_server import smtp_server


def _mailer(port: int) -> Mailer:
    settings = Settings.from_env(
        {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
         "SMTP_FROM": "alerts@assistant.example.be"}
    )  # fmt: skip
    mailer = Mailer.from_settings(settings)
    assert mailer is not None
    return mailer


def _message(n: int) -> EmailMessage:
    message = EmailMessage()
    message["To"] = f"candidate{n}@telenet.be"
    message["Subject"] = f"offres {n}"
    message.set_content(f"message {n}")
    return message


def test_a_batch_sends_every_message_over_one_connection() -> None:
    with smtp_server() as server:
        mailer = _mailer(server.port)
        with mailer.batch() as batch:
            assert all(batch.deliver(_message(n)) for n in range(25))
        assert [r.message["Subject"] for r in server.received] == [f"offres {n}" for n in range(25)]
        assert server.connections == 1
        assert mailer.deliver(_message(99))  # outside a batch: a connection of its own
        assert server.connections == 2


def test_a_batch_connects_again_when_the_server_hangs_up() -> None:
    with smtp_server() as server:
        server.drop_after = 4
        with _mailer(server.port).batch() as batch:
            delivered = [batch.deliver(_message(n)) for n in range(10)]
        assert delivered == [True] * 10
        assert len(server.received) == 10
        assert server.connections == 3


def test_a_refusing_server_fails_each_message_without_stopping_the_round() -> None:
    with smtp_server(refuse=True) as server:
        with _mailer(server.port).batch() as batch:
            assert [batch.deliver(_message(n)) for n in range(3)] == [False] * 3
        assert server.received == []
