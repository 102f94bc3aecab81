"""Who is on the other end of a website request: the client's address, and the key the
abuse limits count it by.

Behind a reverse proxy every request comes from the proxy: the client's address is then in
``X-Forwarded-For``, which only a trusted proxy (``BOT_TRUSTED_PROXIES``; HAProxy on the
loopback in production mode) may be believed about. The website (sign-in throttling,
``/ics/``) and the Rasa channels of the website (socket.io, REST) read it the same way.

The channels do not pass the address itself on to the conversation: they put a keyed hash
of it into the message's metadata (:data:`METADATA_KEY`), which the actions compare (limits
per client address on bookings, callback requests and failed booking references). The key
is the action server's shared secret, so that the hash of an address cannot be computed by
whoever reads a conversation's events or a booking row.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Sequence

from bot.config import IPNetwork

# The message metadata entry the channels fill (and overwrite: a client cannot choose it).
METADATA_KEY = "client"
# Production mode's HAProxy talks to the Rasa processes over the loopback.
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text or "")
    except ValueError:
        return None


def _trusted(text: str | None, trusted: Sequence[IPNetwork]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in trusted)


def forwarded_client(
    remote: str | None, forwarded_for: Iterable[str], trusted: Sequence[IPNetwork]
) -> str | None:
    """The client's address: ``remote`` unless it is a trusted proxy; then the nearest
    address of ``X-Forwarded-For`` (all its headers, in order) that is not a trusted proxy.

    Each proxy appends the address it got the request from, so that one is genuine, whatever
    a browser put to its left. Behind an untrusted peer the header is ignored: anyone can
    send one. A malformed entry stops the walk at the proxy's own address.
    """
    if not _trusted(remote, trusted):
        return remote
    header = ",".join(forwarded_for)
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop if _address(hop) else remote
    return hops[0] if hops else remote


def client_key(address: str | None, secret: str) -> str | None:
    """The keyed hash the limits count a client address by (None: address unknown).

    An IPv6 client counts by its /64 network: one household or phone gets a whole /64 and
    may change addresses inside it at will.
    """
    parsed = _address(address)
    if parsed is None:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        mapped = parsed.ipv4_mapped
        text = str(mapped or ipaddress.ip_network(f"{parsed}/64", strict=False))
    else:
        text = str(parsed)
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
    return digest[:32]
