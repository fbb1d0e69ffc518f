"""Charges for exceptional return interviews, for finance (DOMAIN.md section 4; seed 001)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.permissions import Capability, require
from homeward.api.views import HomewardAPIView
from homeward.audit.services import audit_list_read
from homeward.casework.charges import charge_withdraw
from homeward.charges.models import Charge
from homeward.charges.selectors import charge_get_for_user, charge_list_for_user, charges_csv

from .fields import AwareDateTimeField, query_choice


class WithdrawalSerializer(serializers.Serializer):
    withdrawn_at = AwareDateTimeField()
    reason = serializers.CharField(help_text="Why the charge is withdrawn.")


class ChargeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    authority = serializers.CharField(help_text="The placing authority's DfE LA code.")
    authority_name = serializers.CharField()
    episode = serializers.IntegerField()
    child = serializers.IntegerField()
    interview_on = serializers.DateField()
    fee = serializers.CharField(help_text="In pounds, e.g. 350.00.")
    protocol = serializers.CharField()
    raised_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawn_reason = serializers.CharField()


def charge_representation(charge: Charge) -> dict[str, Any]:
    return {"id": charge.pk, "authority": charge.authority.code, "authority_name": charge.authority.name,
            "episode": charge.episode_id, "child": charge.episode.child_id, "interview_on": charge.interview_on,
            "fee": charge.fee, "protocol": charge.protocol, "raised_at": charge.raised_at,
            "withdrawn_at": charge.withdrawn_at, "withdrawn_reason": charge.withdrawn_reason}


class ChargesCsvView(HomewardAPIView):
    @extend_schema(
        summary="Charges for exceptional return interviews, as CSV for finance",
        description="Every charge raised to a placing authority for an exceptional return interview of its "
                    "child (seed 001), newest first: `charge, authority_code, authority, episode, child, "
                    "child_name, interview_on (DD/MM/YYYY), fee (pounds), raised_at, withdrawn_at, "
                    "withdrawn_reason`. `withdrawn=exclude` leaves out withdrawn charges. The export is audited "
                    "for each child named.",
        parameters=[OpenApiParameter("withdrawn", str, enum=["include", "exclude"],
                                     description="Default include.")],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The charges")},
        operation_id="charges_csv",
    )
    def get(self, request: Request) -> HttpResponse:
        actor = self.actor(request)
        require(actor, Capability.CHARGE_READ)
        withdrawn = query_choice(request, "withdrawn", ("include", "exclude")) or "include"
        charges = list(charge_list_for_user(actor, include_withdrawn=withdrawn == "include"))
        audit_list_read(actor=actor, action="export", object_type="charge",
                        rows=[(c.pk, c.episode.child_id) for c in charges], query={"withdrawn": withdrawn})
        response = HttpResponse(charges_csv(charges), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="charges.csv"'
        return response


class ChargeWithdrawalView(HomewardAPIView):
    @extend_schema(request=WithdrawalSerializer, responses={200: ChargeOutputSerializer},
                   operation_id="charge_withdraw")
    def post(self, request: Request, charge_id: int) -> Response:
        """Withdraw a charge raised in error, with the reason (never deleted). Once."""
        actor = self.actor(request)
        charge = charge_get_for_user(actor, charge_id)
        require(actor, Capability.CHARGE_WITHDRAW)
        serializer = WithdrawalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        charge = charge_withdraw(actor=actor, charge=charge, **serializer.validated_data)
        return Response(charge_representation(charge))
