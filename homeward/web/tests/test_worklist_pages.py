"""The home worklist and the board at scale (issue 11): the worklist's sections page, keyboard
and screen-reader friendly; its rows drawn in Python say what the templates said; the home
page, the board and the worklist API read the same statements however many duties there are."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.template import Context, RequestContext, Template
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homeward.accounts.roles import Role
from homeward.audit.models import AuditEntry
from homeward.casework.episodes import episode_report
from homeward.obligations.models import OwnerQueue, StoredObligation
from homeward.web import worklist
from homeward.web.duties import duty, owner_text
from homeward.web.forms.episodes import ActionForm
from homeward.web.forms.meetings import MeetingActionDoneForm
from homeward.web.views import board
from homeward.web.worklist import FormsOnce, status_html, why_html

pytestmark = pytest.mark.django_db


def _report(coordinator: Any, child: Any, hours_ago: int) -> Any:
    return episode_report(actor=coordinator, child=child, reported_at=timezone.now() - timedelta(hours=hours_ago),
                          reported_by="parent_carer", classification="missing").episode


def _squeezed(html: str) -> str:
    """Markup without its layout, and the CSRF token (masked afresh each time) as one."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def test_the_rule_behind_a_duty_is_drawn_as_its_template_draws_it(coordinator: Any, make_child: Any) -> None:
    episode = _report(coordinator, make_child(known_as="Jay"), 30)
    now = timezone.now()
    rows = list(StoredObligation.objects.filter(episode=episode).select_related("child"))
    assert len(rows) > 3
    second = rows[0]
    second.instance = 2  # a repeating duty's second window names its number
    for row in [*rows, second]:
        shown = duty(row, now)
        for child in ("Test Child", ""):
            expected = render_to_string("web/includes/duty_why.html", {"duty": shown, "for_child": child})
            assert _squeezed(why_html(shown, child)) == _squeezed(expected), row.code


def test_a_duty_status_is_drawn_as_its_template_draws_it(coordinator: Any, make_child: Any) -> None:
    episode = _report(coordinator, make_child(), 30)
    now = timezone.now()
    row = StoredObligation.objects.filter(episode=episode).order_by("due_at").first()
    assert row is not None
    before, after = row.due_at - timedelta(hours=1), row.due_at + timedelta(hours=1)
    shapes = [{}, {"done_at": before}, {"done_at": after}, {"lapses_at": before},
              {"ended_at": before, "ended_reason": "Closed <early> & 'quickly'"}, {"ended_at": before}]
    statuses = set()
    for shape in shapes:
        for as_of in (row.arises_at - timedelta(minutes=1), row.due_at, now + timedelta(days=30)):
            changed = StoredObligation(**{**{f.attname: getattr(row, f.attname) for f in
                                             StoredObligation._meta.concrete_fields}, **shape})
            shown = duty(changed, as_of, name="Test")
            statuses.add((shown.status, shown.obligation.late))
            expected = render_to_string("web/includes/duty_status.html", {"duty": shown})
            assert _squeezed(status_html(shown)) == _squeezed(expected), (shape, shown.status)
    assert {status for status, _ in statuses} == {"upcoming", "pending", "overdue", "done", "missed", "not_done"}
    assert ("done", True) in statuses


def test_a_roles_queue_names_the_role_as_a_sentence_would() -> None:
    """An abbreviation keeps its capitals: "Every MCT admin", not "Every mCT admin"."""
    for role, words in ((Role.MCT_ADMIN, "Every MCT admin"), (Role.SOCIAL_WORKER, "Every social worker")):
        row = StoredObligation(owner_queue=OwnerQueue.ROLE, responsible_role=role)
        assert owner_text(row) == words


