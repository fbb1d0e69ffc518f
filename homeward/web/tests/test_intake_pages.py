"""Police notifications on the pages: an .eml uploaded becomes the episode, an ambiguous one
waits in the queue and is matched there, a child not on record is recorded from it, and every
read of a message is audited."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homeward.audit.models import AuditEntry
from homeward.episodes.models import Episode
from homeward.intake.models import MessageStatus, Outcome, PoliceMessage

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).resolve().parents[2] / "intake" / "tests" / "samples"


def eml(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (SAMPLES / name).read_bytes(), content_type="message/rfc822")


@pytest.fixture
def mct(make_user: Any, client_for: Any) -> Any:
    return client_for(make_user("mct_admin", username="mct.pages"))


def test_an_uploaded_compact_email_becomes_the_episode(mct: Any, make_child: Any) -> None:
    jade = make_child(given_name="Jade", family_name="Okafor", date_of_birth=date(2011, 3, 2))
    response = mct.post("/police-notifications/upload", {"file": eml("wmp-compact-missing.eml")})
    message = PoliceMessage.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/police-notifications/{message.pk}"
    page = mct.get(response["Location"]).content.decode()
    episode = Episode.objects.get(child=jade)
    assert "Episode created" in page and f"/episodes/{episode.pk}" in page
    # The same email again is the same record, and says so.
    again = mct.post("/police-notifications/upload", {"file": eml("wmp-compact-missing.eml")}, follow=True)
    assert "already received" in again.content.decode() and PoliceMessage.objects.count() == 1


def test_only_eml_files_are_taken(mct: Any) -> None:
    response = mct.post("/police-notifications/upload",
                        {"file": SimpleUploadedFile("notes.txt", b"Surname: X", content_type="text/plain")})
    assert response.status_code == 200
    assert "The selected file must be an email saved as .eml" in response.content.decode()
    assert not PoliceMessage.objects.exists()


def test_an_ambiguous_notification_waits_in_the_queue_and_is_matched_on_the_page(
        mct: Any, make_child: Any) -> None:
    first = make_child(given_name="Jade", family_name="Okafor", date_of_birth=date(2011, 3, 2))
    make_child(given_name="Jade", family_name="Okafor", date_of_birth=date(2011, 3, 2))
    mct.post("/police-notifications/upload", {"file": eml("wmp-compact-missing.eml")})
    message = PoliceMessage.objects.get()
    queue = mct.get("/police-notifications").content.decode()
    assert "2 children have these names and date of birth." in queue and "Jade OKAFOR" in queue
    page = mct.get(f"/police-notifications/{message.pk}").content.decode()
    assert page.count('name="child" value=') == 2 and "Date of birth, family name, given name" in page
    bad = mct.post(f"/police-notifications/{message.pk}/match", {"child": "999999"})
    assert bad.status_code == 404
    response = mct.post(f"/police-notifications/{message.pk}/match", {"child": str(first.pk)})
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.outcome, message.child) == (MessageStatus.DONE, Outcome.EPISODE_CREATED, first)
    assert "Nothing is waiting." in mct.get("/police-notifications").content.decode()
    reads = AuditEntry.objects.filter(object_type="police_message", action="view", object_id=str(message.pk))
    assert reads.count() == 1
    assert AuditEntry.objects.filter(object_type="child", action="view", child=first).exists()


def test_a_child_not_on_record_is_recorded_from_the_notification(mct: Any) -> None:
    mct.post("/police-notifications/upload", {"file": eml("met-missing-notification-pdf.eml")})
    message = PoliceMessage.objects.get()
    page = mct.get(f"/police-notifications/{message.pk}").content.decode()
    assert 'value="Adeyemi"' in page and "No child on record shares" in page
    response = mct.post(f"/police-notifications/{message.pk}/new-child", {
        "given_name": "Tobi", "family_name": "Adeyemi", "date_of_birth_day": "9", "date_of_birth_month": "8",
        "date_of_birth_year": "2012", "sex": "male", "legal_status": "child_in_need",
        "responsible_authority": "203"})
    assert response.status_code == 302, response.content.decode()
    episode = Episode.objects.get()
    assert (episode.child.family_name, episode.police_force.code) == ("Adeyemi", "metropolitan")


def test_an_unreadable_email_waits_with_its_reason_and_is_archived_with_one(mct: Any) -> None:
    mct.post("/police-notifications/upload", {"file": eml("not-a-notification.eml")})
    message = PoliceMessage.objects.get()
    assert "No labelled fields" in mct.get("/police-notifications").content.decode()
    original = mct.get(f"/police-notifications/{message.pk}/original.eml")
    assert original["Content-Type"] == "message/rfc822"
    assert original.content == (SAMPLES / "not-a-notification.eml").read_bytes()
    refused = mct.post(f"/police-notifications/{message.pk}/archive", {"reason": ""})
    assert refused.status_code == 400 and "Say why the message leaves the queue" in refused.content.decode()
    assert mct.post(f"/police-notifications/{message.pk}/archive", {"reason": "A newsletter"}).status_code == 302
    message.refresh_from_db()
    assert message.archive_reason == "A newsletter"
    assert AuditEntry.objects.filter(object_type="police_message", action="archive").exists()


def test_the_navigation_shows_the_queue_to_the_mct_and_coordinator_only(mct: Any, client_for: Any,
                                                                       make_user: Any) -> None:
    assert "Police notifications" in mct.get("/").content.decode()
    worker = client_for(make_user("social_worker"))
    assert "Police notifications" not in worker.get("/").content.decode()
    assert worker.get("/police-notifications").status_code == 403
