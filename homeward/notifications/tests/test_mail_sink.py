"""The demonstration's local mail sink: a real SMTP server that keeps each message as a file,
and stands aside when something already answers on its port."""

from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage
from pathlib import Path

from homeward.notifications.mail_sink import mail_sink_start


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_mail_sent_to_the_sink_is_kept_as_an_eml_file(tmp_path: Path) -> None:
    port = _free_port()
    controller = mail_sink_start(tmp_path / "mail", port=port)
    assert controller is not None
    try:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "homeward@localhost", "mct@example.gov.uk", "Missing"
        message.set_content("Jade Nowak was reported missing.")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(message)
        (kept,) = list((tmp_path / "mail").glob("*.eml"))
        text = kept.read_text()
        assert "Subject: Missing" in text and "Jade Nowak was reported missing." in text
        # A second sink on the same port stands aside: something already answers there.
        assert mail_sink_start(tmp_path / "other", port=port) is None
    finally:
        controller.stop()
