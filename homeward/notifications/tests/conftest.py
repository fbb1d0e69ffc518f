"""Fixtures for the notification tests: contact points, people with email addresses,
episodes reported and found through the real services, and a real SMTP server on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

LONDON = ZoneInfo("Europe/London")
TEAM = "Children in Care North"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


@pytest.fixture
def contacts(db: Any) -> dict[str, Any]:
    """Inboxes for the home authority's services, Leicestershire (855) and the local police."""
    from homeward.notifications.models import ContactPoint
    from homeward.reference.models import Authority, PoliceForce

    def make(kind: str, name: str, email: str, **extra: Any) -> ContactPoint:
        return ContactPoint.objects.create(kind=kind, name=name, email=email, **extra)

    return {
        "front_door": make("front_door", "MASH", "mash@westnorthants.example"),
        "mct": make("mct", "Missing Children Team", "mct@westnorthants.example"),
        "edt": make("edt", "Emergency Duty Team", "edt@westnorthants.example"),
        "police": make("police", "Northamptonshire missing person unit", "mpu@northants.police.example",
                       police_force=PoliceForce.objects.get(code="northamptonshire")),
        "855": make("authority", "Leicestershire MCT", "missing@leics.example",
                    authority=Authority.objects.get(code="855")),
    }


@pytest.fixture
def person(make_user: Callable[..., Any]) -> Callable[..., Any]:
    """A person with a name and (unless told otherwise) an email address."""

    def make(role: str, username: str, *, team: str = "", email: str | None = None) -> Any:
        user = make_user(role, team=team, username=username)
        user.first_name, user.last_name = username.capitalize(), "Example"
        user.email = f"{username}@westnorthants.example" if email is None else email
        user.save()
        return user

    return make


@pytest.fixture
def people(person: Callable[..., Any]) -> dict[str, Any]:
    return {
        "worker": person("social_worker", "sam", team=TEAM),
        "manager": person("team_manager", "tess", team=TEAM),
        "iro": person("iro", "ida"),
    }


@pytest.fixture
def report(coordinator: Any) -> Callable[..., Any]:
    """Report a child missing through the service the API and pages use."""
    from homeward.casework.episodes import episode_report

    def make(child: Any, reported_at: datetime, **extra: Any) -> Any:
        values: dict[str, Any] = {"reported_by": "placement_provider", "classification": "missing"}
        values.update(extra)
        return episode_report(actor=coordinator, child=child, reported_at=reported_at, **values).episode

    return make


@pytest.fixture
def find(coordinator: Any) -> Callable[..., Any]:
    from homeward.casework.episodes import episode_record_found

    def make(episode: Any, found_at: datetime) -> Any:
        return episode_record_found(actor=coordinator, episode=episode, found_at=found_at, found_location="Home")

    return make


@dataclass
class Inbox:
    """What a real SMTP server on loopback received, across restarts."""

    port: int
    received: list[Message] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.received]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1, and Django's SMTP backend pointed at it."""
    inbox = Inbox(port=_free_port())
    inbox.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = inbox.port
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    yield inbox
    inbox.stop()


@pytest.fixture
def reference_data_restored(django_db_blocker: Any) -> Iterator[None]:
    """For transactional tests: list it before `transactional_db`, so that after the flush
    at its teardown the shipped reference data is loaded again for the tests that follow."""
    yield
    from homeward.reference.loader import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()