def test_an_inline_form_drawn_once_is_the_form_drawn_for_each_row(monkeypatch: Any) -> None:
    instant = timezone.now()
    monkeypatch.setattr("homeward.web.forms.episodes._now", lambda: instant)
    monkeypatch.setattr("homeward.web.forms.meetings._now", lambda: instant)
    drawn = FormsOnce()
    for code in ("manager_informed", "police_informed", "risk_analysis"):
        for pk in (7, 1234):
            expected = render_to_string("web/fields/form_fields.html",
                                        {"form": ActionForm(auto_id=f"o{pk}_%s", action=code)})
            assert drawn.fields(code, lambda auto_id, code=code: ActionForm(auto_id=auto_id, action=code),
                                f"o{pk}_") == expected
            assert f'id="o{pk}_at_day"' in expected
    expected = render_to_string("web/fields/form_fields.html",
                                {"form": MeetingActionDoneForm(auto_id="a5_%s"), "rows": 2})
    assert drawn.fields("done", lambda auto_id: MeetingActionDoneForm(auto_id=auto_id), "a5_", rows=2) == expected
    with pytest.raises(ValueError, match="unbound"):
        FormsOnce().fields("bound", lambda auto_id: ActionForm({}, auto_id=auto_id), "o1_")


def test_a_form_drawn_once_in_the_process_is_drawn_again_when_what_it_is_drawn_from_changes(
    monkeypatch: Any,
) -> None:
    """Later pages take a kind of form already drawn from the process, and draw it afresh
    when its time, its choices or the template's context differ."""
    from homeward.reference.selectors import police_force_choices

    instant = timezone.now().replace(second=0, microsecond=0)
    monkeypatch.setattr("homeward.web.forms.episodes._now", lambda: instant)
    drawings: list[str] = []
    real = worklist.render_to_string

    def counted(template: str, context: dict[str, Any]) -> str:
        drawings.append(template)
        return str(real(template, context))

    monkeypatch.setattr(worklist, "render_to_string", counted)
    monkeypatch.setattr(worklist, "_DRAWN_IN_PROCESS", {})

    def police_informed(pk: int) -> str:
        return FormsOnce().fields("police_informed", lambda auto_id: ActionForm(auto_id=auto_id,
                                                                                action="police_informed"), f"o{pk}_")

    first = police_informed(1)
    assert police_informed(2) == first.replace("o1_", "o2_") and len(drawings) == 1
    # A minute on: the time it offers has changed, so it is drawn again.
    instant += timedelta(minutes=1)
    later = police_informed(3)
    assert len(drawings) == 2 and later != first.replace("o1_", "o3_")
    assert later == render_to_string("web/fields/form_fields.html",
                                     {"form": ActionForm(auto_id="o3_%s", action="police_informed")})
    # A police force added: its choices have changed.
    monkeypatch.setattr("homeward.web.forms.episodes.police_force_choices",
                        lambda: [*police_force_choices(), ("ZZ01", "Zedshire Police")])
    assert "Zedshire Police" in police_informed(4) and len(drawings) == 3
    # The same form with another context is another drawing.
    FormsOnce().fields("done", lambda auto_id: MeetingActionDoneForm(auto_id=auto_id), "a1_", rows=2)
    FormsOnce().fields("done", lambda auto_id: MeetingActionDoneForm(auto_id=auto_id), "a1_", rows=3)
    assert len(drawings) == 5
    # Kept within its bound.
    monkeypatch.setattr(worklist, "_DRAWN_KEPT", 2)
    instant += timedelta(minutes=1)
    police_informed(5)
    assert len(drawings) == 6 and len(worklist._DRAWN_IN_PROCESS) == 2


