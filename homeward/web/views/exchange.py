"""Messages from other authorities' Homeward held for matching (issue 13, ADR 0015): the list,
one message with the child as the sender gives them and the search for ours, and the match,
confirmed on a page of its own before `exchange_match` records it through casework. For the
MCT and the co-ordinator (capability `intake`, as the held messages' API). Every read goes
through the exchange selectors (audited) and every child shown or found through the access
choke point, so a child the person may not see is neither found nor matched: a number typed
for one is refused with the words for a number no child has."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from homeward.children.models import Child
from homeward.children.selectors import child_get_for_user
from homeward.common.errors import DomainValidationError, NotFound
from homeward.exchange.messages import parse_time
from homeward.exchange.models import IncomingMessage, IncomingStatus
from homeward.exchange.selectors import (
    exchange_candidates,
    exchange_follow_up,
    exchange_held_for_user,
    exchange_message_for_user,
    placed_by_or_with,
)
from homeward.exchange.services import exchange_match
from homeward.reference.models import Authority
from homeward.web.formatting import datetime_text
from homeward.web.forms.exchange import ChildNumberForm, FindChildForm
from homeward.web.search import child_search

from .base import apply_domain_errors, page, person


def _part(message: IncomingMessage, name: str) -> dict[str, Any]:
    value = message.body.get(name)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _authority(code: Any) -> str:
    if not _text(code):
        return ""
    authority = Authority.objects.filter(code=code).first()
    return f"{authority.name} ({code})" if authority else str(code)


def _born(value: Any) -> str:
    try:
        born = date.fromisoformat(str(value))
    except ValueError:
        return _text(value)
    return f"{born.day} {born:%B %Y}"


def _name(said: dict[str, Any]) -> str:
    return " ".join(part for part in (_text(said.get("given_name")), _text(said.get("family_name"))) if part)


def _row(message: IncomingMessage) -> dict[str, Any]:
    said = _part(message, "child")
    return {"message": message, "received": datetime_text(message.received_at), "kind": message.get_type_display(),
            "authority": f"{message.sender.name} ({message.sender.code})", "child_ref": _text(said.get("ref")),
            "episode_ref": _text(_part(message, "episode").get("ref")), "name": _name(said) or "Not given",
            "born": _born(said.get("date_of_birth")) if said.get("date_of_birth") else "Not given"}


@page
def held(request: HttpRequest) -> HttpResponse:
    waiting = exchange_held_for_user(person(request))
    return render(request, "web/exchange/held.html", {"held": [_row(m) for m in waiting]})


def _child_as_sent(message: IncomingMessage) -> list[tuple[str, str]]:
    said = _part(message, "child")
    return [
        ("Their reference for the child", _text(said.get("ref"))),
        ("Our reference, as they hold it", _text(said.get("your_ref")) or "None"),
        ("Name", _name(said)),
        ("Date of birth", _born(said.get("date_of_birth")) if said.get("date_of_birth") else ""),
        ("Sex", _text(said.get("sex")).replace("_", " ").capitalize()),
        ("Responsible authority", _authority(said.get("responsible_authority"))),
        ("Placed in", _authority(said.get("placement_authority"))),
    ]


def _event(message: IncomingMessage) -> list[tuple[str, str]]:
    """What happened, as the sender says it: its episode reference, then each field of the event."""
    rows = [("Their reference for the episode", _text(_part(message, "episode").get("ref")))]
    for key, value in _part(message, "event").items():
        instant = parse_time(value)
        shown = (datetime_text(instant) if instant else "Yes" if value is True else "No" if value is False
                 else str(value or "").replace("_", " ") if key in ("classification", "risk_level", "missing_from",
                                                                   "outcome", "method", "answer") else str(value or ""))
        rows.append((key.replace("_", " ").capitalize(), shown))
    return rows


def _message_page(request: HttpRequest, message: IncomingMessage, *, find: FindChildForm | None = None,
                  number: ChildNumberForm | None = None, results: list[Child] | None = None,
                  status: int = 200) -> HttpResponse:
    user = person(request)
    waiting = message.status == IncomingStatus.HELD
    return render(request, "web/exchange/message.html", {
        "message": message, "row": _row(message), "child_as_sent": _child_as_sent(message), "event": _event(message),
        "waiting": waiting, "candidates": exchange_candidates(user, message) if waiting else [],
        "find": find or FindChildForm(), "number": number or ChildNumberForm(), "results": results,
        "follow_up": exchange_follow_up(message),
    }, status=status)


@page
def message_page(request: HttpRequest, message_id: int) -> HttpResponse:
    """The message; `?q=` searches for the child among those the person may see (audited)."""
    user = person(request)
    message = exchange_message_for_user(user, message_id)
    if "q" not in request.GET or message.status != IncomingStatus.HELD:
        return _message_page(request, message)
    find = FindChildForm(data=request.GET)
    if not find.is_valid():
        return _message_page(request, message, find=find, status=400)
    return _message_page(request, message, find=find, results=child_search(user, find.cleaned_data["q"]))


def _our_child(child: Child) -> list[tuple[str, str]]:
    placement = child.placements.filter(ended_on__isnull=True).select_related("authority").order_by("-id").first()
    where = ""
    if placement is not None:
        where = f"{placement.authority.name} ({placement.authority.code})" + (
            f", {placement.provider}" if placement.provider else "")
    return [
        ("Our reference", child.external_id or f"homeward-{child.pk}"),
        ("Name", child.full_name + (f" (known as {child.known_as})" if child.known_as else "")),
        ("Date of birth", f"{child.date_of_birth.day} {child.date_of_birth:%B %Y}" if child.date_of_birth else ""),
        ("Sex", child.get_sex_display()),
        ("Responsible authority", f"{child.responsible_authority.name} ({child.responsible_authority.code})"
         if child.responsible_authority_id else ""),
        ("Placed in", where),
    ]


@page
@require_http_methods(["GET", "POST"])
def match(request: HttpRequest, message_id: int) -> HttpResponse:
    """GET `?child=`: the child chosen, beside the child as sent, to confirm. POST: the match."""
    user = person(request)
    message = exchange_message_for_user(user, message_id, audit=request.method != "POST")
    if message.status != IncomingStatus.HELD:
        messages.info(request, "This message is not held for matching: here is what Homeward did with it.")
        return redirect("web:exchange_message", message_id=message.pk)
    number = ChildNumberForm(data=request.POST if request.method == "POST" else request.GET)
    if not number.is_valid():
        return _message_page(request, message, number=number, status=400)
    child_id = number.cleaned_data["child"]
    if request.method != "POST":
        try:
            child = child_get_for_user(user, child_id)
        except NotFound:
            number.refuse_unknown(child_id)
            return _message_page(request, message, number=number, status=400)
        return render(request, "web/exchange/confirm.html", {
            "message": message, "row": _row(message), "child": child, "child_as_sent": _child_as_sent(message),
            "our_child": _our_child(child), "related": placed_by_or_with(child, message.sender.code)})
    try:
        message = exchange_match(actor=user, message=message, child_id=child_id)
    except NotFound:
        number.refuse_unknown(child_id)
        return _message_page(request, message, number=number, status=400)
    except DomainValidationError as exc:
        apply_domain_errors(number, exc, {})
        return _message_page(request, message, number=number, status=400)
    told = " The sender is sent a follow-up acknowledgement." if exchange_follow_up(message) else ""
    messages.success(request, f"Recorded for {message.child.full_name if message.child else 'the child'}. "
                              f"{message.reason}{told}")
    return redirect("web:exchange_message", message_id=message.pk)
