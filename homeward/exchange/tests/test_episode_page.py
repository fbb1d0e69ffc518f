"""The sender sees each message's state on the episode page; so does the receiver."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from homeward.casework.episodes import episode_report
from homeward.episodes.models import Episode
from homeward.exchange.models import OutgoingMessage, OutgoingStatus

from .conftest import missing_message, signed

pytestmark = pytest.mark.django_db


def page(user: Any, episode: Episode) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("web:episode", args=[episode.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_episode_page_shows_each_message_sent_and_its_state(partner: Any, placed_child: Any,
                                                                coordinator: Any) -> None:
    episode = episode_report(actor=coordinator, child=placed_child, reported_at=timezone.now() - timedelta(hours=1),
                             reported_by="placement_provider").episode
    html = page(coordinator, episode)
    assert "Messages with other authorities" in html and "Missing (sent)" in html and "Queued" in html
    OutgoingMessage.objects.filter(episode=episode).update(
        status=OutgoingStatus.ACKNOWLEDGED, attempts=2, acknowledged_at=timezone.now(),
        acknowledgement={"status": "recorded", "note": "Reported: episode 12."})
    html = page(coordinator, episode)
    assert "after 2 attempts" in html and "Acknowledged: recorded (Reported: episode 12.)" in html


def test_the_episode_page_shows_each_message_received(partner: Any, partner_key: Any, placed_child: Any,
                                                      coordinator: Any) -> None:
    assert APIClient().post("/api/v1/exchange/inbox", {"jws": signed(missing_message(), partner_key)},
                            format="json").status_code == 202
    html = page(coordinator, Episode.objects.get(child=placed_child))
    assert "Missing (received)" in html and "Recorded" in html


def test_an_episode_with_no_exchange_says_why(make_child: Any, coordinator: Any) -> None:
    episode = episode_report(actor=coordinator, child=make_child(), reported_at=timezone.now() - timedelta(hours=1),
                             reported_by="police").episode
    assert "the other authority has no Homeward endpoint configured" in page(coordinator, episode)
