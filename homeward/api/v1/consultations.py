"""Consultations and referrals as decisions, the prompts for them, and their counts
(DOMAIN.md section 5a)."""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.permissions import Capability, require
from homeward.api.views import HomewardAPIView
from homeward.audit.services import audit_record
from homeward.casework.consultations import (
    consultation_record,
    consultation_record_outcome,
    episode_consultation_prompts,
)
from homeward.consultations.models import Consultation, ConsultationKind, Decision
from homeward.consultations.selectors import (
    consultation_counts,
    consultation_get_for_user,
    consultation_list_for_user,
    consultation_period,
)
from homeward.episodes.selectors import episode_get_for_user
from homeward.protocol.consultations import TRIGGERS, Prompt

from .fields import AwareDateTimeField, query_text


class ConsultationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ConsultationKind.choices)
    decision = serializers.ChoiceField(choices=Decision.choices, help_text="`made` or `not_made`.")
    decided_at = AwareDateTimeField(help_text="When the decision was made.")
    reason = serializers.CharField(help_text="Why it was, or was not, made.")
    decided_by = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                       help_text="Who decided (name and role); default the person recording it.")


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text="What came of it: the discussion's decision, the assessment's "
                                              "result, the panel's plan.")
    outcome_at = AwareDateTimeField(help_text="When the outcome was known.")


class ConsultationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    decision = serializers.CharField()
    decided_at = serializers.DateTimeField()
    decided_by = serializers.CharField()
    reason = serializers.CharField()
    prompted_by = serializers.ListField(child=serializers.ChoiceField(choices=TRIGGERS),
                                        help_text="What prompted it when decided.")
    recorded_by = serializers.CharField(allow_null=True)
    recorded_at = serializers.DateTimeField()
    outcome = serializers.CharField(help_text="Empty until recorded.")
    outcome_at = serializers.DateTimeField(allow_null=True)
    outcome_due = serializers.BooleanField(help_text="Made, with no outcome recorded yet.")


class PromptOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    triggers = serializers.ListField(child=serializers.ChoiceField(choices=TRIGGERS))
    reason = serializers.CharField()
    source = serializers.CharField(  # type: ignore[assignment]
        help_text="The guidance that asks it to be considered.")
    answered = serializers.BooleanField(help_text="A decision of this kind is recorded on the episode.")


class EpisodeConsultationsOutputSerializer(serializers.Serializer):
    prompts = PromptOutputSerializer(many=True)
    consultations = ConsultationOutputSerializer(many=True)


class CountOutputSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    considered = serializers.IntegerField()
    made = serializers.IntegerField()
    not_made = serializers.IntegerField()
    with_outcome = serializers.IntegerField()
    prompted = serializers.IntegerField()


class CountsOutputSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()
    counts = CountOutputSerializer(many=True)


def consultation_representation(consultation: Consultation) -> dict[str, Any]:
    return {
        "id": consultation.pk, "kind": consultation.kind, "label": consultation.get_kind_display(),
        "decision": consultation.decision, "decided_at": consultation.decided_at,
        "decided_by": consultation.decided_by, "reason": consultation.reason,
        "prompted_by": list(consultation.prompted_by),
        "recorded_by": consultation.recorded_by.username if consultation.recorded_by else None,
        "recorded_at": consultation.created_at, "outcome": consultation.outcome,
        "outcome_at": consultation.outcome_at,
        "outcome_due": consultation.decision == Decision.MADE and consultation.outcome_at is None,
    }


def prompt_representation(prompt: Prompt) -> dict[str, Any]:
    return {"kind": prompt.kind, "label": prompt.label, "triggers": list(prompt.triggers), "reason": prompt.reason,
            "source": prompt.source, "answered": prompt.answered}


class EpisodeConsultationsView(HomewardAPIView):
    @extend_schema(responses={200: EpisodeConsultationsOutputSerializer}, operation_id="episode_consultations")
    def get(self, request: Request, episode_id: int) -> Response:
        """The consultations and referrals the episode's situation prompts (exploitation
        indicators, high risk, unallocated with vulnerability, repeat missing), and every decision
        recorded, oldest first. Not for police liaison (social care's record)."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id)
        consultations = list(consultation_list_for_user(actor).filter(episode=episode).order_by("decided_at", "id"))
        audit_record(actor=actor, action="view", object_type="consultations", object_id=str(episode.pk),
                     child_id=episode.child_id, detail={"consultations": [c.pk for c in consultations]})
        return Response({"prompts": [prompt_representation(p) for p in episode_consultation_prompts(episode)],
                         "consultations": [consultation_representation(c) for c in consultations]})

    @extend_schema(request=ConsultationSerializer, responses={201: ConsultationOutputSerializer},
                   operation_id="episode_consultation")
    def post(self, request: Request, episode_id: int) -> Response:
        """Record a consultation or referral considered: the decision, the reason, who decided."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.CONSULTATION_RECORD)
        serializer = ConsultationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consultation = consultation_record(actor=actor, episode=episode, **serializer.validated_data)
        return Response(consultation_representation(consultation), status=status.HTTP_201_CREATED)


class ConsultationOutcomeView(HomewardAPIView):
    @extend_schema(request=OutcomeSerializer, responses={200: ConsultationOutputSerializer},
                   operation_id="episode_consultation_outcome")
    def post(self, request: Request, episode_id: int, consultation_id: int) -> Response:
        """The outcome of a consultation or referral that was made; once. 400 naming
        `consultation` for one not made or with its outcome already recorded."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.CONSULTATION_OUTCOME)
        consultation = consultation_get_for_user(actor, episode_id=episode.pk, consultation_id=consultation_id,
                                                 audit=False)
        serializer = OutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consultation = consultation_record_outcome(actor=actor, consultation=consultation,
                                                   **serializer.validated_data)
        return Response(consultation_representation(consultation))


class ConsultationCountsView(HomewardAPIView):
    @extend_schema(
        summary="Consultations and referrals considered, made and with an outcome, by kind",
        description="Counts of decisions dated in the period (`decided_at`, Europe/London dates), per kind: "
                    "considered, made, not made, made with an outcome recorded, and prompted. Counts alone.",
        parameters=[OpenApiParameter("from", date, description="First day (YYYY-MM-DD); default a year before "
                                                               "`to`."),
                    OpenApiParameter("to", date, description="Last day (YYYY-MM-DD), inclusive; default today.")],
        responses={200: CountsOutputSerializer}, operation_id="report_consultations",
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        require(actor, Capability.REPORT_READ)
        first, last, since, until = consultation_period(query_text(request, "from"), query_text(request, "to"))
        return Response({"since": first, "until": last, "counts": consultation_counts(since=since, until=until)})


