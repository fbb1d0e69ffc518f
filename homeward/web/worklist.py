"""The home worklist's rows drawn in Python (issue 11).

A co-ordinator's page lists dozens of duties, each with its "Why this is due" trace and the form
that records it, and the actions agreed at meetings with theirs, and a template drew each row
node by node: most of the page's time went there. Here a duty's row is put together as a string,
every text escaped, with the same markup as web/includes/duty_why.html and the inline form, and
every inline form of one kind is drawn once per page and reused with its ids changed: the forms
of a worklist differ only in their ids.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Any

from django import forms
from django.http import HttpRequest
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

from homeward.protocol.sources import name_sources
from homeward.web.duties import Duty
from homeward.web.formatting import date_text, datetime_text
from homeward.web.forms.meetings import MeetingActionDoneForm
from homeward.web.templatetags.homeward import clock_trigger, role_label

if TYPE_CHECKING:
    from homeward.web.views.board import BoardRow

# Stands for a row's id prefix in a form drawn once (letters only: escaping leaves it alone).
_STAMP = "hwstampx_"
# Stand for an episode's id and an obligation's code in a link made once.
_NUMBER = 987654321
_CODE = "hwcodex"


# Forms already drawn in this process, by what their markup is made from (`_drawn_from`): a
# worklist draws the same few kinds on every request, and drawing one took longer than all its
# rows (issue 11). Bounded: a form whose fields hold the time is drawn again each minute.
_DRAWN_IN_PROCESS: dict[Hashable, str] = {}
_DRAWN_KEPT = 256


def _text_or_value(value: Any) -> Hashable:
    """A field's label, help text, initial value or choice as a key holds it: texts (lazy ones
    included) as strings, other values by their representation, a callable initial value by
    what it gives now (as the form's drawing would call it)."""
    if callable(value) and not isinstance(value, Promise):
        value = value()
    return value if value is None or isinstance(value, int | str) else repr(str(value) if isinstance(
        value, Promise) else value)


def _drawn_from(form: forms.Form, context: dict[str, Any]) -> Hashable:
    """Everything the markup of an unbound form is drawn from, as a key: its class, prefix and
    initial values, each field's kind, texts, initial value, choices and widget, and the
    template's context. Two forms with the same key draw the same markup."""
    fields = tuple(
        (name, type(field), type(field.widget), field.required, field.disabled, field.localize,
         _text_or_value(field.label), _text_or_value(field.help_text), _text_or_value(field.initial),
         _text_or_value(form.initial.get(name)), getattr(field, "max_length", None),
         getattr(field, "min_length", None), repr(sorted(field.widget.attrs.items())),
         tuple((_text_or_value(value), _text_or_value(label))
               for value, label in getattr(field, "choices", ())))
        for name, field in form.fields.items())
    return (type(form), form.prefix, fields, tuple(sorted((name, _text_or_value(value))
                                                          for name, value in context.items())))


class FormsOnce:
    """Each kind of inline form drawn once on a page, then given to each row with its own ids,
    and drawn once in the process while what it is drawn from stays the same.

    Only unbound forms, whose markup is the same for every row but for the ids made from
    `auto_id`: a form with errors is drawn on its own page."""

    def __init__(self) -> None:
        self._drawn: dict[Hashable, str] = {}

    def fields(self, kind: Hashable, make: Callable[[str], forms.Form], prefix: str,
               **context: Any) -> SafeString:
        """The fields of the form `make(auto_id)` of this `kind`, with ids starting `prefix`."""
        drawn = self._drawn.get(kind)
        if drawn is None:
            form = make(f"{_STAMP}%s")
            if form.is_bound:
                raise ValueError("Only an unbound form is drawn once for every row.")
            key = _drawn_from(form, context)
            drawn = _DRAWN_IN_PROCESS.get(key)
            if drawn is None:
                # Without the request: the fields need no context processor (each would run again).
                drawn = render_to_string("web/fields/form_fields.html", {"form": form, **context})
                while len(_DRAWN_IN_PROCESS) >= _DRAWN_KEPT:  # the oldest drawn go first
                    _DRAWN_IN_PROCESS.pop(next(iter(_DRAWN_IN_PROCESS)), None)
                _DRAWN_IN_PROCESS[key] = drawn
            self._drawn[kind] = drawn
        return mark_safe(drawn.replace(_STAMP, prefix))  # noqa: S308 - drawn by our own templates


# Django's escape and capfirst take lazy texts too, and cost more than the rest of a row; these
# are plain strings (html.escape is what Django's escape calls).
def _capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=64)
def _role_text(role: str) -> str:
    return escape(role_label(role))


