"""Webhook authenticity checks of each platform, as plain functions (no framework).

Every comparison is constant-time (``hmac.compare_digest``), so that an attacker cannot
find a valid signature byte by byte from response times.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

FACEBOOK_HEADER = "X-Hub-Signature-256"
TELEGRAM_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TWILIO_HEADER = "X-Twilio-Signature"


def constant_time_equal(a: str, b: str) -> bool:
    """``a == b`` in a time that does not depend on where they differ."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def facebook_signature(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends: ``sha256=`` + HMAC-SHA256 of the raw body."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def facebook_signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the HMAC-SHA256 of exactly these bytes with the app secret.

    The raw body must be used, before any JSON parsing: re-serialising changes the bytes.
    The older SHA-1 ``X-Hub-Signature`` is not accepted.
    """
    if not app_secret or not header:
        return False
    return constant_time_equal(facebook_signature(app_secret, body), header.strip().lower())


def telegram_secret_valid(secret_token: str, header: str | None) -> bool:
    """True when the ``X-Telegram-Bot-Api-Secret-Token`` header is the secret set by setWebhook."""
    if not secret_token or header is None:
        return False
    return constant_time_equal(secret_token, header)


def _with_port(url: str) -> str:
    parts = urlsplit(url)
    if parts.port or not parts.hostname:
        return url
    port = 443 if parts.scheme == "https" else 80
    return urlunsplit(parts._replace(netloc=f"{parts.netloc}:{port}"))


def _without_port(url: str) -> str:
    parts = urlsplit(url)
    if not parts.port:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit(":", 1)[0]))


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The ``X-Twilio-Signature`` of a form POST: base64 HMAC-SHA1 of URL + sorted params.

    Each parameter name is followed by its value, names in alphabetical order (repeated
    names: each distinct value, sorted), as Twilio's own RequestValidator computes it.
    """
    values: dict[str, set[str]] = {}
    for name, value in params:
        values.setdefault(name, set()).add(value)
    data = url + "".join(name + value for name in sorted(values) for value in sorted(values[name]))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def twilio_signature_valid(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], header: str | None
) -> bool:
    """True when ``header`` signs this URL and these form parameters.

    ``url`` is the public URL Twilio called (scheme, host, path and query), which differs
    from what the server sees behind a proxy. Twilio is not consistent about the default
    port, so the URL is tried with and without it.
    """
    if not auth_token or not header:
        return False
    pairs = list(params)
    candidates = {_with_port(url), _without_port(url)}
    # Evaluate every candidate: no early exit that would tell which one matched.
    results = [
        constant_time_equal(twilio_signature(auth_token, candidate, pairs), header)
        for candidate in candidates
    ]
    return any(results)
