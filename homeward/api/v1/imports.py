"""Import of historical episodes (API.md `POST /api/v1/imports/ssda903-missing`): a CSV
checked row by row and imported all or nothing. A file of more than
HOMEWARD_IMPORT_SYNC_ROWS rows is queued for the worker (202) and its progress read from
`GET /api/v1/imports/{id}`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from homeward.accounts.permissions import Capability, require
from homeward.api.errors import problem
from homeward.api.views import HomewardAPIView
from homeward.common.errors import DomainValidationError
from homeward.imports.models import ImportFormat, ImportJob, ImportStatus
from homeward.imports.selectors import import_job_get_for_user
from homeward.imports.services import import_job_create, import_job_run

MAX_BYTES = 50 * 1024 * 1024


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="UTF-8 CSV.")
    format = serializers.ChoiceField(choices=ImportFormat.choices, default=ImportFormat.SSDA903, required=False)
    dry_run = serializers.BooleanField(default=False, required=False,
                                       help_text="Check every row and report, but write nothing.")


class ImportJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    format = serializers.CharField()
    filename = serializers.CharField()
    dry_run = serializers.BooleanField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)
    percent = serializers.IntegerField()
    total_rows = serializers.IntegerField()
    processed_rows = serializers.IntegerField()
    created = serializers.IntegerField(help_text="Episodes imported (or that would be, for a dry run).")
    skipped_duplicates = serializers.IntegerField()
    skipped_open = serializers.IntegerField(help_text="Rows with no end: not imported (see warnings).")
    errors = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]
    warnings = serializers.ListField(child=serializers.DictField())
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


def _job(job: ImportJob) -> dict[str, Any]:
    return dict(ImportJobSerializer(job).data)


class ImportSsda903MissingView(HomewardAPIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import historical episodes from a CSV file",
        description="`format` `ssda903` (the DfE Missing table; the default) or `case_system` (see ADR 0005 for "
                    "the columns). Every row is checked; with any error nothing is imported and the answer is "
                    "400 listing each (`field` = `rows[N].COLUMN`, N as a spreadsheet numbers the rows). A large "
                    "file is queued: 202 with the job, whose progress `GET /api/v1/imports/{id}` gives.",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer, 202: ImportJobSerializer,
                   400: OpenApiResponse(description="application/problem+json with row-level errors")},
        operation_id="import_ssda903_missing",
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        require(actor, Capability.IMPORT)
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        if file.size > MAX_BYTES:
            raise DomainValidationError.single("file", "The file is larger than 50 MB: split it.")
        try:
            content = file.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DomainValidationError.single("file", "The file is not UTF-8 text.") from None
        job = import_job_create(actor=actor, content=content, fmt=upload.validated_data["format"],
                                filename=file.name or "", dry_run=upload.validated_data["dry_run"])
        rows = max(content.count("\n") - 1, 0)
        if rows > getattr(settings, "HOMEWARD_IMPORT_SYNC_ROWS", 1000):
            response = Response(_job(job), status=202)
            response["Location"] = f"/api/v1/imports/{job.pk}"
            return response
        job = import_job_run(job)
        if job.status != ImportStatus.SUCCEEDED:
            out = problem(400, "Invalid input", "Nothing was imported.", job.errors)
            out.data["job"] = job.pk
            return out
        return Response(_job(job), status=201)


class ImportJobView(HomewardAPIView):
    @extend_schema(summary="An import's progress and outcome", responses=ImportJobSerializer,
                   operation_id="import_job")
    def get(self, request: Request, job_id: int) -> Response:
        return Response(_job(import_job_get_for_user(self.actor(request), job_id)))
