"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, with Django's
email pointed at it: tests see messages exactly as a mail server would.

Registered for every test in `tests/conftest.py` (`pytest_plugins`): ask for `smtp_server`.
"""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import TypeVar

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        """The plain-text body (the text part of a multipart message)."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""

    def links(self) -> list[str]:
        return URL.findall(self.text)


class SmtpServer:
    """The handler aiosmtpd calls for each message, and what the tests read."""

    def __init__(self, port: int) -> None:
        self.host, self.port = HOST, port
        self.messages: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        received = Received(envelope.mail_from, list(envelope.rcpt_tos), message)
        with self._lock:
            self.messages.append(received)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        """The messages sent to `address`, oldest first."""
        with self._lock:
            return [m for m in self.messages if address in m.recipients]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


Server = TypeVar("Server", bound="SmtpServer")


def start_server(kind: type[Server] = SmtpServer) -> tuple[Controller, Server]:
    """A running server of `kind` (`SmtpServer` or a subclass) and its controller (to stop)."""
    # aiosmtpd needs a known port (it connects to it once to start): take a free one, and
    # try again in the rare case another process grabbed it in between.
    for _ in range(5):
        server = kind(free_port())
        controller = Controller(server, hostname=HOST, port=server.port)
        try:
            controller.start()
        except OSError:
            continue
        return controller, server
    raise RuntimeError("no free port for the test SMTP server")


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server; Django's email goes to it (over SMTP, no TLS, no login)."""
    controller, server = start_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield server
    finally:
        controller.stop()
