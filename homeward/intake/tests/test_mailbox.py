"""The worker reads the authority's mailbox on a real IMAP server (Dovecot, over TLS): a
notification emailed becomes the episode, a message delivered twice is one, and a server that
goes away mid-read loses nothing and duplicates nothing."""

from __future__ import annotations

import imaplib
import ssl
from collections.abc import Iterator
from typing import Any

import pytest
from imapclient import IMAPClient

from homeward.episodes.models import Episode
from homeward.intake import mailbox
from homeward.intake.mailbox import MailboxSettings, intake_mailbox_poll
from homeward.intake.models import MessageStatus, Outcome, PoliceMessage

from .conftest import sample
from .dovecot import PASSWORD, USER, Dovecot

pytestmark = pytest.mark.django_db
PROCESSED, FAILED = "Homeward-Processed", "Homeward-Failed"
# What the client sees when the server is killed under it.
SERVER_GONE = (imaplib.IMAP4.error, OSError, ssl.SSLError)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def config(dovecot: Dovecot) -> MailboxSettings:
    return MailboxSettings(host="localhost", port=dovecot.port, user=USER, password=PASSWORD,
                           ca_file=str(dovecot.ca_file), inbox="INBOX", processed=PROCESSED, failed=FAILED,
                           timeout=5)


def client_for(config: MailboxSettings) -> IMAPClient:
    client = IMAPClient(config.host, port=config.port, ssl=True, timeout=5,
                        ssl_context=ssl.create_default_context(cafile=config.ca_file))
    client.login(config.user, config.password)
    return client


def deliver(config: MailboxSettings, *names: str) -> None:
    """The police email arrives in the authority's inbox."""
    with client_for(config) as client:
        for name in names:
            client.append("INBOX", sample(name))


def folder_counts(config: MailboxSettings) -> dict[str, int]:
    with client_for(config) as client:
        return {folder: (client.select_folder(folder, readonly=True)[b"EXISTS"] if client.folder_exists(folder)
                         else 0) for folder in ("INBOX", PROCESSED, FAILED)}


def test_a_compact_notification_emailed_becomes_the_episode_and_the_found_one_returns_it(
        config: MailboxSettings, jade: Any) -> None:
    deliver(config, "wmp-compact-missing.eml")
    report = intake_mailbox_poll(config)
    assert (report.fetched, report.new) == (1, 1)
    episode = Episode.objects.get(child=jade)
    assert (episode.status, episode.police_reference) == ("open", "20MWM/004417/26")
    assert folder_counts(config) == {"INBOX": 0, PROCESSED: 1, FAILED: 0}
    deliver(config, "wmp-compact-found.eml")
    intake_mailbox_poll(config)
    episode.refresh_from_db()
    assert episode.status == "returned"
    assert PoliceMessage.objects.get(outcome=Outcome.RETURN_RECORDED).episode == episode
    # Mail received by the authority's mailbox is recorded as the mailbox's, not a person's.
    assert episode.created_by.username == "police-email-intake"
    assert not episode.created_by.has_usable_password()


def test_a_message_delivered_twice_makes_one_record_and_one_episode(config: MailboxSettings, jade: Any) -> None:
    deliver(config, "wmp-compact-missing.eml", "wmp-compact-missing.eml")
    report = intake_mailbox_poll(config)
    assert (report.fetched, report.new, report.repeated) == (2, 1, 1)
    assert PoliceMessage.objects.count() == 1 and Episode.objects.count() == 1
    assert folder_counts(config) == {"INBOX": 0, PROCESSED: 2, FAILED: 0}


def test_every_layout_and_an_unreadable_message_each_go_to_their_folder(
        config: MailboxSettings, jade: Any, kyle: Any, tobi: Any) -> None:
    deliver(config, "wmp-compact-missing.eml", "northants-mfh-missing-csv.eml", "met-missing-notification-pdf.eml",
            "not-a-notification.eml")
    report = intake_mailbox_poll(config)
    assert (report.fetched, report.new, report.failed) == (4, 4, 1)
    assert Episode.objects.count() == 3
    assert PoliceMessage.objects.get(outcome=Outcome.UNREADABLE).status == MessageStatus.TRIAGE
    assert folder_counts(config) == {"INBOX": 0, PROCESSED: 3, FAILED: 1}


def test_the_server_going_away_mid_fetch_loses_nothing(config: MailboxSettings, dovecot: Dovecot,
                                                       monkeypatch: pytest.MonkeyPatch, jade: Any, kyle: Any,
                                                       tobi: Any) -> None:
    deliver(config, "wmp-compact-missing.eml", "northants-mfh-missing-csv.eml", "met-missing-notification-pdf.eml")
    monkeypatch.setattr(mailbox, "FETCH_BATCH", 1)
    fetch = IMAPClient.fetch
    calls = {"n": 0}

    def fetch_then_die(self: IMAPClient, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            dovecot.kill()
        return fetch(self, *args, **kwargs)

    monkeypatch.setattr(IMAPClient, "fetch", fetch_then_die)
    with pytest.raises(SERVER_GONE):
        intake_mailbox_poll(config)
    assert PoliceMessage.objects.count() == 1
    monkeypatch.setattr(IMAPClient, "fetch", fetch)
    dovecot.start()
    report = intake_mailbox_poll(config)
    assert (report.fetched, report.new, report.repeated) == (2, 2, 0)
    assert PoliceMessage.objects.count() == 3 and Episode.objects.count() == 3
    assert folder_counts(config) == {"INBOX": 0, PROCESSED: 3, FAILED: 0}


def test_the_server_going_away_after_a_message_is_kept_but_before_it_is_moved_duplicates_nothing(
        config: MailboxSettings, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch, jade: Any, kyle: Any) -> None:
    deliver(config, "wmp-compact-missing.eml", "northants-mfh-missing-csv.eml")
    receive = mailbox.intake_receive

    def receive_then_die(**kwargs: Any) -> Any:
        received = receive(**kwargs)
        dovecot.kill()
        return received

    monkeypatch.setattr(mailbox, "intake_receive", receive_then_die)
    with pytest.raises(SERVER_GONE):
        intake_mailbox_poll(config)
    monkeypatch.setattr(mailbox, "intake_receive", receive)
    dovecot.start()
    report = intake_mailbox_poll(config)
    # The first message was kept but left in the inbox: read again, it is recognised and moved on.
    assert (report.fetched, report.new, report.repeated) == (2, 1, 1)
    assert PoliceMessage.objects.count() == 2 and Episode.objects.count() == 2
    assert folder_counts(config) == {"INBOX": 0, PROCESSED: 2, FAILED: 0}


def test_the_servers_certificate_is_checked(config: MailboxSettings) -> None:
    untrusted = MailboxSettings(**{**config.__dict__, "ca_file": ""})
    with pytest.raises(ssl.SSLCertVerificationError):
        intake_mailbox_poll(untrusted)


def test_no_mailbox_is_read_without_a_host(settings: Any) -> None:
    settings.HOMEWARD_INTAKE_IMAP_HOST = ""
    assert intake_mailbox_poll() == mailbox.PollReport()
