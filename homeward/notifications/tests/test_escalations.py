"""Every sharing and escalation tells people (issue 13; DOMAIN.md section 4): graded high, 72 hours
missing, reclassified as missing, a safeguarding concern or the authorised interview shared, the
people with parental responsibility, exploitation indicators. Each is a record per recipient,
raised by the casework service in the fact's own transaction, never twice for one occurrence,
delivered through a real SMTP server with retries; the authorised interview itself is attached
only for contact points marked secure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from homeward.audit.models import AuditEntry
from homeward.casework.episodes import (
    episode_cancel,
    episode_reclassify,
    episode_record_action,
    episode_record_found,
    episode_regrade_risk,
    episode_report,
)
from homeward.casework.escalations import episodes_escalate_72_hours
from homeward.casework.interviews import (
    InterviewRecord,
    rhi_allocate,
    rhi_authorise,
    rhi_record_interview,
    rhi_record_offer,
    rhi_share,
)
from homeward.children.models import ChronologyEntry
from homeward.children.services import responsible_adult_add
from homeward.notifications.delivery import notifications_deliver_due
from homeward.notifications.models import ContactPoint, Notification
from homeward.notifications.services import notifications_suppressed
from homeward.reference.models import PoliceForce

from .conftest import TEAM, Inbox, london

pytestmark = pytest.mark.django_db


def ago(hours: float) -> Any:
    return timezone.now() - timedelta(hours=hours)


def told(episode: Any, event: str) -> dict[str, str]:
    """{address or recipient: main role} of the episode's notifications of `event`."""
    return {n.address or n.recipient: n.recipient_role
            for n in Notification.objects.filter(episode=episode, event=event).order_by("id")}


@pytest.fixture
def seniors(person: Callable[..., Any], contacts: dict[str, Any]) -> dict[str, Any]:
    """A service leader, the Senior Assistant Director, the senior manager on duty's inbox and
    the exploitation team's."""
    return {
        "leader": person("service_leader", "sol"),
        "sad": person("senior_manager", "sade"),
        "on_duty": ContactPoint.objects.create(kind="senior_on_duty", name="Senior manager on duty",
                                               email="duty.senior@westnorthants.example"),
        "exploitation": ContactPoint.objects.create(kind="exploitation", name="Exploitation hub (CSE/CCE)",
                                                    email="exploitation@westnorthants.example"),
    }


@pytest.fixture
def child(people: dict[str, Any], make_child: Callable[..., Any]) -> Any:
    return make_child(given_name="Jade", family_name="Smith", allocated_worker="sam", team=TEAM, iro="ida")


# Graded high risk -------------------------------------------------------------------------------

def test_graded_high_tells_the_team_manager_service_leader_senior_on_duty_and_mct_once(
    coordinator: Any, child: Any, seniors: dict[str, Any], report: Callable[..., Any]
) -> None:
    episode = report(child, ago(10), risk_level="medium")
    assert not told(episode, "graded_high")

    episode_regrade_risk(actor=coordinator, episode=episode, risk_level="high", graded_at=ago(9), graded_by="PC 1")
    assert told(episode, "graded_high") == {
        "tess@westnorthants.example": "team_manager",
        "sol@westnorthants.example": "service_leader",
        "duty.senior@westnorthants.example": "senior_on_duty",
        "mct@westnorthants.example": "mct",
    }
    assert all(n.status == "queued" and not n.urgent
               for n in Notification.objects.filter(episode=episode, event="graded_high"))

    # Graded high again while high: nobody is told twice.
    episode_regrade_risk(actor=coordinator, episode=episode, risk_level="high", graded_at=ago(8))
    assert Notification.objects.filter(episode=episode, event="graded_high").count() == 4

    # Lowered, then high again: a new escalation, told again.
    episode_regrade_risk(actor=coordinator, episode=episode, risk_level="medium", graded_at=ago(7))
    assert Notification.objects.filter(episode=episode, event="graded_high").count() == 4
    episode_regrade_risk(actor=coordinator, episode=episode, risk_level="high", graded_at=ago(6))
    assert Notification.objects.filter(episode=episode, event="graded_high").count() == 8


