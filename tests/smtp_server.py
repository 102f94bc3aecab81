"""A tiny real SMTP server on a loopback port, in a thread, for tests that send e-mail.

It speaks just enough SMTP for ``smtplib`` (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
and keeps what it receives. ``refuse=True`` makes it answer 554 to DATA, like a server that
rejects the message. (Python 3.10 still ships ``smtpd``, deprecated and gone in 3.12.)
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)  # type: ignore[return-value]


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    connections: int = 0  # sessions opened by clients
    drop_after: int | None = None  # close each session after this many messages (a server's limit)


async def _session(reader, writer, server: SmtpServer, refuse: bool) -> None:  # type: ignore[no-untyped-def]
    async def reply(line: str) -> None:
        writer.write(f"{line}\r\n".encode())
        await writer.drain()

    server.connections += 1
    await reply("220 localhost test SMTP")
    sender, recipients = "", []
    accepted = 0
    while line := await reader.readline():
        command = line.decode().strip()
        verb = command[:4].upper()
        if verb == "EHLO":
            await reply("250-localhost\r\n250 8BITMIME")
        elif verb == "HELO":
            await reply("250 localhost")
        elif verb == "MAIL":
            sender, recipients = command.split(":", 1)[1].strip(" <>").split(">")[0], []
            await reply("250 OK")
        elif verb == "RCPT":
            recipients.append(command.split(":", 1)[1].strip(" <>"))
            await reply("250 OK")
        elif verb == "DATA":
            if refuse:
                await reply("554 Transaction failed: refused by the test server")
                continue
            await reply("354 End data with <CR><LF>.<CR><LF>")
            lines = []
            while (chunk := await reader.readline()) not in (b".\r\n", b""):
                lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
            server.received.append(Received(sender, recipients, b"".join(lines)))
            await reply("250 OK queued")
            accepted += 1
            if server.drop_after is not None and accepted >= server.drop_after:
                break  # hang up without a word, as a server at its per-session limit may
        elif verb in ("RSET", "NOOP"):
            await reply("250 OK")
        elif verb == "QUIT":
            await reply("221 Bye")
            break
        else:
            await reply("502 Command not implemented")
    writer.close()


@contextmanager
def smtp_server(refuse: bool = False) -> Iterator[SmtpServer]:
    """A running server on a free loopback port; stopped when the block ends.

    Its loop is a plain selector loop whatever the global policy (Rasa's imports install
    uvloop's), and it stops on an event rather than by cancelling ``serve_forever``.
    """
    loop = asyncio.SelectorEventLoop()
    started = threading.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        server = SmtpServer("127.0.0.1", 0)
        stop = asyncio.Event()
        listener = await asyncio.start_server(
            lambda r, w: _session(r, w, server, refuse), server.host, 0
        )
        server.port = listener.sockets[0].getsockname()[1]
        holder.update(server=server, stop=stop)
        started.set()
        await stop.wait()
        listener.close()
        await listener.wait_closed()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    if not started.wait(10):
        raise RuntimeError("the test SMTP server did not start")
    try:
        yield holder["server"]
    finally:
        loop.call_soon_threadsafe(holder["stop"].set)
        thread.join(10)
        loop.close()
