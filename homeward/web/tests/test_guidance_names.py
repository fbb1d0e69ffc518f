"""The episode page says why each obligation is due in words people can follow up: the
guidance document's name, never Homeward's internal "seed 00N" label or its design notes.
The API keeps the citation as it is."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from homeward.casework.episodes import episode_record_found, episode_report
from homeward.protocol.sources import GUIDANCE

pytestmark = pytest.mark.django_db
INTERNAL = re.compile(r"seeds? 0\d\d|DOMAIN\.md", re.IGNORECASE)


def test_the_episode_page_names_the_guidance_and_the_api_keeps_its_citations(
    web: Client, api: Any, coordinator: Any, make_child: Any,
) -> None:
    # Placed in a neighbouring authority: the routing note cites the pilot of the 2017 protocol.
    child = make_child(placement={"authority": "855", "provider": "Hill House"})
    now = timezone.now()
    episode = episode_report(actor=coordinator, child=child, reported_at=now - timedelta(hours=30),
                             reported_by="placement_provider", last_seen_at=now - timedelta(hours=31),
                             classification="missing", risk_level="medium").episode
    episode_record_found(actor=coordinator, episode=episode, found_at=now - timedelta(hours=2))
    page = html.unescape(web.get(f"/episodes/{episode.pk}").content.decode())
    assert not INTERNAL.search(page), INTERNAL.search(page)
    assert GUIDANCE["002"] in page and GUIDANCE["000"] in page
    assert "independent return interview pilot of the Northamptonshire Safeguarding Children Board" in page
    home = web.get("/").content.decode()
    assert not INTERNAL.search(home)

    obligations = api.get(f"/api/v1/episodes/{episode.pk}/obligations").json()["obligations"]
    offer = next(o for o in obligations if o["code"] == "rhi_offered")
    assert offer["title"] == "Offer a return home interview"
    citations = [o["basis"]["citation"] for o in obligations if "basis" in o]
    assert citations and all(c.startswith("seed 00") for c in citations)
