"""How each police force lays out its missing and found notifications (docs/police-notifications.md).

A notification is read from labelled text ("Surname: SMITH", in the body or a PDF) or a CSV
attachment (a header row and one row, or label and value pairs). Labels are compared reduced
(`label_key`: lower case, punctuation as spaces). `COMMON_LABELS` are the forms most forces
use; each force's layout adds its own labels and the mail domains it sends from, which name
the force when the message does not. Keep docs/police-notifications.md in step with this file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The fields of a notification, and the labels that name each one.
COMMON_LABELS: dict[str, tuple[str, ...]] = {
    "kind": ("notification type", "type of notification", "notification", "type"),
    "police_force": ("force", "police force", "reporting force", "issuing force"),
    "police_reference": ("reference", "police reference", "ref", "incident number", "log number",
                         "occurrence number", "missing person reference", "crime reference"),
    "given_name": ("first name", "first names", "forename", "forenames", "given name", "given names"),
    "family_name": ("surname", "family name", "last name"),
    "full_name": ("name", "full name", "child", "child name", "name of child", "missing person"),
    "date_of_birth": ("date of birth", "dob", "d o b", "born"),
    "case_system_id": ("case system id", "la reference", "local authority reference", "child id",
                       "social care id"),
    "address": ("address", "home address", "placement address", "usual address", "home address placement"),
    "reported_at": ("reported", "date reported", "time reported", "reported at", "date time reported",
                    "date and time reported", "report date time"),
    "last_seen_at": ("last seen", "date last seen", "time last seen", "last seen at", "date time last seen",
                     "date and time last seen"),
    "location_last_seen": ("location last seen", "last seen location", "where last seen", "place last seen"),
    "circumstances": ("circumstances", "details", "summary", "circumstances of disappearance", "narrative"),
    "risk_level": ("risk", "risk level", "risk grading", "risk assessment", "grading", "risk grade"),
    "officer": ("officer", "officer in case", "oic", "reporting officer", "contact officer",
                "investigating officer"),
    "found_at": ("date found", "time found", "date time found", "date and time found", "date located",
                 "date time located", "date returned", "date and time returned"),
    "found_location": ("location found", "found location", "where found", "place found", "located at"),
}

# Fields whose value may run on over the following unlabelled lines.
MULTILINE_FIELDS = frozenset({"circumstances", "address"})


@dataclass(frozen=True)
class ForceLayout:
    """One force's notifications: where they come from and the labels it uses beyond the common ones."""

    force: str  # the force's code (reference data)
    system: str  # what the force calls its notification
    sender_domains: tuple[str, ...]
    labels: dict[str, tuple[str, ...]] = field(default_factory=dict)


FORCE_LAYOUTS: tuple[ForceLayout, ...] = (
    # Seed 003: Sandwell receives West Midlands Police's "missing child compact notification"
    # and later its "missing child found notification", in the body of the email.
    ForceLayout(
        force="west-midlands", system="COMPACT missing and found notifications (email body)",
        sender_domains=("westmidlands.police.uk", "west-midlands.police.uk", "west-midlands.pnn.police.uk"),
        labels={
            "police_reference": ("compact reference", "compact ref", "compact number", "compact no", "compact id"),
            "full_name": ("missing child", "child s name"),
            "location_last_seen": ("last seen where", "last seen location address"),
            "officer": ("officer reporting", "compact officer"),
            "found_at": ("found date time", "found date and time"),
            "found_location": ("found where", "found location address"),
        },
    ),
    # Northamptonshire's missing-person unit sends a CSV export of the record.
    ForceLayout(
        force="northamptonshire", system="Missing from home CSV export (attachment)",
        sender_domains=("northants.police.uk", "northants.pnn.police.uk"),
        labels={
            "kind": ("record type",),
            "police_reference": ("mfh ref", "mfh reference", "mfh number"),
            "family_name": ("surname upper",),
            "last_seen_at": ("last seen dtg", "ls dtg"),
            "location_last_seen": ("last seen loc", "ls location"),
            "circumstances": ("circs",),
            "found_at": ("found dtg",),
            "found_location": ("found loc",),
        },
    ),
    # The Metropolitan Police Service sends its missing person notification as a PDF.
    ForceLayout(
        force="metropolitan", system="Missing person notification (PDF attachment)",
        sender_domains=("met.police.uk", "met.pnn.police.uk"),
        labels={
            "police_reference": ("misper ref", "misper reference", "cad number", "cad ref"),
            "officer": ("officer in the case",),
            "found_at": ("traced date time", "traced at"),
            "found_location": ("traced location", "where traced"),
        },
    ),
)


def label_key(text: str) -> str:
    """A label as compared: lower case, anything but letters and digits as single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def label_fields() -> dict[str, str]:
    """{reduced label: field} over the common labels and every force's."""
    out: dict[str, str] = {}
    for name, labels in COMMON_LABELS.items():
        out.update({label_key(label): name for label in labels})
    for layout in FORCE_LAYOUTS:
        for name, labels in layout.labels.items():
            out.update({label_key(label): name for label in labels})
    return out


def force_of_sender(address: str) -> str:
    """The code of the force whose mail domain `address` is, else ""."""
    domain = address.rsplit("@", 1)[-1].strip().strip(">").lower()
    for layout in FORCE_LAYOUTS:
        if any(domain == d or domain.endswith("." + d) for d in layout.sender_domains):
            return layout.force
    return ""