def why_html(duty: Duty, for_child: str) -> SafeString:
    """The "Why this is due" toggle of web/includes/duty_why.html: the rule behind a duty."""
    obligation, basis = duty.obligation, duty.basis
    instance = f" ({obligation.instance})" if obligation.instance > 1 else ""
    lines = [f"<dt>Rule</dt><dd>{escape(_capfirst(name_sources(str(basis.rule or ''))))}</dd>"]
    if basis.trigger:
        lines.append(f"<dt>Clock started by</dt><dd>{escape(clock_trigger(basis.trigger))}, "
                     f"{escape(datetime_text(basis.trigger_at))}</dd>")
    if basis.policy_value:
        lines.append(f"<dt>Protocol value</dt><dd>{escape(basis.policy_value)}</dd>")
    if basis.note:
        lines.append(f"<dt>Note</dt><dd>{escape(_capfirst(name_sources(str(basis.note))))}</dd>")
    if basis.citation:
        lines.append(f"<dt>Guidance</dt><dd>{escape(name_sources(str(basis.citation)))}</dd>")
    lines.append(f"<dt>Responsible</dt><dd>{_role_text(obligation.responsible_role)}</dd>")
    hidden = escape(f"{obligation.title}{instance}{f' for {for_child}' if for_child else ''}")
    dl = "\n      ".join(lines)
    return mark_safe(  # noqa: S308 - every text in it escaped
        '<details class="govuk-details govuk-!-margin-top-2 govuk-!-margin-bottom-0">\n'
        '  <summary class="govuk-details__summary"><span class="govuk-details__summary-text">Why this is due'
        f'<span class="govuk-visually-hidden">: {hidden}</span></span></summary>\n'
        '  <div class="govuk-details__text">\n'
        f'    <dl class="homeward-trace govuk-body-s">\n      {dl}\n    </dl>\n'
        '  </div>\n</details>')


def status_html(duty: Duty) -> SafeString:
    """A duty's status tag, and when it was done, missed or closed, as
    web/includes/duty_status.html draws it (the episode page's duties, issue 11)."""
    status, obligation, row = duty.status, duty.obligation, duty.row
    late = ", late" if status == "done" and obligation.late else ""
    if status == "done":
        after = f'<br><span class="govuk-body-s">{escape(datetime_text(obligation.done_at))}</span>'
    elif status == "missed":
        after = f'<br><span class="govuk-body-s">Not done by {escape(datetime_text(row.lapses_at))}</span>'
    elif status == "not_done":
        after = (f'<br><span class="govuk-body-s">Closed {escape(datetime_text(row.ended_at))}: '
                 f'{escape(row.ended_reason or "no reason given")}</span>')
    else:
        after = ""
    return mark_safe(  # noqa: S308 - every text in it escaped
        f'<strong class="govuk-tag {duty.tag_class}">{escape(duty.tag)}{late}</strong>{after}')


class DutyRows:
    """The home worklist's duties as list items: the child's link, the sentence, the owner, the
    rule behind it and, where a simple record completes it, the form to record it inline."""

    def __init__(self, request: HttpRequest, recordable: frozenset[str], make_form: Callable[[str, str], forms.Form],
                 back_to: str) -> None:
        self.recordable = recordable
        self.make_form = make_form
        self.forms = FormsOnce()
        self.csrf = csrf_input(request)
        self.back_to = escape(back_to)
        self.episode_url = reverse("web:episode", args=[_NUMBER])
        self.action_url = reverse("web:episode_action", args=[_NUMBER, _CODE])

    def item(self, duty: Duty) -> SafeString:
        row = duty.row
        child = escape(row.child.full_name)
        episode = str(row.episode_id)
        form = ""
        if row.code in self.recordable:
            fields = self.forms.fields(row.code, lambda auto_id: self.make_form(auto_id, row.code), f"o{row.pk}_")
            action = escape(self.action_url.replace(str(_NUMBER), episode).replace(_CODE, row.code))
            title = escape(row.title)
            form = (
                '\n    <details class="govuk-details govuk-!-margin-top-2 govuk-!-margin-bottom-0">\n'
                '      <summary class="govuk-details__summary"><span class="govuk-details__summary-text">Record it'
                f'<span class="govuk-visually-hidden">: {title} for {child}</span></span></summary>\n'
                '      <div class="govuk-details__text">\n'
                f'        <form method="post" action="{action}" novalidate>\n'
                f'          {self.csrf}\n'
                f'          <input type="hidden" name="next" value="{self.back_to}">\n'
                f'          {fields}\n'
                '          <button type="submit" class="govuk-button govuk-button--secondary" '
                'data-module="govuk-button">Record<span class="govuk-visually-hidden"> '
                f'{escape(row.title.lower())} for {child}</span></button>\n'
                '        </form>\n'
                '      </div>\n'
                '    </details>'
            )
        link = escape(self.episode_url.replace(str(_NUMBER), episode))
        return mark_safe(  # noqa: S308 - every text in it escaped, the fields drawn by our templates
            f'<li id="duty-{row.pk}">\n'
            f'    <a class="govuk-link" href="{link}">{child}</a>: {escape(duty.sentence)}\n'
            f'    <br><span class="govuk-body-s">Owner: {escape(duty.owner)}</span>\n'
            f'    {why_html(duty, row.child.full_name)}{form}\n'
            '  </li>')


