"""SMTP and public URL settings: off by default, bad values named at start."""

from __future__ import annotations

import pytest

from bot.config import Settings


def test_email_is_off_and_links_point_at_the_local_web_app_by_default() -> None:
    settings = Settings.from_env({})
    assert settings.smtp is None
    assert settings.public_url == "http://localhost:8080"
    assert Settings.from_env({"BOT_WEB_PORT": "9000"}).public_url == "http://localhost:9000"


def test_public_url_is_taken_without_trailing_slash() -> None:
    settings = Settings.from_env({"BOT_PUBLIC_URL": "https://emploi.example.be/"})
    assert settings.public_url == "https://emploi.example.be"
    with pytest.raises(ValueError, match="BOT_PUBLIC_URL"):
        Settings.from_env({"BOT_PUBLIC_URL": "emploi.example.be"})


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("ssl", 465), ("none", 25)])
def test_smtp_port_follows_the_security_mode(security: str, port: int) -> None:
    env = {"SMTP_HOST": "mail.example.be", "SMTP_FROM": "a@example.be", "SMTP_SECURITY": security}
    smtp = Settings.from_env(env).smtp
    assert smtp is not None and (smtp.port, smtp.security) == (port, security)


def test_smtp_password_is_masked_and_settings_are_read() -> None:
    smtp = Settings.from_env(
        {
            "SMTP_HOST": "mail.example.be",
            "SMTP_PORT": "2525",
            "SMTP_FROM": "sessions@example.be",
            "SMTP_USER": "bot",
            "SMTP_PASSWORD": "hunter2-secret",
            "SMTP_TIMEOUT": "3.5",
        }
    ).smtp
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.sender, smtp.user, smtp.timeout_s) == (
        "mail.example.be", 2525, "sessions@example.be", "bot", 3.5,
    )  # fmt: skip
    assert str(smtp.password) == "hunter2-secret" and "hunter2" not in repr(smtp)


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"SMTP_HOST": "mail.example.be"}, "SMTP_FROM"),
        ({"SMTP_HOST": "m", "SMTP_FROM": "a@b.be", "SMTP_SECURITY": "tls"}, "SMTP_SECURITY"),
        ({"SMTP_HOST": "m", "SMTP_FROM": "a@b.be", "SMTP_PORT": "x"}, "SMTP_PORT"),
        ({"SMTP_HOST": "m", "SMTP_FROM": "a@b.be", "SMTP_TIMEOUT": "soon"}, "SMTP_TIMEOUT"),
    ],
)
def test_bad_smtp_values_name_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env(env)
