"""The coded lists: GET /api/v1/codes/{list}."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.api.views import HomewardAPIView
from homeward.common.errors import NotFound
from homeward.reference.selectors import authority_list, coded_list, coded_list_names


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label


class CodesView(HomewardAPIView):
    @extend_schema(responses={200: CodeSerializer(many=True)}, operation_id="codes")
    def get(self, request: Request, list_name: str) -> Response:
        if list_name == "authorities":
            return Response([{"code": a.code, "label": a.name} for a in authority_list()])
        if list_name not in coded_list_names():
            raise NotFound
        return Response([{"code": item.code, "label": item.label} for item in coded_list(list_name)])