# What the home page shows of an action agreed at a strategy meeting or in a missing child
# action plan, read as values (`ActionRows` draws them).
MEETING_ACTION_VALUES = ("id", "meeting_id", "owner_user_id", "description", "due", "done_at", "meeting__episode_id",
                         "meeting__kind", "meeting__held_at", "meeting__episode__child_id",
                         "meeting__episode__child__given_name", "meeting__episode__child__family_name")
PLAN_ACTION_VALUES = ("id", "owner_user_id", "description", "due", "done_at", "plan__episode_id",
                      "plan__episode__child_id", "plan__episode__child__given_name",
                      "plan__episode__child__family_name")


class ActionRows:
    """The home page's actions from strategy meetings and from missing child action plans that
    name the person as their owner, as list items, each with its "Mark as done" form (the
    markup of web/meetings/action_form.html and web/plans/action_form.html)."""

    def __init__(self, request: HttpRequest, drawn: FormsOnce, back_to: str, today: date,
                 kinds: dict[str, str]) -> None:
        self.drawn = drawn
        self.csrf = csrf_input(request)
        self.back_to = escape(back_to)
        self.today = today
        self.kinds = kinds
        self.episode_url = reverse("web:episode", args=[_NUMBER])
        self.meeting_done_url = reverse("web:meeting_action_done", args=[_NUMBER, _NUMBER + 1, _NUMBER + 2])
        self.plan_done_url = reverse("web:plan_action_done", args=[_NUMBER, _NUMBER + 2])

    def _fields(self, prefix: str) -> str:
        return self.drawn.fields(MeetingActionDoneForm, lambda auto_id: MeetingActionDoneForm(auto_id=auto_id),
                                 prefix, rows=2)

    def _done_form(self, action_url: str, description: str, fields: str) -> str:
        return (
            '\n<details class="govuk-details govuk-!-margin-top-2 govuk-!-margin-bottom-0">\n'
            '  <summary class="govuk-details__summary"><span class="govuk-details__summary-text">Mark as done'
            f'<span class="govuk-visually-hidden">: {description}</span></span></summary>\n'
            '  <div class="govuk-details__text">\n'
            f'    <form method="post" action="{escape(action_url)}" novalidate>\n'
            f'      {self.csrf}\n'
            f'      <input type="hidden" name="next" value="{self.back_to}">\n'
            f'      {fields}\n'
            '      <button type="submit" class="govuk-button govuk-button--secondary" data-module="govuk-button">'
            f'Mark as done<span class="govuk-visually-hidden">: {description}</span></button>\n'
            '    </form>\n'
            '  </div>\n'
            '</details>\n'
        )

    def _due(self, due: date | None) -> str:
        if due is None:
            return ""
        late = ' <strong class="govuk-tag govuk-tag--red">Overdue</strong>' if due < self.today else ""
        return f", due {escape(date_text(due))}{late}"

    def _link(self, episode_id: int, anchor: str, given: str, family: str) -> str:
        url = escape(self.episode_url.replace(str(_NUMBER), str(episode_id)))
        return f'<a class="govuk-link" href="{url}#{anchor}">{escape(f"{given} {family}")}</a>'

    def meeting(self, action: dict[str, Any], may_mark_done: bool) -> SafeString:
        """One action of a strategy meeting (values of MEETING_ACTION_VALUES)."""
        pk, episode_id = action["id"], action["meeting__episode_id"]
        description = escape(action["description"])
        form = ""
        if may_mark_done:
            url = (self.meeting_done_url.replace(str(_NUMBER), str(episode_id))
                   .replace(str(_NUMBER + 1), str(action["meeting_id"])).replace(str(_NUMBER + 2), str(pk)))
            form = self._done_form(url, description, self._fields(f"a{pk}_"))
        kind = self.kinds.get(action["meeting__kind"], action["meeting__kind"])
        return mark_safe(  # noqa: S308 - every text in it escaped, the fields drawn by our templates
            '<li>\n    '
            + self._link(episode_id, f"action-{pk}", action["meeting__episode__child__given_name"],
                         action["meeting__episode__child__family_name"])
            + f": {description}{self._due(action['due'])}\n"
            f'    <br><span class="govuk-body-s">{escape(kind)}, {escape(datetime_text(action["meeting__held_at"]))}'
            f'</span>\n    {form}\n  </li>')

    def plan(self, action: dict[str, Any], may_mark_done: bool) -> SafeString:
        """One action of a missing child action plan (values of PLAN_ACTION_VALUES)."""
        pk, episode_id = action["id"], action["plan__episode_id"]
        description = escape(action["description"])
        form = ""
        if may_mark_done:
            url = self.plan_done_url.replace(str(_NUMBER), str(episode_id)).replace(str(_NUMBER + 2), str(pk))
            form = self._done_form(url, description, self._fields(f"p{pk}_"))
        return mark_safe(  # noqa: S308 - every text in it escaped, the fields drawn by our templates
            '<li>\n    '
            + self._link(episode_id, f"plan-action-{pk}", action["plan__episode__child__given_name"],
                         action["plan__episode__child__family_name"])
            + f": {description}{self._due(action['due'])}\n    {form}\n  </li>")