def test_each_worklist_section_pages_and_its_links_keep_the_other_sections_where_they_are(
    web: Client, coordinator: Any, make_child: Any, monkeypatch: Any,
) -> None:
    monkeypatch.setattr(board, "WORKLIST_LIMIT", 2)
    episodes = [_report(coordinator, make_child(), hours) for hours in (5, 4, 3)]
    first = web.get("/").content.decode()
    # Each report was to reach the police within the hour: three overdue, two to a page.
    assert "Overdue (3)" in first
    assert first.count('id="duty-') >= 2
    assert "Showing 1 to 2 of 3" in first
    assert '<nav class="govuk-pagination govuk-pagination--block" aria-label="Overdue: pages">' in first
    assert 'href="?overdue_page=2#overdue" rel="next"' in first
    assert 'Next<span class="govuk-visually-hidden"> page of overdue</span>' in first
    assert "3 to 3</span>" in first
    assert 'rel="prev"' not in first.split('id="overdue"')[1].split('id="due-today"')[0]
    overdue_first = first.split('id="overdue"')[1].split('id="due-today"')[0]
    assert f'href="/episodes/{episodes[0].pk}"' in overdue_first
    assert f'href="/episodes/{episodes[2].pk}"' not in overdue_first

    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    second = web.get("/?overdue_page=2&due_soon_page=2").content.decode()
    overdue_second = second.split('id="overdue"')[1].split('id="due-today"')[0]
    assert "Showing 3 to 3 of 3" in overdue_second
    assert f'href="/episodes/{episodes[2].pk}"' in overdue_second
    assert f'href="/episodes/{episodes[0].pk}"' not in overdue_second
    # Back to the first page of overdue duties, the due-soon section left on its page.
    assert 'href="?due_soon_page=2#overdue" rel="prev"' in overdue_second
    assert 'rel="next"' not in overdue_second
    # The page names the children it shows, each audited (ADR 0009).
    named = set(AuditEntry.objects.filter(pk__gt=last, object_type="worklist").values_list("child_id", flat=True))
    assert episodes[2].child_id in named

    beyond = web.get("/?overdue_page=9").content.decode()
    assert "Overdue (3)" in beyond
    assert 'Nothing on this page: <a class="govuk-link" href="?#overdue">back to the first page</a>' in beyond
    for nonsense in ("nonsense", "0", "-1", "\u00b2", "9" * 5000):
        assert "Showing 1 to 2 of 3" in web.get("/", {"overdue_page": nonsense}).content.decode()


def _statements(client: Any, path: str) -> int:
    client.get(path)  # a client's first request also sets up its session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries.captured_queries)


def test_the_worklists_and_the_board_read_as_many_statements_for_one_duty_as_for_a_page_of_them(
    web: Client, api_for: Any, coordinator: Any, make_child: Any, monkeypatch: Any,
) -> None:
    monkeypatch.setattr(board, "WORKLIST_LIMIT", 2)
    monkeypatch.setattr(board, "BOARD_PAGE_SIZE", 2)
    api = api_for(coordinator)
    _report(coordinator, make_child(), 5)
    paths = ("/", "/missing-now", "/api/v1/worklist?status=overdue&page_size=2")
    few = {path: _statements(api if path.startswith("/api") else web, path) for path in paths}
    for hours in (4, 3, 2, 26):
        _report(coordinator, make_child(), hours)
    page = web.get("/").content.decode()
    assert 'rel="next"' in page  # more than a page of overdue duties
    many = {path: _statements(api if path.startswith("/api") else web, path) for path in paths}
    assert many == few


def test_the_board_says_each_episodes_next_duty_and_keeps_the_chosen_team(
    web: Client, coordinator: Any, make_child: Any, make_user: Any,
) -> None:
    from homeward.accounts.models import Team

    make_user("social_worker", team="Children in Care North")
    episode = _report(coordinator, make_child(team="Children in Care North"), 3)
    following = (StoredObligation.objects.filter(episode=episode, done_at__isnull=True, for_information=False,
                                                 arises_at__lte=timezone.now())
                 .order_by("due_at", "id").first())
    assert following is not None
    page = web.get("/missing-now").content.decode()
    assert f"{following.title}, due" in page
    team = Team.objects.get(name="Children in Care North")
    chosen = web.get(f"/missing-now?team={team.pk}").content.decode()
    assert f'<option value="{team.pk}" selected>Children in Care North</option>' in chosen
    assert '<option value="" selected>Any risk</option>' not in chosen
    assert '<option value="">Any risk</option>' in chosen


