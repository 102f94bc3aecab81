"""The key that encrypts the console's session cookies.

``BOT_SECRET_KEY`` when set (several web processes behind a load balancer must share it);
otherwise a random key generated on first start and kept in ``var/console-secret.key``
(readable by its owner only), so that sessions survive a restart of ``make run``. Deleting
that file signs every consultant out.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from bot.config import Settings

KEY_FILE = "console-secret.key"


def cookie_key(settings: Settings) -> bytes:
    """32 bytes for Fernet (aiohttp-session's EncryptedCookieStorage)."""
    if settings.secret_key:
        return hashlib.sha256(str(settings.secret_key).encode()).digest()
    return hashlib.sha256(_stored_key(settings.var_dir / KEY_FILE).encode()).digest()


def _stored_key(path: Path) -> str:
    """The key in ``path``, written first if missing (atomically: two processes may race)."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(temporary, path)  # fails if another process won the race: use its key
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()
