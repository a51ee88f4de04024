"""A real SMTP server for integration tests (aiosmtpd on a free port), with troubled modes per address.

    sink = SmtpSink(); sink.start()
    sink.refuse("lee@example.com", times=2)   # answer 451 twice, then accept
    sink.stall_once("ada@example.com")         # hold the first DATA without answering (until the client dies)
    sink.delivered_to("lee@example.com")       # messages accepted for that address

A message counts as delivered only once the server has decided to answer 250: a client killed while
its message was stalled has delivered nothing.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    rcpt: str
    message: Message
    mail_from: str = ""  # the envelope sender (SMTP MAIL FROM), where bounces go

    @property
    def notification_id(self) -> str:
        return self.message["X-Coaching-Notification"]


@dataclass
class _Handler:
    stall_seconds: float = 60.0
    received: list[Received] = field(default_factory=list)
    refusals: dict[str, int] = field(default_factory=dict)
    stalls: set[str] = field(default_factory=set)
    refused: list[str] = field(default_factory=list)
    stalling: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        rcpts = [r.lower() for r in envelope.rcpt_tos]
        with self.lock:
            refuse = next((r for r in rcpts if self.refusals.get(r, 0) > 0), None)
            if refuse:
                self.refusals[refuse] -= 1
                self.refused.append(refuse)
            stall = next((r for r in rcpts if r in self.stalls), None)
            if stall:
                self.stalls.discard(stall)
        if refuse:
            return "451 4.3.0 Mailbox busy, try again later"
        if stall:
            self.stalling.set()
            # Holds the answer; if the client dies meanwhile aiosmtpd cancels this coroutine and
            # nothing is recorded. If it is still there afterwards, tell it to try again.
            await asyncio.sleep(self.stall_seconds)
            return "451 4.3.0 Stalled"
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.received.extend(Received(r, message, envelope.mail_from or "") for r in rcpts)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, *, stall_seconds: float = 60.0) -> None:
        self.port = free_port()
        self.handler = _Handler(stall_seconds=stall_seconds)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def refuse(self, address: str, *, times: int) -> None:
        with self.handler.lock:
            self.handler.refusals[address.lower()] = times

    def stall_once(self, address: str) -> None:
        with self.handler.lock:
            self.handler.stalls.add(address.lower())
            self.handler.stalling.clear()

    def delivered_to(self, address: str) -> list[Received]:
        with self.handler.lock:
            return [r for r in self.handler.received if r.rcpt == address.lower()]

    def refusals_of(self, address: str) -> int:
        with self.handler.lock:
            return self.handler.refused.count(address.lower())

    def wait_for(self, predicate, *, timeout: float, interval: float = 0.2) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(interval)
        return predicate()