def test_reported_high_tells_the_seniors_at_once(child: Any, seniors: dict[str, Any],
                                                 report: Callable[..., Any]) -> None:
    episode = report(child, ago(3), risk_level="high")
    assert set(told(episode, "graded_high").values()) == {"team_manager", "service_leader", "senior_on_duty", "mct"}
    assert all(n.event_at == episode.reported_at for n in Notification.objects.filter(event="graded_high"))


def test_a_senior_role_nobody_holds_is_recorded_as_not_sent_saying_what_to_set_up(
    coordinator: Any, child: Any, contacts: dict[str, Any], report: Callable[..., Any]
) -> None:
    episode = report(child, ago(3), risk_level="high")
    failed = {n.recipient_role: n for n in Notification.objects.filter(episode=episode, event="graded_high",
                                                                      status="failed")}
    assert set(failed) == {"service_leader", "senior_on_duty"}
    assert "no active person has the role 'service_leader'" in failed["service_leader"].last_error
    assert "senior_on_duty" in failed["senior_on_duty"].last_error


# 72 hours missing ----------------------------------------------------------------------------------

def test_72_hours_missing_tells_the_senior_assistant_director_and_police_once_when_the_worker_runs(
    coordinator: Any, child: Any, seniors: dict[str, Any], report: Callable[..., Any]
) -> None:
    episode = report(child, ago(80), police_force="northamptonshire", police_reference="NP-72")
    # Reading the episode never raises it: only the worker's periodic run (or a later write's) does.
    assert not told(episode, "missing_72_hours")

    assert episodes_escalate_72_hours() == 1
    assert told(episode, "missing_72_hours") == {
        "sade@westnorthants.example": "senior_assistant_director",
        "mpu@northants.police.example": "police",
    }
    police = Notification.objects.get(episode=episode, event="missing_72_hours", recipient_role="police")
    assert "UK Missing Persons Unit" in police.reason
    assert police.event_at == episode.missing_since + timedelta(hours=72)
    line = ChronologyEntry.objects.get(episode=episode, kind="missing_72_hours")
    assert line.at == episode.missing_since + timedelta(hours=72)
    assert AuditEntry.objects.filter(object_type="episode", object_id=str(episode.pk), child_id=child.pk,
                                     detail__escalated="missing_72_hours").count() == 1

    assert episodes_escalate_72_hours() == 0
    assert Notification.objects.filter(episode=episode, event="missing_72_hours").count() == 2


def test_72_hours_is_raised_only_when_they_pass_while_the_child_is_missing(
    coordinator: Any, make_child: Callable[..., Any], seniors: dict[str, Any], report: Callable[..., Any]
) -> None:
    soon = report(make_child(), ago(10))
    back_early = report(make_child(), ago(100))
    episode_record_found(actor=coordinator, episode=back_early, found_at=ago(50))
    back_late = report(make_child(), ago(100))
    episode_record_found(actor=coordinator, episode=back_late, found_at=ago(2))
    cancelled = report(make_child(), ago(100))
    episode_cancel(actor=coordinator, episode=cancelled, reason="Reported in error")
    old_history = report(make_child(), ago(24 * 30))

    assert episodes_escalate_72_hours() == 1
    assert told(back_late, "missing_72_hours")
    for quiet in (soon, back_early, cancelled, old_history):
        assert not told(quiet, "missing_72_hours")

    # 62 hours on, the first one's 72 hours have passed.
    assert episodes_escalate_72_hours(now=timezone.now() + timedelta(hours=62)) == 1
    assert told(soon, "missing_72_hours")


# Reclassified as missing ---------------------------------------------------------------------------

