"""Episodes: report, list, read, regrade, reclassify, record found, cancel."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from homeward.accounts.permissions import Capability, require, scoped_to_visible_children
from homeward.api.pagination import COUNT_CAP, CountedPagination
from homeward.api.views import HomewardAPIView
from homeward.audit.services import audit_list_read
from homeward.casework.episodes import (
    episode_cancel,
    episode_change_whereabouts,
    episode_reclassify,
    episode_record_found,
    episode_regrade_risk,
    episode_report,
)
from homeward.children.models import Child
from homeward.common.errors import DomainValidationError
from homeward.common.prefetch import rows_held
from homeward.episodes.models import (
    Classification,
    ClassificationChange,
    Episode,
    EpisodeStatus,
    MissingFrom,
    ReportedBy,
    RiskGrading,
    RiskLevel,
    WhereaboutsChange,
)
from homeward.episodes.selectors import episode_get_for_user, episode_list_for_user, episode_rows_known
from homeward.interviews.models import ReturnInterview, RhiVersion
from homeward.interviews.selectors import rhi_state

from .fields import AwareDateTimeField, query_choice, query_number, query_text


class EpisodeReportSerializer(serializers.Serializer):
    child = serializers.IntegerField(help_text="The child's Homeward id.")
    reported_at = AwareDateTimeField()
    reported_by = serializers.ChoiceField(choices=ReportedBy.choices)
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    last_seen_at = AwareDateTimeField(required=False, allow_null=True)
    location_last_seen = serializers.CharField(required=False, allow_blank=True, max_length=300)
    circumstances = serializers.CharField(required=False, allow_blank=True)
    missing_from = serializers.ChoiceField(choices=MissingFrom.choices, required=False, allow_blank=True)
    classification = serializers.ChoiceField(choices=Classification.choices, default=Classification.MISSING)
    whereabouts_known = serializers.BooleanField(default=False)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, allow_blank=True)
    police_force = serializers.CharField(required=False, allow_blank=True, max_length=60)
    police_reference = serializers.CharField(required=False, allow_blank=True, max_length=60)


class RiskGradingSerializer(serializers.Serializer):
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    graded_at = AwareDateTimeField()
    graded_by = serializers.CharField(required=False, allow_blank=True, max_length=200)
    rationale = serializers.CharField(required=False, allow_blank=True)


class ClassificationSerializer(serializers.Serializer):
    classification = serializers.ChoiceField(choices=Classification.choices)
    at = AwareDateTimeField()
    rationale = serializers.CharField(required=False, allow_blank=True)


class FoundSerializer(serializers.Serializer):
    found_at = AwareDateTimeField()
    found_location = serializers.CharField(required=False, allow_blank=True, max_length=300)
    found_by = serializers.CharField(required=False, allow_blank=True, max_length=200)
    whereabouts = serializers.CharField(required=False, allow_blank=True)
    with_whom = serializers.CharField(required=False, allow_blank=True)
    condition = serializers.CharField(required=False, allow_blank=True)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField()


class RhiResponsibilitySerializer(serializers.Serializer):
    authority = serializers.CharField(allow_null=True)
    out_of_area = serializers.BooleanField(
        help_text="The placement lies outside the home authority, neighbouring authorities included.")
    neighbouring = serializers.BooleanField(
        help_text="The placement lies in a neighbouring authority of the protocol's pilot (seed 001).")
    chargeable = serializers.BooleanField()


class EpisodeOutputSerializer(serializers.Serializer):
    """Documents the answer; built by episode_representation."""

    id = serializers.IntegerField()
    child = serializers.IntegerField()
    status = serializers.ChoiceField(choices=EpisodeStatus.choices)
    classification = serializers.CharField()
    risk_level = serializers.CharField(allow_blank=True)
    reported_at = serializers.DateTimeField()
    missing_since = serializers.DateTimeField()
    found_at = serializers.DateTimeField(allow_null=True)
    rhi_responsibility = RhiResponsibilitySerializer()
    rhi = serializers.DictField()


@dataclass
class EpisodeRows:
    """What `episode_representation` reads beyond the episode row, read for a page at once."""

    whereabouts_changes: list[WhereaboutsChange] = field(default_factory=list)
    classifications: list[ClassificationChange] = field(default_factory=list)
    risk_gradings: list[RiskGrading] = field(default_factory=list)


def episode_representation(episode: Episode, *, prefetched: bool = False,
                           rows: EpisodeRows | None = None) -> dict[str, Any]:
    """The episode as API.md names it; `prefetched` when a list read its interview with it
    (`episode_rows_read`), `rows` its other rows."""
    return {
        "id": episode.pk,
        "child": episode.child_id,
        "status": episode.status,
        "classification": episode.classification,
        "whereabouts_known": episode.whereabouts_known,
        "risk_level": episode.risk_level,
        "reported_at": episode.reported_at,
        "reported_by": episode.reported_by,
        "reporter_name": episode.reporter_name,
        "last_seen_at": episode.last_seen_at,
        "location_last_seen": episode.location_last_seen,
        "missing_since": episode.missing_since,
        "circumstances": episode.circumstances,
        "missing_from": episode.missing_from,
        "police_force": episode.police_force.code if episode.police_force else None,
        # As the reporter gave it: one held for the MCT to confirm (issue 14) reads the same.
        "police_reference": episode.police_reference or episode.police_reference_conflict,
        "found_at": episode.found_at,
        "found_location": episode.found_location,
        "found_by": episode.found_by,
        "whereabouts": episode.whereabouts,
        "with_whom": episode.with_whom,
        "condition": episode.condition,
        "closed_at": episode.closed_at,
        "cancelled_at": episode.cancelled_at,
        "cancel_reason": episode.cancel_reason,
        "rhi_responsibility": {
            "authority": episode.rhi_authority.code if episode.rhi_authority else None,
            "out_of_area": episode.rhi_out_of_area,
            "neighbouring": episode.rhi_neighbouring,
            "chargeable": episode.rhi_chargeable,
        },
        "rhi": rhi_state(episode, prefetched=prefetched),
        # Sorted here, not by the query, so that a list's prefetched rows serve (EPISODE_PREFETCH).
        "whereabouts_history": [
            {"whereabouts_known": w.whereabouts_known, "at": w.at, "rationale": w.rationale}
            for w in sorted(rows.whereabouts_changes if rows else episode.whereabouts_changes.all(),
                            key=lambda w: (w.at, w.pk))
        ],
        "close_reason": episode.close_reason,
        "classification_history": [
            {"classification": c.classification, "at": c.at, "rationale": c.rationale}
            for c in sorted(rows.classifications if rows else episode.classifications.all(), key=lambda c: (c.at, c.pk))
        ],
        "risk_gradings": [
            {"risk_level": g.risk_level, "graded_at": g.graded_at, "graded_by": g.graded_by,
             "rationale": g.rationale}
            for g in sorted(rows.risk_gradings if rows else episode.risk_gradings.all(),
                            key=lambda g: (g.graded_at, g.pk))
        ],
    }


def episode_rows_read(episodes: list[Episode]) -> dict[int, EpisodeRows]:
    """What `episode_representation` reads beyond the episode rows, for a page of episodes: one
    query per kind by the page's ids, whether or not there is any (it was seven a row, then a
    prefetch whose machinery cost more than its queries, issue 11). Unordered: the
    representation sorts them. Each episode's interview (with its practitioner and versions) is
    held on it as prefetch_related would."""
    ids = [episode.pk for episode in episodes]
    held = {episode_id: EpisodeRows() for episode_id in ids}
    if not ids:
        return held
    for name, model in (("whereabouts_changes", WhereaboutsChange), ("classifications", ClassificationChange),
                        ("risk_gradings", RiskGrading)):
        for row in model.objects.filter(episode_id__in=ids).order_by():
            getattr(held[row.episode_id], name).append(row)
    rhis = {rhi.episode_id: rhi for rhi in ReturnInterview.objects.filter(episode_id__in=ids)
            .select_related("practitioner")}
    versions: dict[int, list[RhiVersion]] = defaultdict(list)
    for version in RhiVersion.objects.filter(interview__episode_id__in=ids).order_by():
        versions[version.interview_id].append(version)
    for episode in episodes:
        rhi = rhis.get(episode.pk)
        Episode.rhi.related.set_cached_value(episode, rhi)
        if rhi is not None:
            rows_held(rhi, {"versions": versions[rhi.pk]})
    return held


# A page's cursor: its last episode's start, in microseconds since 1900 (UTC), and its id. Opaque
# to the caller, and any text of this form reads as a place in the list (none is a 500 or a
# surprise 400 to a client that checks the pattern).
_CURSOR_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
CURSOR_PATTERN = r"^[0-9]{1,17}\.[0-9]{1,18}$"


def _cursor(episode: Episode) -> str:
    return f"{(episode.missing_since - _CURSOR_EPOCH) // timedelta(microseconds=1)}.{episode.pk}"


def _cursor_read(text: str) -> tuple[datetime, int]:
    if not re.fullmatch(CURSOR_PATTERN[1:-1], text):
        raise DomainValidationError.single("after", "Give the next_cursor of the page before, as it was given.")
    micros, _, pk = text.partition(".")
    return _CURSOR_EPOCH + timedelta(microseconds=int(micros)), int(pk)


class EpisodePagination(CountedPagination):
    """The episode list's pages (newest first), each with `next_cursor`; given as `after`, it
    reads the page after that episode through the index, however deep in the history (keyset;
    a page number reads and skips every row before it, issue 11). In that form `next` carries
    `after` too, `previous` is null, and `count` is still the whole list's, up to COUNT_CAP."""

    after: tuple[datetime, int] | None = None

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any]:
        after = query_text(request, "after")
        if after is None:
            rows = super().paginate_queryset(queryset, request, view)
        else:
            self.after = at, pk = _cursor_read(after)
            size = self.get_page_size(request)
            counted = self.counted(queryset)
            rows = list(counted.filter(Q(missing_since__lt=at) | Q(missing_since=at, pk__lt=pk))[:size + 1])
            if not rows:
                raise NotFound("There is no such page.")
            self.request, self.number = request, 1
            self.has_next, rows = len(rows) > size, rows[:size]
            total = rows[0].listed_count
            self.count, self.count_capped = min(total, COUNT_CAP), total > COUNT_CAP
        self.next_cursor = _cursor(rows[-1]) if self.has_next else None
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        if self.after is not None:
            url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
            response.data["next"] = replace_query_param(url, "after", self.next_cursor) if self.next_cursor else None
            response.data["previous"] = None
        response.data["next_cursor"] = self.next_cursor
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["next_cursor"] = {
            "type": "string", "nullable": True,
            "description": "Give it as `after` for the next page, read through the index however deep."}
        return answer

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [*super().get_schema_operation_parameters(view), {
            "name": "after", "required": False, "in": "query", "schema": {"type": "string", "pattern": CURSOR_PATTERN},
            "description": "The `next_cursor` of the page before: the page after it (then `page` is not read)."}]


