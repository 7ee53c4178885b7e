"""A real SMTP server on loopback that keeps every message it receives.

Campaign sending is only proven when mail arrives: the CRM is pointed at this server and the
scenario reads what was delivered (recipients, subject, personalised body).
"""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session


@dataclass(frozen=True)
class Delivered:
    """One message as the SMTP server received it."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def text(self) -> str:
        """The plain-text body (or the HTML one, when there is no plain part)."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.sink._record(Delivered(str(envelope.mail_from), tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class MailSink:
    """``with MailSink() as sink: ... sink.messages``: an SMTP server on 127.0.0.1, a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._controller = Controller(_Handler(self), hostname=host, port=port or _free_port(host))
        self._messages: list[Delivered] = []
        self._lock = threading.Condition()

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def start(self) -> MailSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _record(self, delivered: Delivered) -> None:
        with self._lock:
            self._messages.append(delivered)
            self._lock.notify_all()

    @property
    def messages(self) -> list[Delivered]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Delivered]:
        """Wait until at least ``count`` messages arrived (the CRM sends from a background job)."""
        with self._lock:
            self._lock.wait_for(lambda: len(self._messages) >= count, timeout=timeout)
            return list(self._messages)


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
