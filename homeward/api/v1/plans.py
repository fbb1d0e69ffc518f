"""Around the episode (DOMAIN.md section 5a): the missing child action plan, its actions,
reviews and update after the return; return visits; judgements that the child is vulnerable.
Views parse and answer; the casework services (homeward.casework.plans) decide."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.permissions import Capability, may_complete_meeting_action, require
from homeward.api.views import HomewardAPIView
from homeward.casework.plans import (
    PlanContent,
    PlannedAction,
    action_plan_record,
    plan_action_complete,
    plan_review_record,
    plan_update_record,
    return_visit_inform_parental_responsibility,
    return_visit_record,
    vulnerability_judge,
)
from homeward.common.converters import MAX_ID
from homeward.common.errors import DomainValidationError, PermissionDenied
from homeward.episodes.selectors import episode_get_for_user
from homeward.meetings.models import StrategyMeeting
from homeward.plans.models import ActionPlan, PlanAction, PlanUpdate, ReturnVisit, VulnerabilityJudgement
from homeward.plans.selectors import (
    action_plan_get,
    plan_action_get_for_user,
    plans_around_episode,
    return_visit_get_for_user,
)

from .fields import AwareDateTimeField


class PlannedActionSerializer(serializers.Serializer):
    owner = serializers.CharField(max_length=200)
    description = serializers.CharField()
    due = serializers.DateField(required=False, allow_null=True, default=None)


class ActionPlanSerializer(serializers.Serializer):
    agreed_at = AwareDateTimeField(help_text="When the plan was agreed.")
    contact_by = serializers.CharField(max_length=200, help_text="Who keeps contact with the child.")
    contact_how = serializers.CharField(help_text="How contact is kept, as the network agreed.")
    family_told = serializers.CharField(help_text="What the family is told.")
    family_how_often = serializers.CharField(max_length=200, help_text="How often the family is updated.")
    return_who_sees = serializers.CharField(max_length=200, help_text="Who sees the child when found.")
    return_where = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    return_interviewer = serializers.CharField(
        max_length=200, help_text="Who is best placed to do the return home interview.")
    actions = PlannedActionSerializer(many=True, required=False, default=list)


class PlanActionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    owner = serializers.CharField()
    owner_user = serializers.CharField(allow_null=True, help_text="The username the owner names, if any.")
    description = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    review = serializers.IntegerField(allow_null=True, help_text="The review that added it; null: the plan.")
    done_at = serializers.DateTimeField(allow_null=True)
    done_recorded_at = serializers.DateTimeField(allow_null=True)
    done_by = serializers.CharField(allow_null=True)
    note = serializers.CharField()


class PlanReviewOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField()
    held_at = serializers.DateTimeField()
    changes = serializers.CharField()


class ActionPlanOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agreed_at = serializers.DateTimeField()
    contact_by = serializers.CharField()
    contact_how = serializers.CharField()
    family_told = serializers.CharField()
    family_how_often = serializers.CharField()
    return_who_sees = serializers.CharField()
    return_where = serializers.CharField()
    return_interviewer = serializers.CharField()
    recorded_at = serializers.DateTimeField()
    actions = PlanActionOutputSerializer(many=True)
    reviews = PlanReviewOutputSerializer(many=True)


class PlanActionDoneSerializer(serializers.Serializer):
    done_at = AwareDateTimeField(help_text="When the action was done.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PlanReviewSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The strategy meeting's id.")
    changes = serializers.CharField(help_text="What the meeting changed in the plan, or that it stands.")
    actions = PlannedActionSerializer(many=True, required=False, default=list)


class PlanUpdateSerializer(serializers.Serializer):
    updated_at = AwareDateTimeField(help_text="When the plan was updated.")
    risk_analysis = serializers.CharField(help_text="The updated risk analysis.")
    safety_plan = serializers.CharField(help_text="The updated safety plan.")
    what_changed = serializers.CharField(help_text="What changed, from what the interview found.")


class PlanUpdateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    interview = serializers.IntegerField(allow_null=True, help_text="The authorised interview it read.")
    risk_analysis = serializers.CharField()
    safety_plan = serializers.CharField()
    what_changed = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class ReturnVisitSerializer(serializers.Serializer):
    visited_at = AwareDateTimeField()
    visited_by = serializers.CharField(max_length=200)
    discussed_episode = serializers.CharField(help_text="What was discussed about the missing episode.")
    prevention = serializers.CharField(help_text="What can be done to prevent another episode.")
    outcome = serializers.CharField()
    parental_responsibility_informed_at = AwareDateTimeField(
        required=False, allow_null=True, default=None,
        help_text="When those with parental responsibility were told of the episode, the visit and its outcome.")
    parental_responsibility_informed = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Who was told, and how.")


class ReturnVisitOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    visited_at = serializers.DateTimeField()
    visited_by = serializers.CharField()
    discussed_episode = serializers.CharField()
    prevention = serializers.CharField()
    outcome = serializers.CharField()
    parental_responsibility_informed_at = serializers.DateTimeField(allow_null=True)
    parental_responsibility_informed = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class InformedSerializer(serializers.Serializer):
    informed_at = AwareDateTimeField(help_text="When those with parental responsibility were told.")
    informed = serializers.CharField(help_text="Who was told, and how.")


class VulnerabilitySerializer(serializers.Serializer):
    judged_at = AwareDateTimeField()
    reason = serializers.CharField()


class VulnerabilityOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    judged_at = serializers.DateTimeField()
    reason = serializers.CharField()
    judged_by = serializers.CharField(allow_null=True)


def plan_action_representation(action: PlanAction) -> dict[str, Any]:
    return {
        "id": action.pk, "owner": action.owner,
        "owner_user": action.owner_user.username if action.owner_user else None,
        "description": action.description, "due": action.due, "review": action.review_id,
        "done_at": action.done_at, "done_recorded_at": action.done_recorded_at,
        "done_by": action.done_by.username if action.done_by else None, "note": action.done_note,
    }


def action_plan_representation(plan: ActionPlan) -> dict[str, Any]:
    """The plan with its actions and reviews (prefetched by the selector)."""
    return {
        "id": plan.pk, "agreed_at": plan.agreed_at, "contact_by": plan.contact_by, "contact_how": plan.contact_how,
        "family_told": plan.family_told, "family_how_often": plan.family_how_often,
        "return_who_sees": plan.return_who_sees, "return_where": plan.return_where,
        "return_interviewer": plan.return_interviewer, "recorded_at": plan.created_at,
        "actions": [plan_action_representation(a) for a in plan.actions.all()],
        "reviews": [{"id": r.pk, "meeting": r.meeting_id, "held_at": r.meeting.held_at, "changes": r.changes}
                    for r in plan.reviews.all()],
    }


def plan_update_representation(update: PlanUpdate) -> dict[str, Any]:
    return {"id": update.pk, "updated_at": update.revised_at, "interview": update.interview_id,
            "risk_analysis": update.risk_analysis, "safety_plan": update.safety_plan,
            "what_changed": update.what_changed, "recorded_at": update.created_at}


def return_visit_representation(visit: ReturnVisit) -> dict[str, Any]:
    return {"id": visit.pk, "visited_at": visit.visited_at, "visited_by": visit.visited_by,
            "discussed_episode": visit.discussed_episode, "prevention": visit.prevention, "outcome": visit.outcome,
            "parental_responsibility_informed_at": visit.parental_responsibility_informed_at,
            "parental_responsibility_informed": visit.parental_responsibility_informed,
            "recorded_at": visit.created_at}


def judgement_representation(judgement: VulnerabilityJudgement) -> dict[str, Any]:
    return {"id": judgement.pk, "judged_at": judgement.judged_at, "reason": judgement.reason,
            "judged_by": judgement.judged_by.username if judgement.judged_by else None}


def _actions(items: list[dict[str, Any]]) -> list[PlannedAction]:
    return [PlannedAction(**item) for item in items]


class ActionPlanView(HomewardAPIView):
    @extend_schema(responses={200: ActionPlanOutputSerializer}, operation_id="episode_action_plan")
    def get(self, request: Request, episode_id: int) -> Response:
        """The episode's missing child action plan, with its actions and reviews; 404 when none
        is recorded yet."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        return Response(action_plan_representation(action_plan_get(actor, episode)))

    @extend_schema(request=ActionPlanSerializer, responses={201: ActionPlanOutputSerializer},
                   operation_id="episode_action_plan_record")
    def post(self, request: Request, episode_id: int) -> Response:
        """Record the plan (one per episode: a second is a 400 naming `episode`)."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.PLAN_RECORD)
        serializer = ActionPlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actions = _actions(data.pop("actions"))
        agreed_at = data.pop("agreed_at")
        action_plan_record(actor=actor, episode=episode, agreed_at=agreed_at, content=PlanContent(**data),
                           actions=actions)
        plan = action_plan_get(actor, episode, audit=False)
        return Response(action_plan_representation(plan), status=status.HTTP_201_CREATED)


class PlanActionDoneView(HomewardAPIView):
    @extend_schema(request=PlanActionDoneSerializer, responses={200: PlanActionOutputSerializer},
                   operation_id="episode_action_plan_action_done")
    def post(self, request: Request, episode_id: int, action_id: int) -> Response:
        """Mark an action of the plan done (casework roles, or the person its owner names)."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        action = plan_action_get_for_user(actor, episode_id=episode.pk, action_id=action_id, audit=False)
        if not may_complete_meeting_action(actor, action.owner_user_id):
            raise PermissionDenied(f"The role {actor.role!r} may not mark this action done.")
        serializer = PlanActionDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = plan_action_complete(actor=actor, action=action, **serializer.validated_data)
        return Response(plan_action_representation(action))


