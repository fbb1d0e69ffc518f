"""Template filters for the pages: Europe/London times and GOV.UK form field details."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from homeward.web import formatting

register = template.Library()


@register.filter
def london(value: datetime | None) -> str:
    """An instant as 'Fri 20 Nov 2026, 23:15' in Europe/London."""
    return formatting.datetime_text(value)


@register.filter
def ukdate(value: date | None) -> str:
    return formatting.date_text(value)


@register.filter
def error_parts(field: BoundField) -> set[str]:
    """The inputs of a date or date-time field to mark in error: those its errors name, else all."""
    errors = field.form.errors.as_data().get(field.name, []) if field.form.is_bound else []
    if not errors:
        return set()
    named: set[str] = set()
    for error in errors:
        parts = (error.params or {}).get("parts") if isinstance(error.params, dict) else None
        if not parts:
            return {"day", "month", "year", "time"}
        named.update(parts)
    return named


@register.filter
def field_parts(field: BoundField) -> dict[str, str]:
    """The day, month, year (and time) a date or date-time field shows: what was typed, or its value."""
    value = field.value()
    if isinstance(value, list | tuple):
        names = ["day", "month", "year", "time"]
        return {name: (str(part) if part is not None else "") for name, part in zip(names, value, strict=False)}
    if isinstance(value, datetime):
        local = formatting.london(value)
        return {"day": str(local.day), "month": str(local.month), "year": str(local.year),
                "time": f"{local:%H:%M}"}
    if isinstance(value, date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year), "time": ""}
    return {"day": "", "month": "", "year": "", "time": ""}


@register.filter
def first_input_id(field: BoundField) -> str:
    """The id the error summary links to: the first input of the field (of a date, the first
    input in error, as GOV.UK's date input pattern asks)."""
    widget_type = getattr(field.field, "govuk_kind", "")
    if widget_type in ("date", "datetime"):
        bad = error_parts(field)
        part = next((p for p in ("day", "month", "year", "time") if p in bad), "day")
        return f"{field.auto_id}_{part}"
    return field.auto_id


@register.filter
def choice_selected(field: BoundField, choice_value: Any) -> bool:
    value = field.value()
    if isinstance(value, list | tuple):
        return str(choice_value) in {str(v) for v in value}
    return value is not None and str(value) == str(choice_value)


@register.filter
def all_choices_of(field: BoundField) -> list[tuple[str, str]]:
    """Every choice, the blank one too (for a select)."""
    return [(str(value), str(label)) for value, label in field.field.choices]  # type: ignore[attr-defined]


@register.filter
def select_options(field: BoundField) -> SafeString:
    """A select's options, the chosen one marked, drawn at once: a list of a national service's
    hundreds of teams cost a template loop and a look at the field's value for each (issue 11)."""
    value = field.value()
    given = value if isinstance(value, list | tuple) else [] if value is None else [value]
    chosen = {str(v) for v in given}
    return mark_safe("".join(  # noqa: S308 - every value and label escaped
        f'<option value="{escape(value)}"{" selected" if value in chosen else ""}>{escape(label)}</option>\n    '
        for value, label in all_choices_of(field)))


@register.filter
def choices_of(field: BoundField) -> list[tuple[str, str]]:
    """The choices but the blank one (for radios and checkboxes)."""
    return [(value, label) for value, label in all_choices_of(field) if value]


@register.filter
def choice_hint(field: BoundField, value: str) -> str:
    """A radio item's own hint, from the form field's `choice_hints`."""
    return str(getattr(field.field, "choice_hints", {}).get(value, ""))


_TEMPLATES = {
    "date": "web/fields/date.html",
    "datetime": "web/fields/date.html",
    "checkbox": "web/fields/checkbox.html",
}


@register.filter
def field_template(field: BoundField) -> str:
    """Which GOV.UK component renders a form field."""
    kind = getattr(field.field, "govuk_kind", "")
    if kind in _TEMPLATES:
        return _TEMPLATES[kind]
    widget = field.field.widget
    # CheckboxSelectMultiple is a kind of RadioSelect in Django: ask about it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "web/fields/checkboxes.html"
    if isinstance(widget, forms.RadioSelect):
        return "web/fields/radios.html"
    if isinstance(widget, forms.Select):
        return "web/fields/select.html"
    if isinstance(widget, forms.Textarea):
        return "web/fields/textarea.html"
    if isinstance(widget, forms.FileInput):
        return "web/fields/file.html"
    if isinstance(widget, forms.PasswordInput):
        return "web/fields/password.html"
    return "web/fields/input.html"


@register.filter
def described_by(field: BoundField) -> str:
    """The aria-describedby of a field: its hint and error message ids."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def duty_why(duty: Any, for_child: str = "") -> SafeString:
    """web/includes/duty_why.html drawn in Python (homeward.web.worklist.why_html): a page of
    duties drew it node by node for each row (issue 11)."""
    from homeward.web.worklist import why_html

    return why_html(duty, for_child)


@register.simple_tag
def duty_status(duty: Any) -> SafeString:
    """web/includes/duty_status.html drawn in Python (homeward.web.worklist.status_html)."""
    from homeward.web.worklist import status_html

    return status_html(duty)


@register.simple_tag
def item_id(field: BoundField, counter: int) -> str:
    """GOV.UK's ids for radios and checkboxes: the first is the field's id, then id-2, id-3..."""
    base = field.auto_id
    return base if counter == 1 else f"{base}-{counter}"


@register.filter
def typed_later(entry: Any) -> bool:
    """Whether a fact was typed in well after it happened (then both times are shown)."""
    at, recorded_at = getattr(entry, "at", None), getattr(entry, "recorded_at", None)
    return bool(at and recorded_at and abs((recorded_at - at).total_seconds()) > 15 * 60)


@register.filter
def role_label(role: str) -> str:
    """'social_worker' -> 'Social worker'."""
    from homeward.accounts.roles import Role

    return str(Role(role).label) if role in Role.values else role.replace("_", " ").capitalize()


_RHI_STAGES = {
    "to_allocate": "To allocate",
    "allocated": "Allocated, not yet offered",
    "offered": "Offered",
    "interviewed": "Interview recorded, to authorise",
    "authorised": "Authorised, to share",
    "shared": "Shared",
}


@register.filter
def rhi_stage_label(stage: str) -> str:
    return _RHI_STAGES.get(stage, stage)


@register.filter
def guidance(text: str) -> str:
    """A rule's basis as people read it: "seed 002" becomes the guidance document's name."""
    from homeward.protocol.sources import name_sources

    return name_sources(str(text or ""))


# The fact that started an obligation's clock (`Basis.trigger`), as people say it.
_TRIGGERS = {
    "reported_at": "The report",
    "missing_since": "The child going missing",
    "reclassified_missing_at": "The reclassification as missing",
    "found_at": "The child's return",
    "graded high at": "The high-risk grading",
    "last missing strategy meeting": "The last missing strategy meeting",
    "rhi allocated_at": "The allocation of the return interview",
    "rhi completed_at": "The return interview",
    "rhi authorised_at": "The authorisation of the return interview",
    "rhi amended_at": "The amendment of the return interview",
}


@register.filter
def clock_trigger(trigger: str) -> str:
    """'missing_since' -> 'The child going missing'; anything else in plain words."""
    text = str(trigger or "")
    if text in _TRIGGERS:
        return _TRIGGERS[text]
    words = text.replace("rhi ", "return interview ").replace("_at", "").replace("_", " ").strip()
    return words[:1].upper() + words[1:]