def test_an_absence_reclassified_as_missing_tells_whoever_a_report_tells(
    coordinator: Any, child: Any, contacts: dict[str, Any], report: Callable[..., Any]
) -> None:
    episode = report(child, london(2025, 3, 17, 10, 0), classification="absent")
    reported = told(episode, "reported")
    change = episode_reclassify(actor=coordinator, episode=episode, classification="missing",
                                at=london(2025, 3, 17, 12, 0), rationale="Out of character")
    assert told(episode, "reclassified_missing") == reported
    reasons = [n.reason for n in Notification.objects.filter(event="reclassified_missing")]
    assert all("reclassified from absent to missing" in r for r in reasons)
    assert all(n.dedupe_key.startswith(f"reclassified_missing:classification:{change.pk}|")
               for n in Notification.objects.filter(event="reclassified_missing"))

    # Back to absent tells nobody; missing again is a new reclassification.
    episode_reclassify(actor=coordinator, episode=episode, classification="absent", at=london(2025, 3, 17, 13, 0))
    assert Notification.objects.filter(event="reclassified_missing").count() == len(reported)
    episode_reclassify(actor=coordinator, episode=episode, classification="missing", at=london(2025, 3, 17, 14, 0))
    assert Notification.objects.filter(event="reclassified_missing").count() == 2 * len(reported)


# The return interview: a concern shared, the authorised interview shared ---------------------------

@pytest.fixture
def interviewed(coordinator: Any, child: Any, person: Callable[..., Any], contacts: dict[str, Any],
                seniors: dict[str, Any], report: Callable[..., Any]) -> Any:
    practitioner = person("rhi_practitioner", "pat")
    episode = report(child, ago(60), police_force="northamptonshire")
    episode_record_found(actor=coordinator, episode=episode, found_at=ago(50))
    rhi_allocate(actor=coordinator, episode=episode, practitioner=practitioner, allocated_at=ago(49))
    rhi_record_offer(actor=coordinator, episode=episode, offered_at=ago(48), method="Visit")
    rhi_record_interview(actor=coordinator, episode=episode, record=InterviewRecord(
        outcome="accepted", conducted_at=ago(47), method="face_to_face", seen_alone=True,
        reasons="Went to see friends in Leicester", exploitation_indicators=["county_lines"],
        pull_factors=["peers_or_partners"]))
    return episode


def test_a_safeguarding_concern_is_shared_at_once_marked_urgent(coordinator: Any, interviewed: Any) -> None:
    rhi_share(actor=coordinator, episode=interviewed, shared_at=ago(46), recipients=["police", "social_worker"],
              safeguarding_concern=True, note="Disclosed an adult who holds drugs for others")
    rows = Notification.objects.filter(episode=interviewed, event="concern_shared")
    assert {n.address: n.recipient_role for n in rows} == {
        "mpu@northants.police.example": "police",
        "sam@westnorthants.example": "allocated_social_worker",
    }
    assert all(n.urgent and n.attachment_version is None for n in rows)


def test_the_authorised_interview_shared_tells_each_recipient_and_attaches_it_only_for_secure_mailboxes(
    coordinator: Any, interviewed: Any, contacts: dict[str, Any]
) -> None:
    ContactPoint.objects.filter(pk=contacts["police"].pk).update(secure=True)
    force = PoliceForce.objects.get(code="northamptonshire")
    ContactPoint.objects.create(kind="police", police_force=force, name="Northamptonshire front desk",
                                email="desk@northants.police.example")
    rhi_authorise(actor=coordinator, episode=interviewed, authorised_at=ago(45), recommendations="MACE referral")
    rhi_share(actor=coordinator, episode=interviewed, shared_at=ago(44), recipients=["police", "social_worker", "iro"])
    rows = {n.address: n for n in Notification.objects.filter(episode=interviewed, event="interview_shared")}
    assert set(rows) == {"mpu@northants.police.example", "desk@northants.police.example",
                         "sam@westnorthants.example", "ida@westnorthants.example"}
    attached = {address for address, n in rows.items() if n.attachment_version is not None}
    assert attached == {"mpu@northants.police.example"}
    assert rows["mpu@northants.police.example"].attachment_version.number == 1  # type: ignore[union-attr]
    assert not any(n.urgent for n in rows.values())


