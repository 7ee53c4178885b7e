"""The loopback SMTP sink receives real SMTP traffic and parses it."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from signoff.mail import MailSink


def test_messages_sent_over_smtp_are_kept() -> None:
    with MailSink() as sink:
        message = EmailMessage()
        message["From"] = "crm@example.test"
        message["To"] = "ada@example.test"
        message["Subject"] = "Bonjour Ada — 你好"
        message.set_content("Dear Ada Lovelace,\n")
        with smtplib.SMTP(sink.host, sink.port) as client:
            client.send_message(message, to_addrs=["ada@example.test", "bob@example.test"])
        [delivered] = sink.wait_for(1, timeout=10)
    assert delivered.recipients == ("ada@example.test", "bob@example.test")
    assert delivered.subject == "Bonjour Ada — 你好"
    assert delivered.text.strip() == "Dear Ada Lovelace,"


def test_wait_for_returns_what_arrived_when_time_runs_out() -> None:
    with MailSink() as sink:
        assert sink.wait_for(1, timeout=0.2) == []
