"""Every layout of tests/samples parses; what is not a notification says why."""

from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from zoneinfo import ZoneInfo

import pytest

from homeward.intake.layouts import COMMON_LABELS, FORCE_LAYOUTS, force_of_sender, label_key
from homeward.intake.parsing import (
    PoliceNotification,
    Unreadable,
    message_id_of,
    parse_message,
    parse_when,
    risk_level_of,
    split_name,
)

from .conftest import sample

LONDON = ZoneInfo("Europe/London")


def test_the_west_midlands_compact_notification_in_the_body() -> None:
    found = parse_message(sample("wmp-compact-missing.eml"))
    assert (found.kind, found.layout) == ("missing", "body")
    assert (found.police_force, found.police_reference) == ("West Midlands Police", "20MWM/004417/26")
    assert (found.given_name, found.family_name, found.date_of_birth) == ("Jade", "OKAFOR", date(2011, 3, 2))
    assert found.last_seen_at == datetime(2026, 11, 28, 21, 15, tzinfo=LONDON)
    assert found.reported_at == datetime(2026, 11, 28, 23, 5, tzinfo=LONDON)
    assert (found.location_last_seen, found.risk_level) == ("Dartmouth Park, West Bromwich", "medium")
    assert found.circumstances.splitlines() == [
        "Left the placement after an argument with staff about phone use.",
        "Believed to be with older friends in the town centre.", "Not answering her phone."]
    assert found.address.startswith("Oakfield House") and found.officer == "PC 4471 Hughes"


def test_the_west_midlands_found_notification_names_its_force_by_the_sender() -> None:
    found = parse_message(sample("wmp-compact-found.eml"))
    assert (found.kind, found.police_force, found.police_reference) == ("found", "west-midlands", "20MWM/004417/26")
    assert found.found_at == datetime(2026, 11, 29, 8, 20, tzinfo=LONDON)
    assert found.found_location == "Returned to Oakfield House of her own accord"


def test_the_northamptonshire_csv_attachment() -> None:
    found = parse_message(sample("northants-mfh-missing-csv.eml"))
    assert (found.kind, found.layout, found.police_force) == ("missing", "csv", "northamptonshire")
    assert (found.police_reference, found.given_name, found.family_name) == ("26/118734", "Kyle", "BRENNAN")
    assert found.last_seen_at == datetime(2026, 11, 29, 22, 40, tzinfo=LONDON)
    assert (found.risk_level, found.officer) == ("high", "DC 1182 Walsh")
    assert found.address == "12 Abington Avenue, Northampton NN1 4QA"


def test_the_metropolitan_police_pdf_attachment() -> None:
    found = parse_message(sample("met-missing-notification-pdf.eml"))
    assert (found.kind, found.layout, found.police_force) == ("missing", "pdf", "metropolitan")
    assert (found.police_reference, found.family_name, found.date_of_birth) == (
        "MPS-2026-0098812", "ADEYEMI", date(2012, 8, 9))
    assert found.last_seen_at == datetime(2026, 11, 30, 16, 45, tzinfo=LONDON)
    assert (found.location_last_seen, found.risk_level) == ("Greenwich Peninsula", "low")


def test_a_message_that_is_no_notification_says_why() -> None:
    with pytest.raises(Unreadable, match="No labelled fields"):
        parse_message(sample("not-a-notification.eml"))