# The home page's action items as its template drew them, before ActionRows.
_FORMER_ACTIONS = Template(
    "{% load homeward %}{% url 'web:home' as home_url %}"
    "{% if meeting %}<li>"
    "<a class=\"govuk-link\" href=\"{% url 'web:episode' action.meeting.episode_id %}#action-{{ action.pk }}\">"
    "{{ action.meeting.episode.child.full_name }}</a>: {{ action.description }}{% if action.due %}, due "
    "{{ action.due|ukdate }}{% if action.due < today %} <strong class=\"govuk-tag govuk-tag--red\">Overdue</strong>"
    "{% endif %}{% endif %}\n    <br><span class=\"govuk-body-s\">{{ action.meeting.get_kind_display }}, "
    "{{ action.meeting.held_at|london }}</span>\n    {% if form %}{% include \"web/meetings/action_form.html\" with "
    "episode_id=action.meeting.episode_id next=home_url %}{% endif %}</li>"
    "{% else %}<li>"
    "<a class=\"govuk-link\" href=\"{% url 'web:episode' action.plan.episode_id %}#plan-action-{{ action.pk }}\">"
    "{{ action.plan.episode.child.full_name }}</a>: {{ action.description }}{% if action.due %}, due "
    "{{ action.due|ukdate }}{% if action.due < today %} <strong class=\"govuk-tag govuk-tag--red\">Overdue</strong>"
    "{% endif %}{% endif %}\n    {% if form %}{% include \"web/plans/action_form.html\" with "
    "episode_id=action.plan.episode_id next=home_url %}{% endif %}</li>{% endif %}"
)


def test_an_action_of_a_meeting_or_plan_is_drawn_as_the_template_drew_it(
    coordinator: Any, make_child: Any, make_user: Any, monkeypatch: Any,
) -> None:
    from homeward.casework.meetings import AgreedAction, strategy_meeting_record
    from homeward.casework.plans import PlanContent, PlannedAction, action_plan_record
    from homeward.meetings.models import MeetingAction, MeetingKind
    from homeward.plans.models import PlanAction
    from homeward.web.worklist import MEETING_ACTION_VALUES, PLAN_ACTION_VALUES, ActionRows

    instant = timezone.now()
    monkeypatch.setattr("homeward.web.forms.meetings._now", lambda: instant)
    episode = _report(coordinator, make_child(given_name="Ella", family_name="O'Neill"), 30)
    strategy_meeting_record(
        actor=coordinator, episode=episode, held_at=instant - timedelta(hours=6), kind="missing_strategy",
        attendees=["Priya Shah"], actions=[
            AgreedAction(owner="Priya Shah", description="Visit <the> address", due=timezone.localdate()
                         - timedelta(days=1)),
            AgreedAction(owner="Registered manager", description="Search the room")])
    make_user("social_worker", username="sw1")
    action_plan_record(actor=coordinator, episode=episode, agreed_at=instant - timedelta(hours=20), content=PlanContent(
        contact_by="Sam", contact_how="Texts", family_told="Told", family_how_often="Daily", return_who_sees="Carer",
        return_where="Home", return_interviewer="Aisha"), actions=[
            PlannedAction(owner="sw1", description="Ring the school", due=timezone.localdate() + timedelta(days=2)),
            PlannedAction(owner="Carer", description="Check the phone")])
    request = RequestFactory().get("/")
    request.user = coordinator
    today = timezone.localdate(instant)
    drawn = ActionRows(request, FormsOnce(), back_to="/", today=today, kinds=dict(MeetingKind.choices))
    checked = 0
    for model, values, meeting in ((MeetingAction, MEETING_ACTION_VALUES, True), (PlanAction, PLAN_ACTION_VALUES,
                                                                                   False)):
        for action in model.objects.all():
            row = model.objects.filter(pk=action.pk).values(*values).get()
            for may in (True, False):
                form = MeetingActionDoneForm(auto_id=f"{'a' if meeting else 'p'}{action.pk}_%s") if may else None
                expected = _FORMER_ACTIONS.render(RequestContext(request, {
                    "action": action, "form": form, "today": today, "meeting": meeting}))
                ours = drawn.meeting(row, may) if meeting else drawn.plan(row, may)
                assert _squeezed(ours) == _squeezed(expected), (action.description, may)
                checked += 1
    assert checked == 8


