"""A local SMTP server for the demonstration: `homeward run` catches the notification email
that would otherwise have nowhere to go, and keeps each message as a file to read.

Only when no SMTP server has been configured (`HOMEWARD_SMTP_HOST` unset) and nothing already
answers on the default port (a developer's own mail catcher is left alone). The server is
aiosmtpd, which comes with the development install that `make run` makes; without it, mail
waits in the outbox and is retried as usual (ADR 3).
"""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class _KeepAsFiles:
    """aiosmtpd handler: every message accepted is written to `folder` as an .eml file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def _answers(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def mail_sink_start(folder: Path, *, host: str = "127.0.0.1", port: int = 1025) -> Any | None:
    """Start the sink in a thread of this process; None when one may not or cannot run."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        return None
    if _answers(host, port):
        return None
    controller = Controller(_KeepAsFiles(folder), hostname=host, port=port)
    controller.start()
    return controller
