"""Reading a police notification out of an email, as received (RFC 5322 bytes).

Tolerant: the fields may be labelled lines in the body (plain text or HTML), a CSV
attachment (a header row and one row of values, or label and value pairs) or a PDF
attachment's text; labels are those of `layouts` (docs/police-notifications.md). An
attachment's fields come before the body's. Dates and times without an offset are
Europe/London wall-clock time. What cannot be read raises `Unreadable` with the reason,
and the message then waits in the triage queue with it.
"""

from __future__ import annotations

import csv
import email
import email.policy
import html
import io
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from .layouts import MULTILINE_FIELDS, force_of_sender, label_fields, label_key

LONDON = ZoneInfo("Europe/London")
MISSING, FOUND = "missing", "found"
MAX_PDF_PAGES = 20


class Unreadable(Exception):
    """The message holds no notification Homeward can read; the text says why."""


@dataclass(frozen=True)
class PoliceNotification:
    """A missing or found notification as the police gave it (names as written)."""

    kind: str
    layout: str  # where the fields were found: "body", "csv" or "pdf"
    police_force: str = ""  # as named in the message, or the code of the sender's force
    police_reference: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    case_system_id: str = ""
    address: str = ""
    reported_at: datetime | None = None
    last_seen_at: datetime | None = None
    location_last_seen: str = ""
    circumstances: str = ""
    risk_level: str = ""
    officer: str = ""
    found_at: datetime | None = None
    found_location: str = ""
    # Values given but not understood (a date that is no date...), to show in the queue.
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        for name, value in out.items():
            if isinstance(value, date | datetime):
                out[name] = value.isoformat()
        out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PoliceNotification:
        values = dict(data)
        for name in ("reported_at", "last_seen_at", "found_at"):
            values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
        values["date_of_birth"] = date.fromisoformat(values["date_of_birth"]) if values.get("date_of_birth") else None
        values["notes"] = tuple(values.get("notes", ()))
        return cls(**values)


def message_headers(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def message_id_of(raw: bytes) -> str:
    """The Message-ID header, without its angle brackets, else ""."""
    value = message_headers(raw).get("Message-ID", "")
    return str(value).strip().strip("<>").strip()[:300]


def message_date_of(message: EmailMessage) -> datetime | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=LONDON)


# Dates and times --------------------------------------------------------------------------

MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
     ("nov", "november"), ("dec", "december")), start=1) for name in names}
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WORDED_DATE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_CLOCK = re.compile(r"\b(\d{1,2})[:.](\d{2})(?::\d{2})?\s*(am|pm)?\b", re.IGNORECASE)
_HOURS = re.compile(r"\b(\d{2})(\d{2})\s*(?:hrs|hours|h)\b", re.IGNORECASE)


def parse_day(text: str) -> tuple[date | None, str]:
    """The date in `text` (DD/MM/YYYY, YYYY-MM-DD, 3 June 2026...), and the text without it."""
    for pattern, order in ((_ISO_DATE, "ymd"), (_NUMERIC_DATE, "dmy"), (_WORDED_DATE, "dMy")):
        found = pattern.search(text)
        if not found:
            continue
        a, b, c = found.groups()
        try:
            if order == "ymd":
                day = date(int(a), int(b), int(c))
            elif order == "dmy":
                year = int(c) + (2000 if len(c) == 2 else 0)
                day = date(year, int(b), int(a))
            else:
                month = MONTHS.get(b.lower())
                if month is None:
                    continue
                day = date(int(c), month, int(a))
        except ValueError:
            return None, text
        return day, text[:found.start()] + " " + text[found.end():]
    return None, text


