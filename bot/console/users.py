"""Console accounts: argon2 password hashes, roles, sign-in with throttling.

Sign-in is split so that the slow part never holds a database lock: :func:`check_sign_in`
reads (throttle state and the account), the caller verifies the password with
:func:`verify_password` outside any transaction, and :func:`record_sign_in` writes the
outcome. Unknown addresses are verified against a dummy hash, so that the answer takes the
same time whether the account exists or not.

Throttling counts failures per account and per client address, both stored as hashes, with
a growing delay rather than a lock: after ``FREE_FAILURES`` failures within ``WINDOW_S``, a
key waits 2, 4, 8... seconds after its last failure, at most ``MAX_ACCOUNT_DELAY_S`` for an
account (nobody can lock a consultant out for longer than that) and ``MAX_ADDRESS_DELAY_S``
for an address. Each attempt is counted *before* its password is checked, in the same
transaction as the check (serialised per key: SQLite's write lock, PostgreSQL's advisory
lock), so that parallel attempts cannot all pass under the limit. Attempts while waiting
are refused without checking the password and are not counted; a success removes its own
attempt and clears the account's failures (not the address's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from bot.errors import InvalidUser, LastAdmin, SignInThrottled, UserExists
from bot.storage.console import LANGUAGES, ROLES, login_failures, users

# OWASP's Argon2id minimum (19 MiB, 2 passes, 1 lane): about 50 ms here, per sign-in.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
MIN_PASSWORD = 12
FREE_FAILURES = 4
WINDOW_S = 15 * 60
MAX_ACCOUNT_DELAY_S = 60
MAX_ADDRESS_DELAY_S = 15 * 60
KEEP_FAILURES_S = 24 * 3600
DEMO_EMAIL = "demo@example.org"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DUMMY_HASH = HASHER.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class User:
    """A console account as the pages see it (never the hash)."""

    id: int
    email: str
    role: str
    language: str
    active: bool
    demo: bool
    session_epoch: int
    last_login_at: dt.datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class SignInCheck:
    """What :func:`check_sign_in` read: the account (if any) and its hash to verify."""

    user: User | None
    password_hash: str
    attempted_at: float = 0.0  # when this attempt was counted


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def normalise_email(email: str) -> str:
    """Trimmed and lower-cased; raises InvalidUser when it is not an address."""
    value = (email or "").strip().lower()
    if len(value) > 254 or not _EMAIL.match(value):
        raise InvalidUser("email")
    return value


@cache
def _breached_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of public breaches, shipped in the zxcvbn package
    (its frequency list): read from the installed package, never downloaded."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def breached(password: str) -> bool:
    """True for a password of the breached list, in any case, or one of them followed by
    digits and symbols ("sunshine2024!!")."""
    lowered = (password or "").lower()
    base = lowered.rstrip("0123456789!?.,;:-_*#@$%&+= ")
    known = _breached_passwords()
    return lowered in known or (len(base) >= 6 and base in known)


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidUser("password")
    if breached(password):
        raise InvalidUser("breached_password")
    return password


def _check(role: str, language: str) -> None:
    if role not in ROLES:
        raise InvalidUser("role")
    if language not in LANGUAGES:
        raise InvalidUser("language")


def _user(row: Row) -> User:
    return User(
        id=int(row.id),
        email=row.email,
        role=row.role,
        language=row.language,
        active=bool(row.active),
        demo=bool(row.demo),
        session_epoch=int(row.session_epoch),
        last_login_at=row.last_login_at,
    )


def create_user(
    conn: Connection,
    email: str,
    password: str,
    role: str = "consultant",
    language: str = "fr",
    demo: bool = False,
) -> User:
    """A new active account; raises InvalidUser or UserExists."""
    address = normalise_email(email)
    _check(role, language)
    hashed = HASHER.hash(_check_password(password))
    try:
        with conn.begin_nested():
            conn.execute(
                insert(users).values(
                    email=address,
                    password_hash=hashed,
                    role=role,
                    language=language,
                    active=True,
                    demo=demo,
                    session_epoch=0,
                    created_at=now_utc(),
                )
            )
    except IntegrityError:
        raise UserExists(address) from None
    return get_by_email(conn, address)  # type: ignore[return-value]


def get_by_email(conn: Connection, email: str) -> User | None:
    row = conn.execute(select(users).where(users.c.email == email.strip().lower())).first()
    return _user(row) if row else None


def get_user(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def session_user(conn: Connection, user_id: int, epoch: int) -> User | None:
    """The account of a session, while it is active and the session not revoked."""
    user = get_user(conn, user_id)
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return user


def list_users(conn: Connection) -> list[User]:
    return [_user(row) for row in conn.execute(select(users).order_by(users.c.email))]


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def _active_admins(conn: Connection) -> int:
    statement = select(func.count()).where(users.c.role == "admin", users.c.active.is_(True))
    return int(conn.execute(statement).scalar_one())


def _guard_last_admin(conn: Connection, user: User, role: str, active: bool) -> None:
    if user.is_admin and user.active and (role != "admin" or not active):
        if _active_admins(conn) <= 1:
            raise LastAdmin(user.email)


def update_user(
    conn: Connection, user_id: int, role: str | None = None, active: bool | None = None
) -> User:
    """Change an account's role or activity; deactivation ends its sessions."""
    user = get_user(conn, user_id)
    if user is None:
        raise InvalidUser("user")
    new_role = role or user.role
    new_active = user.active if active is None else active
    _check(new_role, user.language)
    _guard_last_admin(conn, user, new_role, new_active)
    epoch = user.session_epoch + (1 if (not new_active or new_role != user.role) else 0)
    conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(role=new_role, active=new_active, session_epoch=epoch)
    )
    return get_user(conn, user_id)  # type: ignore[return-value]