# A row of the board's table as its template drew it, before BoardRowsDrawn.
_FORMER_BOARD_ROW = Template(
    "{% load homeward %}{% with episode=row.episode %}<tr class=\"govuk-table__row\">"
    "<th scope=\"row\" class=\"govuk-table__header\">"
    "<a class=\"govuk-link\" href=\"{% url 'web:episode' episode.pk %}\">"
    "{{ episode.child.full_name }}</a><br><span class=\"govuk-body-s\">{{ episode.child.external_id|default:\""
    "case-system id not yet recorded\" }}, {{ episode.get_classification_display|lower }}</span></th>"
    "<td class=\"govuk-table__cell\"><span class=\"homeward-nowrap\">{{ row.missing_for }}</span><br>"
    "<span class=\"govuk-body-s\">since {{ episode.missing_since|london }}</span></td>"
    "<td class=\"govuk-table__cell\">{% include \"web/includes/risk_tag.html\" %}</td>"
    "<td class=\"govuk-table__cell\">{{ row.looked_after|yesno:\"Yes,No\" }}</td>"
    "<td class=\"govuk-table__cell\">{% if row.placement %}{{ row.placement.provider|default:\"Placed\" }}, "
    "{{ row.placement.authority.name }}{% else %}Not placed{% endif %}</td>"
    "<td class=\"govuk-table__cell\">{% if row.next_due_at %}{% if row.next_overdue %}<strong class=\"govuk-tag "
    "govuk-tag--red\">Overdue</strong> {% endif %}{{ row.next_title }}, due {{ row.next_due_at|london }}{% else %}"
    "Nothing due{% endif %}</td>"
    "<td class=\"govuk-table__cell\">{% if row.high_risk %}<strong class=\"govuk-tag govuk-tag--red\">High risk"
    "</strong> {% endif %}{% if row.over_72_hours %}<strong class=\"govuk-tag govuk-tag--purple\">Over 72 hours"
    "</strong>{% endif %}{% if not row.high_risk and not row.over_72_hours %}None{% endif %}</td>"
    "</tr>{% endwith %}"
)


def test_a_row_of_the_board_is_drawn_as_the_template_drew_it(
    coordinator: Any, make_child: Any,
) -> None:
    from dataclasses import replace

    from homeward.web.worklist import BoardRowsDrawn

    _report(coordinator, make_child(given_name="Zoë", family_name="O'Hara",
                                    placement={"authority": "941", "provider": "Hill <House>"}), 80)
    _report(coordinator, make_child(legal_status="none"), 2)
    rows = board.board_rows(list(board.board_episodes(coordinator, timezone.now(), {})), timezone.now())
    assert len(rows) == 2
    rows[1].episode.child.external_id = ""  # a child not yet on the case system (as imported)
    variants = [variant for row in rows for variant in (
        row, replace(row, next_due_at=None, next_title=None), replace(row, high_risk=True, over_72_hours=True),
        replace(row, placement=None))]
    drawn = BoardRowsDrawn()
    for row in variants:
        assert _squeezed(drawn.row(row)) == _squeezed(_FORMER_BOARD_ROW.render(Context({"row": row}))), row
    for level in ("high", "medium", "low", "very_low", ""):
        rows[0].episode.risk_level = level
        shown = _squeezed(drawn.row(rows[0]))
        assert shown == _squeezed(_FORMER_BOARD_ROW.render(Context({"row": rows[0]}))), level
        assert ("Not graded" in shown) == (level == "")


def test_a_worklist_row_read_as_values_holds_what_a_model_read_holds(coordinator: Any, make_child: Any,
                                                                     make_user: Any) -> None:
    from homeward.obligations.selectors import worklist_rows

    make_user("social_worker", team="Children in Care North", username="sw")
    for hours, team in ((5, "Children in Care North"), (3, None)):
        _report(coordinator, make_child(team=team, known_as="Jo"), hours)
    ids = list(StoredObligation.objects.values_list("pk", flat=True))
    rows = worklist_rows(ids)
    assert len(rows) == len(ids) > 4
    for full in StoredObligation.objects.filter(pk__in=ids).select_related("child", "owner_user", "owner_team"):
        row = rows[full.pk]
        assert not row._state.adding
        for name in ("episode_id", "child_id", "code", "instance", "title", "responsible_role", "arises_at", "due_at",
                     "done_at", "basis", "listed_from", "lapses_at", "ended_at", "for_information", "owner_queue"):
            assert getattr(row, name) == getattr(full, name), name
        assert (row.child.full_name, row.child.known_as) == (full.child.full_name, full.child.known_as)
        assert duty(row, timezone.now()).owner == duty(full, timezone.now()).owner
        assert duty(row, timezone.now()).sentence == duty(full, timezone.now()).sentence
    owners = {duty(row, timezone.now()).owner for row in rows.values()}
    assert {"Children in Care North queue", "Front door (MASH) queue"} <= owners
