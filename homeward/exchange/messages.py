"""The exchange's messages, version 1 (docs/exchange.md): what one is made of, and checking one
that came in before anything is stored.

Every message and acknowledgement is a JSON object signed as a JWS. The fields each attempt
sets (`sent_at`) are not part of the message's identity: a message is its `id` and the rest.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from homeward.children.models import Child
from homeward.common.errors import FieldError
from homeward.episodes.models import Episode

from .models import MessageType

VERSION = 1
ACKNOWLEDGEMENT = "acknowledgement"
#: Set at each attempt, so not part of what the message says.
PER_ATTEMPT = ("sent_at",)

#: The event's fields each type must carry (a date-time with an offset), and those it may.
REQUIRED_TIMES: dict[str, tuple[str, ...]] = {
    MessageType.MISSING: ("reported_at", "missing_since"),
    MessageType.FOUND: ("found_at",),
    MessageType.INTERVIEW_OFFERED: ("offered_at",),
    MessageType.INTERVIEW_OUTCOME: ("conducted_at",),
}
OPTIONAL_TIMES: dict[str, tuple[str, ...]] = {MessageType.MISSING: ("last_seen_at",)}
TEXTS: dict[str, tuple[str, ...]] = {
    MessageType.MISSING: ("classification", "risk_level", "police_force", "police_reference", "location_last_seen",
                          "circumstances", "missing_from"),
    MessageType.FOUND: ("found_location", "found_by"),
    MessageType.INTERVIEW_OFFERED: ("method", "answer"),
    MessageType.INTERVIEW_OUTCOME: ("outcome", "method"),
}
MAX_TEXT = 4000


def child_reference(child: Child) -> str:
    """Our reference for a child: the case-system id where we hold one, else Homeward's own."""
    return child.external_id or f"homeward-{child.pk}"


def identity(payload: dict[str, Any]) -> dict[str, Any]:
    """What the message says, less what each attempt sets."""
    return {k: v for k, v in payload.items() if k not in PER_ATTEMPT}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def event_body(episode: Episode, message_type: str) -> tuple[datetime, dict[str, Any]]:
    """When the event happened and what the message says of it."""
    if message_type == MessageType.MISSING:
        return episode.reported_at, {
            "reported_at": _iso(episode.reported_at), "last_seen_at": _iso(episode.last_seen_at),
            "missing_since": _iso(episode.missing_since), "classification": episode.classification,
            "risk_level": episode.risk_level, "whereabouts_known": episode.whereabouts_known,
            "police_force": episode.police_force.code if episode.police_force else "",
            "police_reference": episode.police_reference, "location_last_seen": episode.location_last_seen,
            "circumstances": episode.circumstances, "missing_from": episode.missing_from,
        }
    if message_type == MessageType.FOUND:
        assert episode.found_at is not None
        return episode.found_at, {"found_at": _iso(episode.found_at), "found_location": episode.found_location,
                                  "found_by": episode.found_by}
    rhi = episode.rhi
    if message_type == MessageType.INTERVIEW_OFFERED:
        offer = rhi.offers.order_by("-id").first()
        assert offer is not None
        return offer.offered_at, {"offered_at": _iso(offer.offered_at), "method": offer.method,
                                  "answer": offer.answer}
    assert rhi.conducted_at is not None
    return rhi.conducted_at, {"outcome": rhi.outcome, "conducted_at": _iso(rhi.conducted_at), "method": rhi.method}


@dataclass(frozen=True)
class Checked:
    """A message that came in, checked: who it claims to be about and what happened."""

    payload: dict[str, Any]
    message_id: uuid.UUID
    type: str
    sender: str
    child: dict[str, Any]
    episode: dict[str, Any]
    event: dict[str, Any]


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _text(errors: list[FieldError], where: dict[str, Any], name: str, path: str, *, required: bool = False) -> None:
    value = where.get(name)
    if value is None and not required:
        return
    if not isinstance(value, str) or len(value) > MAX_TEXT or (required and not value.strip()):
        errors.append(FieldError(path, "A text of at most 4,000 characters is required." if required
                                 else "Must be a text of at most 4,000 characters."))