# People with parental responsibility ---------------------------------------------------------------

def test_a_looked_after_childs_people_with_parental_responsibility_are_emailed_where_an_address_is_held(
    coordinator: Any, child: Any, contacts: dict[str, Any], report: Callable[..., Any],
    make_child: Callable[..., Any]
) -> None:
    responsible_adult_add(actor=coordinator, child=child, name="Mary Smith", relationship="Mother",
                          email="mary@example.org")
    responsible_adult_add(actor=coordinator, child=child, name="John Smith", relationship="Father",
                          phone="07700 900982")
    responsible_adult_add(actor=coordinator, child=child, name="Aunt Val", relationship="Aunt",
                          has_parental_responsibility=False, email="val@example.org")
    episode = report(child, ago(5))
    assert told(episode, "parental_responsibility") == {"mary@example.org": "parental_responsibility"}
    note = Notification.objects.get(episode=episode, event="parental_responsibility")
    assert note.status == "queued" and "Mother" in note.reason

    # Not looked after: the parents are the family the social worker works with, not told by email.
    at_home = make_child(legal_status="child_in_need")
    responsible_adult_add(actor=coordinator, child=at_home, name="Pat Jones", relationship="Mother",
                          email="pat@example.org")
    assert not told(report(at_home, ago(5)), "parental_responsibility")


# Exploitation indicators ---------------------------------------------------------------------------

def test_exploitation_in_a_risk_analysis_or_interview_tells_the_exploitation_team_once_per_set_of_indicators(
    coordinator: Any, child: Any, seniors: dict[str, Any], report: Callable[..., Any]
) -> None:
    episode = report(child, ago(30))
    episode_record_action(actor=coordinator, episode=episode, action="risk_analysis", at=ago(29),
                          immediate_risks=["missed_education"], push_factors=[])
    assert not told(episode, "exploitation")

    episode_record_action(actor=coordinator, episode=episode, action="risk_analysis", at=ago(28),
                          immediate_risks=["exploitation", "missed_education"], pull_factors=["peers_or_partners"])
    assert told(episode, "exploitation") == {"exploitation@westnorthants.example": "exploitation"}
    assert "a risk analysis" in Notification.objects.get(event="exploitation").reason

    # The same indicators again tell nobody again.
    episode_record_action(actor=coordinator, episode=episode, action="risk_analysis", at=ago(27),
                          immediate_risks=["exploitation"])
    assert Notification.objects.filter(event="exploitation").count() == 1


def test_an_interview_recording_exploitation_tells_the_team(interviewed: Any) -> None:
    rows = Notification.objects.filter(episode=interviewed, event="exploitation")
    assert [(n.address, n.status) for n in rows] == [("exploitation@westnorthants.example", "queued")]
    assert "the return interview" in rows[0].reason


def test_without_an_exploitation_contact_the_record_says_what_to_configure(
    coordinator: Any, child: Any, contacts: dict[str, Any], report: Callable[..., Any]
) -> None:
    episode = report(child, ago(30))
    episode_record_action(actor=coordinator, episode=episode, action="risk_analysis", at=ago(29),
                          immediate_risks=["trafficking"])
    row = Notification.objects.get(episode=episode, event="exploitation")
    assert row.status == "failed" and "'exploitation'" in row.last_error


# Nobody told of history, and nothing half-done -------------------------------------------------------