class PlanReviewView(HomewardAPIView):
    @extend_schema(request=PlanReviewSerializer, responses={201: ActionPlanOutputSerializer},
                   operation_id="episode_action_plan_review")
    def post(self, request: Request, episode_id: int) -> Response:
        """The plan reviewed at a strategy meeting of the episode (once per meeting)."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.PLAN_RECORD)
        serializer = PlanReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        meeting = StrategyMeeting.objects.filter(pk=data["meeting"], episode=episode).first()
        if meeting is None:
            raise DomainValidationError.single("meeting", "Give the id of a strategy meeting held about this episode.")
        plan_review_record(actor=actor, episode=episode, meeting=meeting, changes=data["changes"],
                           actions=_actions(data["actions"]))
        plan = action_plan_get(actor, episode, audit=False)
        return Response(action_plan_representation(plan), status=status.HTTP_201_CREATED)


class PlanUpdateView(HomewardAPIView):
    @extend_schema(responses={200: PlanUpdateOutputSerializer(many=True)}, operation_id="episode_plan_updates")
    def get(self, request: Request, episode_id: int) -> Response:
        """The updates of the risk analysis and safety plan after the return, oldest first."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        found = plans_around_episode(actor, episode)
        return Response([plan_update_representation(u) for u in found.updates])

    @extend_schema(request=PlanUpdateSerializer, responses={201: PlanUpdateOutputSerializer},
                   operation_id="episode_plan_update")
    def post(self, request: Request, episode_id: int) -> Response:
        """After the return: the updated risk analysis and safety plan, reading the authorised
        interview (`plan_updated`)."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.PLAN_RECORD)
        serializer = PlanUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update = plan_update_record(actor=actor, episode=episode, **serializer.validated_data)
        return Response(plan_update_representation(update), status=status.HTTP_201_CREATED)


class ReturnVisitView(HomewardAPIView):
    @extend_schema(responses={200: ReturnVisitOutputSerializer(many=True)}, operation_id="episode_return_visits")
    def get(self, request: Request, episode_id: int) -> Response:
        """The social worker's visits after the return, oldest first."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        found = plans_around_episode(actor, episode)
        return Response([return_visit_representation(v) for v in found.visits])

    @extend_schema(request=ReturnVisitSerializer, responses={201: ReturnVisitOutputSerializer},
                   operation_id="episode_return_visit")
    def post(self, request: Request, episode_id: int) -> Response:
        """Record a visit after the return (`return_visit`); with those with parental
        responsibility told, it also answers `parental_responsibility_informed` for the visit."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.PLAN_RECORD)
        serializer = ReturnVisitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit = return_visit_record(actor=actor, episode=episode, **serializer.validated_data)
        return Response(return_visit_representation(visit), status=status.HTTP_201_CREATED)


class ReturnVisitInformedView(HomewardAPIView):
    @extend_schema(request=InformedSerializer, responses={200: ReturnVisitOutputSerializer},
                   operation_id="episode_return_visit_parental_responsibility")
    def post(self, request: Request, episode_id: int, visit_id: int) -> Response:
        """Those with parental responsibility told of the episode, the visit and its outcome
        (once per visit: a second time is a 400 naming `visit`)."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.PLAN_RECORD)
        visit = return_visit_get_for_user(actor, episode_id=episode.pk, visit_id=visit_id, audit=False)
        serializer = InformedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = return_visit_inform_parental_responsibility(actor=actor, visit=visit, informed_at=data["informed_at"],
                                                            informed=data["informed"])
        return Response(return_visit_representation(visit))


class VulnerabilityView(HomewardAPIView):
    @extend_schema(responses={200: VulnerabilityOutputSerializer(many=True)},
                   operation_id="episode_vulnerability_judgements")
    def get(self, request: Request, episode_id: int) -> Response:
        """Practitioners' judgements that the child is vulnerable, oldest first."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        found = plans_around_episode(actor, episode)
        return Response([judgement_representation(j) for j in found.judgements])

    @extend_schema(request=VulnerabilitySerializer, responses={201: VulnerabilityOutputSerializer},
                   operation_id="episode_vulnerability_judgement")
    def post(self, request: Request, episode_id: int) -> Response:
        """A practitioner's judgement that the child is vulnerable, with the reason: it brings
        the strategy meeting forward as a high grading does."""
        actor = self.actor(request)
        episode = episode_get_for_user(actor, episode_id, audit=False)
        require(actor, Capability.PLAN_RECORD)
        serializer = VulnerabilitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        judgement = vulnerability_judge(actor=actor, episode=episode, **serializer.validated_data)
        return Response(judgement_representation(judgement), status=status.HTTP_201_CREATED)