class EpisodeListCreateView(HomewardAPIView):
    # Answers a page (count, next, previous, results, next_cursor): the OpenAPI description says so.
    pagination_class = EpisodePagination

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=EpisodeStatus.values),
            OpenApiParameter("child", int),
            OpenApiParameter("risk_level", str, enum=RiskLevel.values),
            OpenApiParameter("page", int),
            OpenApiParameter("after", str, pattern=CURSOR_PATTERN,
                             description="The `next_cursor` of the page before: the page after it, "
                             "read through the index however deep (then `page` is not read)."),
        ],
        responses={200: EpisodeOutputSerializer(many=True)},
        operation_id="episode_list",
    )
    def get(self, request: Request) -> Response:
        # The representation names the child by id only: not joined.
        queryset = (episode_list_for_user(self.actor(request)).select_related(None)
                    .select_related("police_force", "rhi_authority").order_by("-missing_since", "-id"))
        filters = {"status": EpisodeStatus, "risk_level": RiskLevel}
        for name, choices in filters.items():
            value = query_choice(request, name, choices.values)
            if value:
                queryset = queryset.filter(**{name: value})
        child = query_number(request, "child", message="Give the child's numeric id.")
        if child is not None:
            queryset = queryset.filter(child_id=child)
        paginator = EpisodePagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        audit_list_read(actor=self.actor(request), object_type="episode_list",
                        rows=[(e.pk, e.child_id) for e in page], query=dict(request.query_params.items()))
        held = episode_rows_read(page)
        return paginator.get_paginated_response([episode_representation(e, prefetched=True, rows=held[e.pk])
                                                 for e in page])

    @extend_schema(request=EpisodeReportSerializer, responses={201: EpisodeOutputSerializer,
                                                               200: EpisodeOutputSerializer},
                   operation_id="episode_report")
    def post(self, request: Request) -> Response:
        require(self.actor(request), Capability.EPISODE_REPORT)
        serializer = EpisodeReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        # Whether the caller may see the child is asked by the report's own read of it.
        actor = self.actor(request)
        result = episode_report(actor=actor, child=data.pop("child"),
                                among=scoped_to_visible_children(Child.objects.all(), actor, "pk"), **data)
        if result.created:
            # The rows its report wrote, held as a list's prefetch would: nothing is read back.
            episode_rows_known(result.episode, **result.history)
        return Response(episode_representation(result.episode, prefetched=result.created),
                        status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class EpisodeDetailView(HomewardAPIView):
    @extend_schema(responses={200: EpisodeOutputSerializer}, operation_id="episode_get")
    def get(self, request: Request, episode_id: int) -> Response:
        return Response(episode_representation(episode_get_for_user(self.actor(request), episode_id)))


class RiskGradingView(HomewardAPIView):
    @extend_schema(request=RiskGradingSerializer, responses={201: EpisodeOutputSerializer},
                   operation_id="episode_regrade_risk")
    def post(self, request: Request, episode_id: int) -> Response:
        episode = episode_get_for_user(self.actor(request), episode_id, audit=False)
        require(self.actor(request), Capability.EPISODE_REGRADE)
        serializer = RiskGradingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        episode_regrade_risk(actor=self.actor(request), episode=episode, **serializer.validated_data)
        episode.refresh_from_db()
        return Response(episode_representation(episode), status=status.HTTP_201_CREATED)


class ClassificationView(HomewardAPIView):
    @extend_schema(request=ClassificationSerializer, responses={201: EpisodeOutputSerializer},
                   operation_id="episode_reclassify")
    def post(self, request: Request, episode_id: int) -> Response:
        episode = episode_get_for_user(self.actor(request), episode_id, audit=False)
        require(self.actor(request), Capability.EPISODE_RECLASSIFY)
        serializer = ClassificationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        episode_reclassify(actor=self.actor(request), episode=episode, **serializer.validated_data)
        episode.refresh_from_db()
        return Response(episode_representation(episode), status=status.HTTP_201_CREATED)


class FoundView(HomewardAPIView):
    @extend_schema(request=FoundSerializer, responses={200: EpisodeOutputSerializer},
                   operation_id="episode_record_found")
    def post(self, request: Request, episode_id: int) -> Response:
        episode = episode_get_for_user(self.actor(request), episode_id, audit=False)
        require(self.actor(request), Capability.EPISODE_RECORD_FOUND)
        serializer = FoundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        episode = episode_record_found(actor=self.actor(request), episode=episode, **serializer.validated_data)
        return Response(episode_representation(episode))


class CancelView(HomewardAPIView):
    @extend_schema(request=CancelSerializer, responses={200: EpisodeOutputSerializer},
                   operation_id="episode_cancel")
    def post(self, request: Request, episode_id: int) -> Response:
        episode = episode_get_for_user(self.actor(request), episode_id, audit=False)
        require(self.actor(request), Capability.EPISODE_CANCEL)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        episode = episode_cancel(actor=self.actor(request), episode=episode, **serializer.validated_data)
        return Response(episode_representation(episode))


class WhereaboutsSerializer(serializers.Serializer):
    whereabouts_known = serializers.BooleanField(
        help_text="true: away from placement, whereabouts known (SSDA903 A); false: missing (M).")
    at = AwareDateTimeField()
    rationale = serializers.CharField(required=False, allow_blank=True, default="")


class WhereaboutsView(HomewardAPIView):
    @extend_schema(request=WhereaboutsSerializer, responses={201: EpisodeOutputSerializer},
                   operation_id="episode_change_whereabouts")
    def post(self, request: Request, episode_id: int) -> Response:
        """Missing (M) or away (A) changes during the episode; each change is kept."""
        episode = episode_get_for_user(self.actor(request), episode_id, audit=False)
        require(self.actor(request), Capability.EPISODE_RECLASSIFY)
        serializer = WhereaboutsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        episode_change_whereabouts(actor=self.actor(request), episode=episode, **serializer.validated_data)
        episode.refresh_from_db()
        return Response(episode_representation(episode), status=status.HTTP_201_CREATED)
