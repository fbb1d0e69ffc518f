"""What is due, by when and why: an episode's obligations, and the caller's worklist."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.roles import Role
from homeward.api.pagination import Pagination
from homeward.api.views import HomewardAPIView
from homeward.audit.services import audit_list_read
from homeward.common.errors import DomainValidationError
from homeward.episodes.selectors import episode_get_for_user
from homeward.obligations.models import OwnerQueue, StoredObligation
from homeward.obligations.selectors import (
    EPISODE_LOOKAHEAD,
    STATUSES,
    WORKLIST_LOOKAHEAD,
    episode_obligation_rows,
    lookahead_problem,
    obligation_rows_for_user,
    stored_obligation,
    worklist_rows,
)
from homeward.obligations.services import episode_obligations_evaluate
from homeward.protocol import obligation_to_dict
from homeward.protocol.explain import explain
from homeward.protocol.obligation import Obligation

from .fields import query_choice, query_instant, query_number, query_text


def _as_of(request: Request, lookahead: timedelta) -> tuple[datetime, bool]:
    """The instant asked about, and whether it is the present (no `as_of` given)."""
    now = timezone.now()
    given = query_instant(request, "as_of")
    as_of = given or now
    problem = lookahead_problem(as_of, now=now, lookahead=lookahead)
    if problem:
        raise DomainValidationError.single("as_of", problem)
    return as_of, given is None


class BasisSerializer(serializers.Serializer):
    rule = serializers.CharField()
    trigger = serializers.CharField()
    trigger_at = serializers.DateTimeField()
    policy_value = serializers.CharField()
    citation = serializers.CharField()
    note = serializers.CharField()


class ObligationSerializer(serializers.Serializer):
    code = serializers.CharField()
    instance = serializers.IntegerField()
    title = serializers.CharField()
    responsible_role = serializers.CharField()
    arises_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    done_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=STATUSES, help_text=(
        "missed: a window of a repeating obligation that passed without its record; not_done: outstanding "
        "when the episode was closed, with the closing manager's reason (ended_reason)."))
    late = serializers.BooleanField()
    listed_from = serializers.DateTimeField(help_text="From when the obligation is listed.")
    lapses_at = serializers.DateTimeField(allow_null=True, help_text="A repeating window: missed if not done by then.")
    ended_at = serializers.DateTimeField(allow_null=True, help_text="The episode closed with it outstanding.")
    ended_reason = serializers.CharField(allow_blank=True)
    for_information = serializers.BooleanField(
        help_text="Another authority's duty (the placing authority's), shown for information only.")
    explanation = serializers.CharField(help_text="Why it is due, in a sentence.")
    basis = BasisSerializer()


class ObligationsAnswerSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField()
    episode = serializers.IntegerField()
    obligations = ObligationSerializer(many=True)


class EpisodeObligationsView(HomewardAPIView):
    @extend_schema(parameters=[OpenApiParameter("as_of", datetime, description="Default now; at most 366 days "
                                                "ahead.")], responses={200: ObligationsAnswerSerializer},
                   operation_id="episode_obligations")
    def get(self, request: Request, episode_id: int) -> Response:
        episode = episode_get_for_user(self.actor(request), episode_id)
        as_of, present = _as_of(request, EPISODE_LOOKAHEAD)
        if present:
            # Now: the stored rows, as the episode page and the worklists read them (ADR 0011),
            # instead of a dozen queries for the child's facts and the engine's run (issue 11).
            obligations: Sequence[Obligation] = [stored_obligation(row, as_of)
                                                 for row in episode_obligation_rows(episode, as_of)]
        else:
            # Another instant: the engine's answer from the facts known then.
            obligations = episode_obligations_evaluate(episode, as_of)
        name = episode.child.known_as or episode.child.given_name
        return Response({"as_of": as_of.isoformat(), "episode": episode.pk,
                         "obligations": [{**obligation_to_dict(o), "explanation": explain(o, child_name=name)}
                                         for o in obligations]})


def worklist_item(row: StoredObligation, as_of: datetime) -> dict[str, Any]:
    obligation = stored_obligation(row, as_of)
    return {
        "episode": row.episode_id,
        "child": row.child_id,
        "code": row.code,
        "instance": row.instance,
        "title": row.title,
        "responsible_role": row.responsible_role,
        "arises_at": row.arises_at,
        "due_at": row.due_at,
        "done_at": obligation.done_at,
        "status": obligation.status,
        "late": obligation.late,
        "listed_from": row.listed_from,
        "lapses_at": row.lapses_at,
        "ended_at": row.ended_at,
        "ended_reason": row.ended_reason,
        "for_information": row.for_information,
        "owner": {"queue": row.owner_queue, "user": row.owner_user.username if row.owner_user else None,
                  "team": row.owner_team.name if row.owner_team else None},
        "explanation": explain(obligation, child_name=row.child.known_as or row.child.given_name),
        "basis": row.basis,
    }


class WorklistPagination(Pagination):
    """The worklist's pages, each counted (up to COUNT_CAP), the last too: the same statements
    whatever the size of the authority."""

    always_count = True


class WorklistView(HomewardAPIView):
    # Answers a page (count, next, previous, results): the OpenAPI description says so.
    pagination_class = WorklistPagination

    @extend_schema(
        parameters=[OpenApiParameter("as_of", datetime, description="Default now; at most 7 days ahead."),
                    OpenApiParameter("status", str, enum=STATUSES),
                    OpenApiParameter("role", str, enum=Role.values),
                    OpenApiParameter("mine", bool, description="Only the caller's own worklist: theirs, their "
                                     "team's queue, their role's, and the front door's for co-ordinator and MCT."),
                    OpenApiParameter("team", int, description="Only children of this team (its id)."),
                    OpenApiParameter("code", str, description="Only this obligation code."),
                    OpenApiParameter("queue", str, enum=OwnerQueue.values,
                                     description="Only obligations owned this way (front_door: unowned work)."),
                    OpenApiParameter("page", int)],
        responses={200: ObligationSerializer(many=True)}, operation_id="worklist",
    )
    def get(self, request: Request) -> Response:
        as_of, present = _as_of(request, WORKLIST_LOOKAHEAD)
        status = query_choice(request, "status", STATUSES)
        role = query_choice(request, "role", Role.values)
        queue = query_choice(request, "queue", OwnerQueue.values)
        team = query_number(request, "team", message="Give the team's id, a whole number.")
        mine = (query_choice(request, "mine", ("true", "false", "True", "False", "1", "0")) or "").lower()
        code = query_text(request, "code")
        queryset = obligation_rows_for_user(
            self.actor(request), status=status, as_of=as_of, role=role, mine=mine in ("true", "1"),
            team=team, code=code, queue=queue, present=present,
        )
        paginator = WorklistPagination()
        if isinstance(queryset, QuerySet):
            # The page's keys first, then its rows with their child and owner by key (as the home
            # page's sections: joined to the ORDER BY ... LIMIT, the planner may misjudge it).
            keys = paginator.paginate_queryset(queryset.values_list("pk", flat=True), request, view=self)
            by_id = worklist_rows(keys)
            page = [by_id[pk] for pk in keys]
        else:
            page = paginator.paginate_queryset(queryset, request, view=self)
        audit_list_read(actor=self.actor(request), object_type="worklist",
                        rows=[(row.episode_id, row.child_id) for row in page], query=dict(request.query_params.items()))
        response = paginator.get_paginated_response([worklist_item(row, as_of) for row in page])
        response.data["as_of"] = as_of.isoformat()
        return response