def parse_clock(text: str) -> time | None:
    found = _CLOCK.search(text)
    if found:
        hour, minute, half = int(found.group(1)), int(found.group(2)), (found.group(3) or "").lower()
        if half == "pm" and hour < 12:
            hour += 12
        elif half == "am" and hour == 12:
            hour = 0
    else:
        found = _HOURS.search(text)
        if not found:
            return None
        hour, minute = int(found.group(1)), int(found.group(2))
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_when(text: str) -> datetime | None:
    """A date and time (an ISO 8601 instant, or a date and a clock time in either order, as
    Europe/London wall-clock time); None without both."""
    text = text.strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        return value if value.tzinfo else value.replace(tzinfo=LONDON)
    day, rest = parse_day(text)
    clock = parse_clock(rest) if day else None
    if day is None or clock is None:
        return None
    # The first of a repeated October hour, as the import reads wall-clock times.
    return datetime.combine(day, clock).replace(tzinfo=LONDON)


def risk_level_of(text: str) -> str:
    """The police risk grading as Homeward's code ("no apparent risk" is the old name of very low)."""
    words = label_key(text)
    if "very low" in words or "no apparent risk" in words or words in ("absent", "none"):
        return "very_low"
    for level in ("high", "medium", "low"):
        if re.search(rf"\b{level}\b", words):
            return level
    return ""


def kind_of(text: str) -> str:
    words = label_key(text)
    if re.search(r"\b(found|located|traced|returned|return)\b", words):
        return FOUND
    if re.search(r"\b(missing|absent|mfh|misper|compact)\b", words):
        return MISSING
    return ""


def split_name(full: str) -> tuple[str, str]:
    """ "SMITH, Jade Anne" or "Jade Anne SMITH" as (given names, family name)."""
    if "," in full:
        family, given = full.split(",", 1)
        return given.strip(), family.strip()
    words = full.split()
    if len(words) < 2:
        return "", full.strip()
    return " ".join(words[:-1]), words[-1]


# Where the fields are ---------------------------------------------------------------------

_LABELLED = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 /&()'.\-]{0,60}?)\s*(?::|\t+|\s=\s)\s*(.*)$")


def labelled_fields(text: str) -> dict[str, str]:
    """{field: value} from lines such as "Surname: SMITH" (or label, tab, value). A field's
    first value counts; circumstances and address carry on over unlabelled lines."""
    labels = label_fields()
    found: dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        match = _LABELLED.match(line)
        name = labels.get(label_key(match.group(1))) if match else None
        if match and name:
            current = name if name in MULTILINE_FIELDS and name not in found else ""
            if name not in found:
                found[name] = match.group(2).strip()
            continue
        if not line.strip():
            current = ""
        elif current:
            found[current] = (found[current] + "\n" + line.strip()).strip()
    return {name: value for name, value in found.items() if value}


def csv_fields(text: str) -> dict[str, str]:
    """A CSV of a header row and one row of values, or of label and value pairs."""
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        raise Unreadable("The CSV attachment is empty.")
    labels = label_fields()
    header = [labels.get(label_key(cell), "") for cell in rows[0]]
    if sum(1 for name in header if name) >= 2 and len(rows) >= 2:
        if len(rows) > 2:
            raise Unreadable(f"The CSV attachment holds {len(rows) - 1} notifications; Homeward reads one "
                             "a message. Ask the force to send them one by one, or record them by hand.")
        return {name: value.strip() for name, value in zip(header, rows[1], strict=False) if name and value.strip()}
    pairs = {labels.get(label_key(row[0]), ""): row[1].strip() for row in rows if len(row) >= 2}
    return {name: value for name, value in pairs.items() if name and value}


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES])
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"The PDF attachment cannot be read ({type(exc).__name__}).") from None