def _message(body: str, subject: str = "Notification", **attachments: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = "someone@example.org"
    message["Subject"] = subject
    message["Message-ID"] = "<a.b@example.org>"
    message.set_content(body)
    for filename, data in attachments.items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return message.as_bytes(policy=SMTP)


def test_an_html_table_reads_as_labelled_lines() -> None:
    message = EmailMessage()
    message["Subject"] = "Missing child"
    message.set_content("<table><tr><td>Surname</td><td>Okafor</td></tr><tr><th>DOB</th><td>2011-03-02</td></tr>"
                        "<tr><td>Reference</td><td>R&amp;1</td></tr></table>", subtype="html")
    found = parse_message(message.as_bytes(policy=SMTP))
    assert (found.family_name, found.date_of_birth, found.police_reference) == ("Okafor", date(2011, 3, 2), "R&1")


def test_a_csv_of_label_and_value_pairs() -> None:
    pairs = b"Reference,X1\nName,Jade Okafor\nDOB,02/03/11\nDate found,1/12/2026 0930hrs\n"
    found = parse_message(_message("See attached", "Found", **{"found.csv": pairs}))
    assert (found.kind, found.given_name, found.family_name) == ("found", "Jade", "Okafor")
    assert found.date_of_birth == date(2011, 3, 2)
    assert found.found_at == datetime(2026, 12, 1, 9, 30, tzinfo=LONDON)


def test_a_csv_of_many_notifications_is_not_read_and_says_why() -> None:
    rows = b"Reference,Surname,DOB\nA,One,01/01/2012\nB,Two,02/02/2012\n"
    with pytest.raises(Unreadable, match="holds 2 notifications"):
        parse_message(_message("", "Missing", **{"all.csv": rows}))


def test_a_damaged_pdf_says_so() -> None:
    with pytest.raises(Unreadable, match="PDF attachment cannot be read"):
        parse_message(_message("", "Missing", **{"x.pdf": b"%PDF-1.4 not really"}))


@pytest.mark.parametrize(("body", "reason"), [
    ("Surname: Okafor\nDOB: 02/03/2011\n", "missing or found"),
    ("Type: Missing\nCircumstances: ran off\n", "neither a police reference"),
])
def test_what_a_notification_lacks_is_named(body: str, reason: str) -> None:
    with pytest.raises(Unreadable, match=reason):
        parse_message(_message(body, "Notification"))


def test_values_not_understood_are_noted_not_guessed() -> None:
    found = parse_message(_message("Type: Missing\nReference: R1\nDOB: soon\nLast seen: yesterday\nRisk: purple\n"))
    assert found.date_of_birth is None and found.last_seen_at is None and found.risk_level == ""
    assert len(found.notes) == 3


@pytest.mark.parametrize(("text", "expected"), [
    ("28/11/2026 21:15", datetime(2026, 11, 28, 21, 15, tzinfo=LONDON)),
    ("21:15 28/11/2026", datetime(2026, 11, 28, 21, 15, tzinfo=LONDON)),
    ("2026-11-28T21:15:00+00:00", datetime(2026, 11, 28, 21, 15, tzinfo=ZoneInfo("UTC"))),
    ("28 Nov 2026 at 9.15pm", datetime(2026, 11, 28, 21, 15, tzinfo=LONDON)),
    ("28.11.26 2115 hrs", datetime(2026, 11, 28, 21, 15, tzinfo=LONDON)),
    ("1st June 2026 12:00am", datetime(2026, 6, 1, 0, 0, tzinfo=LONDON)),
    ("28/11/2026", None),
    ("31/02/2026 10:00", None),
    ("28/11/2026 25:00", None),
    ("Smarch 3 2026 10:00", None),
])
def test_dates_and_times_as_forces_write_them(text: str, expected: datetime | None) -> None:
    assert parse_when(text) == expected


@pytest.mark.parametrize(("text", "level"), [("High", "high"), ("MEDIUM risk", "medium"), ("low", "low"),
                                             ("Very Low", "very_low"), ("No apparent risk", "very_low"), ("?", "")])
def test_risk_gradings(text: str, level: str) -> None:
    assert risk_level_of(text) == level


def test_names_in_either_order() -> None:
    assert split_name("OKAFOR, Jade Anne") == ("Jade Anne", "OKAFOR")
    assert split_name("Jade Anne Okafor") == ("Jade Anne", "Okafor")
    assert split_name("Okafor") == ("", "Okafor")


def test_the_notification_is_kept_as_json_and_read_back() -> None:
    found = parse_message(sample("wmp-compact-missing.eml"))
    assert PoliceNotification.from_json(found.as_json()) == found


def test_message_ids_and_sender_domains() -> None:
    assert message_id_of(sample("wmp-compact-found.eml")) == "20261129090255.004417@compact.westmidlands.police.uk"
    assert message_id_of(b"Subject: none\r\n\r\nx") == ""
    assert force_of_sender("a@mail.met.police.uk") == "metropolitan"
    assert force_of_sender("a@police.uk.example.org") == ""


def test_no_label_names_two_fields() -> None:
    """A label means one thing across the common labels and every force's (the documented mapping)."""
    seen: dict[str, str] = {}
    everything = [COMMON_LABELS, *(layout.labels for layout in FORCE_LAYOUTS)]
    for labels in everything:
        for name, forms in labels.items():
            for form in forms:
                assert seen.setdefault(label_key(form), name) == name, form
