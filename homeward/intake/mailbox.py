"""Reading the authority's mailbox of police notifications (IMAP over TLS, IMAPClient).

`intake_mailbox_poll` is a periodic task of the worker (HOMEWARD_PERIODIC_TASKS). For each
message in the inbox, oldest first: fetch it, keep it (`intake_receive`, one record however
often it arrives), then move it to the processed folder, or to the failed folder when it
could not be read (it also waits in Homeward's triage queue). A message is moved only once it
is stored, so a server that goes away mid-read loses nothing: the next poll fetches what is
still in the inbox, and what was already stored is recognised and moved on.

Settings: HOMEWARD_INTAKE_IMAP_HOST (empty: no mailbox is read), _PORT (993), _USER,
_PASSWORD, _CA_FILE (a CA bundle to trust beyond the system's), _INBOX, _PROCESSED_FOLDER,
_FAILED_FOLDER, _TIMEOUT (seconds).
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass

from django.conf import settings
from imapclient import IMAPClient

from .models import Outcome
from .services import intake_receive

log = logging.getLogger(__name__)

# Fetched a few at a time: a backlog after an outage is read in small steps.
FETCH_BATCH = 10


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    user: str
    password: str
    ca_file: str
    inbox: str
    processed: str
    failed: str
    timeout: float

    @classmethod
    def from_settings(cls) -> MailboxSettings:
        return cls(
            host=settings.HOMEWARD_INTAKE_IMAP_HOST, port=settings.HOMEWARD_INTAKE_IMAP_PORT,
            user=settings.HOMEWARD_INTAKE_IMAP_USER, password=settings.HOMEWARD_INTAKE_IMAP_PASSWORD,
            ca_file=settings.HOMEWARD_INTAKE_IMAP_CA_FILE, inbox=settings.HOMEWARD_INTAKE_IMAP_INBOX,
            processed=settings.HOMEWARD_INTAKE_IMAP_PROCESSED_FOLDER,
            failed=settings.HOMEWARD_INTAKE_IMAP_FAILED_FOLDER, timeout=settings.HOMEWARD_INTAKE_IMAP_TIMEOUT,
        )


@dataclass(frozen=True)
class PollReport:
    fetched: int = 0
    new: int = 0
    repeated: int = 0
    failed: int = 0


def _tls(config: MailboxSettings) -> ssl.SSLContext:
    # Certificate and host name are always checked; a private CA may be added, never turned off.
    context = ssl.create_default_context(cafile=config.ca_file or None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _connect(config: MailboxSettings) -> IMAPClient:
    client = IMAPClient(config.host, port=config.port, ssl=True, ssl_context=_tls(config), timeout=config.timeout)
    client.login(config.user, config.password)
    for folder in (config.processed, config.failed):
        if not client.folder_exists(folder):
            client.create_folder(folder)
    return client


def _move(client: IMAPClient, uid: int, folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], folder)
    else:
        client.copy([uid], folder)
        client.delete_messages([uid])
        if client.has_capability("UIDPLUS"):
            client.uid_expunge([uid])
        else:
            client.expunge()


def intake_mailbox_poll(config: MailboxSettings | None = None) -> PollReport:
    """Take in every message waiting in the inbox (a periodic task; nothing to do without a host)."""
    config = config or MailboxSettings.from_settings()
    if not config.host:
        return PollReport()
    fetched = new = repeated = failed = 0
    client = _connect(config)
    try:
        client.select_folder(config.inbox)
        uids = sorted(client.search(["NOT", "DELETED"]))
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start:start + FETCH_BATCH]
            # BODY.PEEK leaves the message unread in the mailbox for anyone looking at it.
            for uid, data in sorted(client.fetch(batch, ["BODY.PEEK[]"]).items()):
                raw = data.get(b"BODY[]")
                if not isinstance(raw, bytes):
                    continue
                fetched += 1
                received = intake_receive(raw=raw, source="mailbox")
                new, repeated = new + received.created, repeated + (not received.created)
                unreadable = received.message.outcome == Outcome.UNREADABLE
                failed += unreadable
                _move(client, uid, config.failed if unreadable else config.processed)
    finally:
        try:
            client.logout()
        except Exception:  # the server may already be gone; the poll's outcome stands
            log.debug("IMAP logout failed", exc_info=True)
    report = PollReport(fetched=fetched, new=new, repeated=repeated, failed=failed)
    if fetched:
        log.info("police mailbox: %s", report)
    return report