def test_suppressed_and_imported_episodes_tell_nobody(coordinator: Any, child: Any, seniors: dict[str, Any],
                                                      make_child: Callable[..., Any]) -> None:
    with notifications_suppressed("demonstration"):
        episode = episode_report(actor=coordinator, child=child, reported_at=ago(5), reported_by="police",
                                 risk_level="high").episode
    assert not Notification.objects.filter(episode=episode).exists()
    imported = episode_report(actor=coordinator, child=make_child(), reported_at=ago(24 * 20), reported_by="police",
                              risk_level="high", imported_from="ssda903", found_at=ago(24 * 19)).episode
    assert not Notification.objects.filter(episode=imported).exists()


def test_a_rolled_back_grading_leaves_no_notification(coordinator: Any, child: Any, seniors: dict[str, Any],
                                                      report: Callable[..., Any]) -> None:
    from django.db import transaction

    episode = report(child, ago(10))
    with pytest.raises(RuntimeError), transaction.atomic():
        episode_regrade_risk(actor=coordinator, episode=episode, risk_level="high", graded_at=ago(9))
        assert Notification.objects.filter(event="graded_high").exists()
        raise RuntimeError("the request failed after the grading")
    assert not Notification.objects.filter(event="graded_high").exists()


# Delivery through a real SMTP server ---------------------------------------------------------------

def _text(message: Any) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain" and not p.get_filename()]
    return str(part.get_payload(decode=True).decode())