def set_password(conn: Connection, user_id: int, password: str) -> None:
    """A new password ends every session of the account and its demo status."""
    hashed = HASHER.hash(_check_password(password))
    conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(password_hash=hashed, demo=False, session_epoch=users.c.session_epoch + 1)
    )


def set_language(conn: Connection, user_id: int, language: str) -> None:
    if language not in LANGUAGES:
        raise InvalidUser("language")
    conn.execute(update(users).where(users.c.id == user_id).values(language=language))


def end_sessions(conn: Connection, user_id: int) -> None:
    """Sign out everywhere: cookies carrying the old epoch are refused from now on."""
    conn.execute(
        update(users).where(users.c.id == user_id).values(session_epoch=users.c.session_epoch + 1)
    )


def ensure_demo_user(conn: Connection) -> tuple[str, str] | None:
    """On first start (no account at all): a demo consultant; its e-mail and password.

    The password is random and shown once; the console asks to change it, and it must be
    changed (or the account deactivated) before production.
    """
    if count_users(conn) > 0:
        return None
    password = secrets.token_urlsafe(12)
    try:
        create_user(conn, DEMO_EMAIL, password, role="consultant", language="fr", demo=True)
    except UserExists:
        return None  # another process created it at the same moment
    return DEMO_EMAIL, password


# Sign-in and throttling.


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:40]}"


def throttle_keys(email: str, address: str | None) -> list[str]:
    keys = [_key("account", (email or "").strip().lower())]
    if address:
        keys.append(_key("ip", address))
    return keys


def _delay(failures: int, cap: float) -> float:
    """Seconds to wait after the last of ``failures`` recent failures: 0, then doubling."""
    if failures <= FREE_FAILURES:
        return 0.0
    return float(min(2 ** (failures - FREE_FAILURES), cap))


def _retry_after(conn: Connection, key: str, now: float) -> float | None:
    recent = [
        float(at)
        for (at,) in conn.execute(
            select(login_failures.c.failed_at)
            .where(login_failures.c.key == key, login_failures.c.failed_at > now - WINDOW_S)
            .order_by(login_failures.c.failed_at.desc())
        )
    ]
    if not recent:
        return None
    cap = MAX_ACCOUNT_DELAY_S if key.startswith("account:") else MAX_ADDRESS_DELAY_S
    remaining = recent[0] + _delay(len(recent), cap) - now
    return remaining if remaining > 0 else None


def _serialise(conn: Connection, keys: list[str]) -> None:
    """PostgreSQL: one attempt per key at a time until the transaction ends (SQLite's
    write transactions are serialised already)."""
    if conn.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    for key in sorted(keys):
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})


def check_sign_in(
    conn: Connection, email: str, address: str | None, now: float | None = None
) -> SignInCheck:
    """Raise SignInThrottled while a key waits; else count this attempt as a failure (until
    :func:`record_sign_in` says it succeeded) and return the account and hash to verify.

    Call it in a write transaction: the check and the count must be one step.
    """
    moment = time.time() if now is None else now
    keys = throttle_keys(email, address)
    _serialise(conn, keys)
    waits = [w for k in keys if (w := _retry_after(conn, k, moment))]
    if waits:
        raise SignInThrottled(max(waits))
    conn.execute(insert(login_failures), [{"key": key, "failed_at": moment} for key in keys])
    row = conn.execute(select(users).where(users.c.email == (email or "").strip().lower())).first()
    if row is None or not row.active:
        return SignInCheck(None, _DUMMY_HASH, moment)
    return SignInCheck(_user(row), row.password_hash, moment)


def verify_password(password_hash: str, password: str) -> bool:
    """Slow on purpose (argon2): call it outside any transaction, off the event loop."""
    try:
        return bool(HASHER.verify(password_hash, password or ""))
    except (VerificationError, InvalidHashError):
        return False


def record_sign_in(
    conn: Connection,
    check: SignInCheck,
    ok: bool,
    email: str,
    address: str | None,
    password: str = "",
    now: float | None = None,
) -> User | None:
    """Store the outcome: failures per key, or the success (rehash when parameters rose)."""
    moment = time.time() if now is None else now
    conn.execute(
        delete(login_failures).where(login_failures.c.failed_at < moment - KEEP_FAILURES_S)
    )
    if not ok or check.user is None:
        return None  # counted by check_sign_in already
    conn.execute(
        delete(login_failures).where(
            login_failures.c.key.in_(throttle_keys(email, address)),
            login_failures.c.failed_at == check.attempted_at,
        )
    )
    values: dict[str, object] = {"last_login_at": now_utc()}
    if HASHER.check_needs_rehash(check.password_hash):
        values["password_hash"] = HASHER.hash(password)
    conn.execute(update(users).where(users.c.id == check.user.id).values(**values))
    account = throttle_keys(email, None)[0]
    conn.execute(delete(login_failures).where(login_failures.c.key == account))
    return get_user(conn, check.user.id)


def change_own_password(conn: Connection, user_id: int, current: str, new: str) -> bool:
    """False when ``current`` is wrong; blocking (argon2 twice)."""
    row = conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).first()
    if row is None or not verify_password(row.password_hash, current):
        return False
    set_password(conn, user_id, new)
    return True