# The board's risk tags, as web/includes/risk_tag.html shows them.
_RISK_TAGS = {"high": ("govuk-tag--red", "High"), "medium": ("govuk-tag--orange", "Medium")}


class BoardRowsDrawn:
    """The 'Missing now' board's rows (homeward.web.views.board.BoardRow) as table rows, with
    the markup of web/pages/board.html's table: a page of fifty drew each cell node by node."""

    def __init__(self) -> None:
        self.episode_url = reverse("web:episode", args=[_NUMBER])

    def row(self, row: BoardRow) -> SafeString:
        episode = row.episode
        child = episode.child
        url = escape(self.episode_url.replace(str(_NUMBER), str(episode.pk)))
        if episode.risk_level in _RISK_TAGS:
            colour, risk = _RISK_TAGS[episode.risk_level]
        else:
            colour, risk = "govuk-tag--grey", episode.get_risk_level_display() if episode.risk_level else "Not graded"
        placement = row.placement
        placed = f"{placement.provider or 'Placed'}, {placement.authority.name}" if placement else "Not placed"
        if row.next_due_at:
            late = '<strong class="govuk-tag govuk-tag--red">Overdue</strong> ' if row.next_overdue else ""
            following = f"{late}{escape(row.next_title or '')}, due {escape(datetime_text(row.next_due_at))}"
        else:
            following = "Nothing due"
        tags = (('<strong class="govuk-tag govuk-tag--red">High risk</strong> ' if row.high_risk else "")
                + ('<strong class="govuk-tag govuk-tag--purple">Over 72 hours</strong>' if row.over_72_hours else "")
                ) or "None"
        return mark_safe(  # noqa: S308 - every text in it escaped
            '<tr class="govuk-table__row">\n'
            f'      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="{url}">'
            f'{escape(child.full_name)}</a><br><span class="govuk-body-s">'
            f'{escape(child.external_id or "case-system id not yet recorded")}, '
            f'{escape(str(episode.get_classification_display()).lower())}</span></th>\n'
            f'      <td class="govuk-table__cell"><span class="homeward-nowrap">{escape(row.missing_for)}</span><br>'
            f'<span class="govuk-body-s">since {escape(datetime_text(episode.missing_since))}</span></td>\n'
            f'      <td class="govuk-table__cell"><strong class="govuk-tag {colour}">{escape(str(risk))}'
            '</strong>\n</td>\n'
            f'      <td class="govuk-table__cell">{"Yes" if row.looked_after else "No"}</td>\n'
            f'      <td class="govuk-table__cell">{escape(placed)}</td>\n'
            f'      <td class="govuk-table__cell">{following}</td>\n'
            f'      <td class="govuk-table__cell">{tags}</td>\n'
            '    </tr>')
