"""The OpenAPI description matches the answers (issue 14, item 11): paged lists are paged
objects, exports are CSV or spreadsheets, and every operation documents its problem answers."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api: Any) -> dict[str, Any]:
    answer: dict[str, Any] = api.get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return answer


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_every_operation_documents_its_problem_answers(schema: dict[str, Any]) -> None:
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) > 30
    for path, method, operation in operations:
        for status in ("400", "401", "403", "404"):
            content = operation["responses"][status]["content"]
            assert "application/problem+json" in content, (path, method, status)
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])


@pytest.mark.parametrize("path", ["/api/v1/worklist", "/api/v1/episodes", "/api/v1/audit"])
def test_paged_lists_are_described_as_pages(schema: dict[str, Any], path: str) -> None:
    ok = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page = _resolve(schema, ok)
    assert {"count", "next", "previous", "results"} <= set(page["properties"])
    assert page["properties"]["results"]["type"] == "array"


def test_exports_are_described_as_what_they_are(schema: dict[str, Any]) -> None:
    reports = schema["paths"]
    assert "text/csv" in reports["/api/v1/reports/ssda903/missing"]["get"]["responses"]["200"]["content"]
    assert "text/csv" in reports["/api/v1/reports/ssd-missing"]["get"]["responses"]["200"]["content"]
    annex = reports["/api/v1/reports/annex-a"]["get"]["responses"]["200"]["content"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in annex
