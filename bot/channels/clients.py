"""The website channels (socket.io, REST) mark each message with its client's key.

:func:`bot.client.client_key` of the request's client address (through a trusted proxy's
``X-Forwarded-For``; production mode's HAProxy on the loopback is always trusted) goes into
the message's metadata under ``client``, replacing whatever the caller put there: the
actions count bookings, callback requests and failed booking references per client with
it, and a caller must not be able to choose it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.client import LOOPBACK, METADATA_KEY, client_key, forwarded_client
from bot.config import ACTIONS_SECRET_ENV, IPNetwork, Settings


@dataclass(frozen=True)
class ClientMarker:
    trusted: tuple[IPNetwork, ...]
    secret: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClientMarker:
        env = os.environ if environ is None else environ
        settings = Settings.from_env(env)
        trusted = settings.trusted_proxies + (LOOPBACK if settings.production else ())
        return cls(trusted, env.get(ACTIONS_SECRET_ENV, ""))

    def mark(self, metadata: Mapping[str, Any], request: Any) -> dict[str, Any]:
        """``metadata`` with the key of the Sanic ``request``'s client (None: no request)."""
        marked = {k: v for k, v in metadata.items() if k != METADATA_KEY}
        if request is None:
            return marked
        forwarded = request.headers.getall("X-Forwarded-For", [])
        address = forwarded_client(request.ip, forwarded, self.trusted)
        key = client_key(address, self.secret)
        if key is not None:
            marked[METADATA_KEY] = key
        return marked