def _attachments(message: Any) -> list[tuple[str, str, bytes]]:
    return [(part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            for part in message.walk() if part.get_filename()]


def test_delivered_through_smtp_with_the_interview_attached_only_for_the_secure_mailbox(
    smtp_server: Inbox, coordinator: Any, interviewed: Any, contacts: dict[str, Any]
) -> None:
    ContactPoint.objects.filter(pk=contacts["police"].pk).update(secure=True)
    rhi_share(actor=coordinator, episode=interviewed, shared_at=ago(46), recipients=["police", "social_worker"],
              safeguarding_concern=True)
    rhi_authorise(actor=coordinator, episode=interviewed, authorised_at=ago(45))
    rhi_share(actor=coordinator, episode=interviewed, shared_at=ago(44), recipients=["police", "social_worker", "iro"])
    Notification.objects.exclude(event__in=["concern_shared", "interview_shared"]).update(status="sent")

    report = notifications_deliver_due()
    assert (report.sent, report.retrying, report.failed) == (5, 0, 0)
    by = {(m["To"], "URGENT" in m["Subject"]): m for m in smtp_server.received}
    assert len(by) == 5

    secure = by[("mpu@northants.police.example", False)]
    [(name, kind, pdf)] = _attachments(secure)
    assert kind == "application/pdf" and pdf.startswith(b"%PDF")
    assert name == f"return-interview-episode-{interviewed.pk}-version-1.pdf"
    assert "attached as a PDF" in _text(secure)
    for address in ("sam@westnorthants.example", "ida@westnorthants.example"):
        ready = by[(address, False)]
        assert not _attachments(ready)
        body = _text(ready)
        assert "Read the authorised return interview in Homeward" in body
        assert "Jade" not in body and "Leicester" not in body

    for address in ("mpu@northants.police.example", "sam@westnorthants.example"):
        urgent = by[(address, True)]
        assert urgent["Importance"] == "high" and urgent["X-Priority"] == "1"
        assert urgent["Subject"].startswith(f"URGENT: Homeward episode {interviewed.pk}: child J.S.")
        assert not _attachments(urgent)

    # The interview left Homeward once: an export naming the child.
    exports = AuditEntry.objects.filter(action="export", object_type="return_interview")
    assert exports.count() == 1
    assert exports.get().child_id == interviewed.child_id
    assert exports.get().detail["to"] == "mpu@northants.police.example"

    assert notifications_deliver_due().claimed == 0
    assert len(smtp_server.received) == 5


def test_escalations_are_retried_while_the_server_is_down_and_arrive_once(
    smtp_server: Inbox, coordinator: Any, child: Any, seniors: dict[str, Any], report: Callable[..., Any]
) -> None:
    episode = report(child, ago(80))
    Notification.objects.update(status="sent")
    smtp_server.stop()
    episodes_escalate_72_hours()
    now = timezone.now()
    down = notifications_deliver_due(now=now)
    assert (down.claimed, down.sent, down.retrying) == (2, 0, 2)
    assert all("Attempt 1 failed" in n.last_error for n in Notification.objects.filter(event="missing_72_hours"))

    smtp_server.start()
    assert notifications_deliver_due(now=now).claimed == 0  # not before the backoff
    back = notifications_deliver_due(now=now + timedelta(minutes=2))
    assert (back.sent, back.retrying) == (2, 0)
    subjects = sorted(m["Subject"] for m in smtp_server.received)
    assert subjects == [f"Homeward episode {episode.pk}: child J.S. has been missing for 72 hours"] * 2
    assert notifications_deliver_due(now=now + timedelta(hours=2)).claimed == 0


def test_the_email_to_a_parent_carries_no_link_and_says_whom_to_tell(
    smtp_server: Inbox, coordinator: Any, child: Any, contacts: dict[str, Any], report: Callable[..., Any]
) -> None:
    responsible_adult_add(actor=coordinator, child=child, name="Mary Smith", relationship="Mother",
                          email="mary@example.org")
    episode = report(child, london(2025, 3, 14, 23, 0))
    Notification.objects.exclude(event="parental_responsibility").update(status="sent")
    assert notifications_deliver_due().sent == 1
    [message] = smtp_server.received
    body = _text(message)
    assert message["To"] == "mary@example.org"
    assert "initials J.S." in body and "23:00 on Friday 14 March 2025" in body
    assert f"quoting reference {episode.pk}" in body and "101" in body
    assert "http" not in body and "Jade" not in body


# Where they are read ---------------------------------------------------------------------------------

def test_the_api_and_page_list_each_escalation_but_not_casework_ones_to_police_or_providers(
    coordinator: Any, interviewed: Any, make_user: Callable[..., Any], api_for: Callable[[Any], Any],
    contacts: dict[str, Any], client: Any
) -> None:
    ContactPoint.objects.filter(pk=contacts["police"].pk).update(secure=True)
    rhi_share(actor=coordinator, episode=interviewed, shared_at=ago(46), recipients=["social_worker"],
              safeguarding_concern=True)
    rhi_authorise(actor=coordinator, episode=interviewed, authorised_at=ago(45))
    rhi_share(actor=coordinator, episode=interviewed, shared_at=ago(44), recipients=["police"])
    url = f"/api/v1/episodes/{interviewed.pk}/notifications"

    rows = api_for(coordinator).get(url).json()["notifications"]
    events = {row["event"] for row in rows}
    assert {"concern_shared", "interview_shared", "exploitation"} <= events
    [urgent] = [row for row in rows if row["event"] == "concern_shared"]
    assert urgent["urgent"] is True and urgent["attachment_version"] is None
    [secure] = [row for row in rows if row["event"] == "interview_shared"]
    assert secure["attachment_version"] == 1 and secure["address"] == "mpu@northants.police.example"

    police = make_user("police_liaison", username="pc")
    seen = {row["event"] for row in api_for(police).get(url).json()["notifications"]}
    assert "interview_shared" in seen and not seen & {"concern_shared", "exploitation"}

    client.force_login(coordinator)
    page = client.get(f"/episodes/{interviewed.pk}").content.decode()
    assert "Safeguarding concern shared: Sam Example" in page and "Urgent" in page
    assert "with the authorised interview (version 1) attached" in page
    client.force_login(police)
    page = client.get(f"/episodes/{interviewed.pk}").content.decode()
    assert "Authorised return interview shared" in page
    assert "Authorised return interview shared: Northamptonshire missing person unit" in page
    assert "Safeguarding concern shared: " not in page and "Exploitation indicators recorded: " not in page