def check_message(payload: dict[str, Any], *, home: str) -> tuple[Checked | None, list[FieldError]]:
    """The fields of a verified payload (the signature is checked before): every fault named."""
    errors: list[FieldError] = []
    if payload.get("v") != VERSION:
        errors.append(FieldError("v", f"Version {payload.get('v')!r} is not supported; this Homeward reads "
                                      f"version {VERSION}."))
        return None, errors
    message_type = str(payload.get("type"))
    if message_type not in REQUIRED_TIMES:
        errors.append(FieldError("type", f"Use one of {', '.join([*REQUIRED_TIMES, ACKNOWLEDGEMENT])}."))
    try:
        message_id = uuid.UUID(str(payload.get("id")))
    except ValueError:
        errors.append(FieldError("id", "The message id must be a UUID."))
        message_id = uuid.UUID(int=0)
    if payload.get("to") != home:
        errors.append(FieldError("to", f"This Homeward is authority {home}, not {payload.get('to')!r}."))
    if parse_time(payload.get("sent_at")) is None:
        errors.append(FieldError("sent_at", "A date-time with an offset is required."))
    child = payload.get("child")
    episode = payload.get("episode")
    event = payload.get("event")
    for name, value in (("child", child), ("episode", episode), ("event", event)):
        if not isinstance(value, dict):
            errors.append(FieldError(name, "An object is required."))
    if errors:
        return None, errors
    assert isinstance(child, dict) and isinstance(episode, dict) and isinstance(event, dict)
    _text(errors, child, "ref", "child.ref", required=True)
    for name in ("your_ref", "given_name", "family_name", "sex", "responsible_authority", "placement_authority"):
        _text(errors, child, name, f"child.{name}")
    dob = child.get("date_of_birth")
    if dob is not None:
        try:
            date.fromisoformat(str(dob))
        except ValueError:
            errors.append(FieldError("child.date_of_birth", "A date YYYY-MM-DD is required."))
    _text(errors, episode, "ref", "episode.ref", required=True)
    _text(errors, episode, "your_ref", "episode.your_ref")
    for name in REQUIRED_TIMES[message_type]:
        if parse_time(event.get(name)) is None:
            errors.append(FieldError(f"event.{name}", "A date-time with an offset is required."))
    for name in OPTIONAL_TIMES.get(message_type, ()):
        if event.get(name) is not None and parse_time(event.get(name)) is None:
            errors.append(FieldError(f"event.{name}", "A date-time with an offset, or null."))
    for name in TEXTS[message_type]:
        _text(errors, event, name, f"event.{name}")
    if errors:
        return None, errors
    return Checked(payload=payload, message_id=message_id, type=message_type, sender=str(payload.get("from")),
                   child=child, episode=episode, event=event), []


def acknowledgement(*, in_reply_to: str, home: str, to: str, status: str, child_ref: str | None,
                    episode_ref: str | None, note: str) -> dict[str, Any]:
    """An acknowledgement, less `sent_at`: the answer in the inbox's 202, and the follow-up
    sent later as a message of its own when a held message is matched by hand."""
    return {
        "v": VERSION, "type": ACKNOWLEDGEMENT, "id": str(uuid.uuid4()), "in_reply_to": in_reply_to,
        "from": home, "to": to, "status": status, "child": {"ref": child_ref}, "episode": {"ref": episode_ref},
        "note": note,
    }


@dataclass(frozen=True)
class CheckedAcknowledgement:
    """An acknowledgement that came in as a message (the follow-up), checked."""

    payload: dict[str, Any]
    message_id: uuid.UUID
    in_reply_to: uuid.UUID
    sender: str
    status: str


#: What an acknowledgement may say of the message it answers (IncomingStatus's values).
ACKNOWLEDGED_STATUSES = ("recorded", "held")


def check_acknowledgement(payload: dict[str, Any], *, home: str) -> tuple[CheckedAcknowledgement | None,
                                                                            list[FieldError]]:
    """The fields of a verified follow-up acknowledgement: every fault named."""
    errors: list[FieldError] = []
    if payload.get("v") != VERSION:
        errors.append(FieldError("v", f"Version {payload.get('v')!r} is not supported; this Homeward reads "
                                      f"version {VERSION}."))
        return None, errors
    ids: dict[str, uuid.UUID] = {}
    for name in ("id", "in_reply_to"):
        try:
            ids[name] = uuid.UUID(str(payload.get(name)))
        except ValueError:
            errors.append(FieldError(name, "A UUID is required."))
    if payload.get("to") != home:
        errors.append(FieldError("to", f"This Homeward is authority {home}, not {payload.get('to')!r}."))
    if parse_time(payload.get("sent_at")) is None:
        errors.append(FieldError("sent_at", "A date-time with an offset is required."))
    if payload.get("status") not in ACKNOWLEDGED_STATUSES:
        errors.append(FieldError("status", f"Use one of {', '.join(ACKNOWLEDGED_STATUSES)}."))
    _text(errors, payload, "note", "note")
    for name in ("child", "episode"):
        where = payload.get(name)
        if where is None:
            continue
        if not isinstance(where, dict):
            errors.append(FieldError(name, "An object, or null."))
        else:
            _text(errors, where, "ref", f"{name}.ref")
    if errors:
        return None, errors
    return CheckedAcknowledgement(payload=payload, message_id=ids["id"], in_reply_to=ids["in_reply_to"],
                                  sender=str(payload.get("from")), status=str(payload["status"])), []