def html_text(markup: str) -> str:
    """The text of an HTML body, a table cell followed by a tab, so "label, value" cells read as labelled lines."""
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    markup = re.sub(r"(?i)</t[dh]\s*>", "\t", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|tr|li|h\d)\s*>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _decoded(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    for encoding in (part.get_content_charset() or "utf-8", "utf-8-sig", "cp1252"):
        try:
            return payload.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


def _sources(message: EmailMessage) -> list[tuple[str, dict[str, str]]]:
    """(layout, fields) from each CSV and PDF attachment, then the body."""
    attachments: list[tuple[str, dict[str, str]]] = []
    body: list[tuple[str, dict[str, str]]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if kind == "text/csv" or filename.endswith(".csv"):
            attachments.append(("csv", csv_fields(_decoded(part))))
        elif kind == "application/pdf" or filename.endswith(".pdf"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                attachments.append(("pdf", labelled_fields(pdf_text(payload))))
        elif kind == "text/plain" and not part.get_filename():
            body.append(("body", labelled_fields(_decoded(part))))
        elif kind == "text/html" and not part.get_filename():
            body.append(("body", labelled_fields(html_text(_decoded(part)))))
    return attachments + body


def parse_message(raw: bytes) -> PoliceNotification:
    """The notification in a message, or `Unreadable` saying why there is none."""
    try:
        message = message_headers(raw)
    except Exception as exc:  # the email package raises many kinds on damaged input
        raise Unreadable(f"This is not an email message Homeward can read ({type(exc).__name__}).") from None
    fields: dict[str, str] = {}
    layout = ""
    for source, found in _sources(message):
        if found and not layout:
            layout = source
        for name, value in found.items():
            fields.setdefault(name, value)
    if not fields:
        raise Unreadable("No labelled fields of a police notification were found in the message or its "
                         "attachments (see docs/police-notifications.md for the layouts Homeward reads).")
    return _notification(message, fields, layout)


def _notification(message: EmailMessage, fields: dict[str, str], layout: str) -> PoliceNotification:
    notes: list[str] = []
    subject = str(message.get("Subject", ""))
    kind = kind_of(fields.get("kind", "")) or kind_of(subject)
    if not kind:
        kind = FOUND if fields.get("found_at") else MISSING if fields.get("last_seen_at") else ""
    if not kind:
        raise Unreadable("It does not say whether the child is missing or found.")
    given, family = fields.get("given_name", ""), fields.get("family_name", "")
    if fields.get("full_name") and not (given and family):
        whole_given, whole_family = split_name(fields["full_name"])
        given, family = given or whole_given, family or whole_family
    date_of_birth = None
    if fields.get("date_of_birth"):
        date_of_birth, _ = parse_day(fields["date_of_birth"])
        if date_of_birth is None:
            notes.append(f"Date of birth {fields['date_of_birth']!r} is not a date.")
    instants: dict[str, datetime | None] = {}
    for name in ("reported_at", "last_seen_at", "found_at"):
        instants[name] = parse_when(fields[name]) if fields.get(name) else None
        if fields.get(name) and instants[name] is None:
            notes.append(f"{name.replace('_', ' ').capitalize()} {fields[name]!r} is not a date and time.")
    risk = risk_level_of(fields["risk_level"]) if fields.get("risk_level") else ""
    if fields.get("risk_level") and not risk:
        notes.append(f"Risk {fields['risk_level']!r} is not a grading Homeward knows.")
    force = fields.get("police_force", "") or force_of_sender(parseaddr(str(message.get("From", "")))[1])
    if not (fields.get("police_reference") or fields.get("case_system_id") or (family and date_of_birth)):
        raise Unreadable("It names neither a police reference, a case-system id, nor the child's name and "
                         "date of birth.")
    return PoliceNotification(
        kind=kind, layout=layout, police_force=force, police_reference=fields.get("police_reference", ""),
        given_name=given, family_name=family, date_of_birth=date_of_birth,
        case_system_id=fields.get("case_system_id", ""), address=fields.get("address", ""),
        reported_at=instants["reported_at"] or message_date_of(message), last_seen_at=instants["last_seen_at"],
        location_last_seen=fields.get("location_last_seen", ""), circumstances=fields.get("circumstances", ""),
        risk_level=risk, officer=fields.get("officer", ""), found_at=instants["found_at"],
        found_location=fields.get("found_location", ""), notes=tuple(notes),
    )
