"""The OpenAPI description says what every answer is (issue 14): errors are documented on every
operation as application/problem+json, the same shape `homeward.api.errors` answers."""

from __future__ import annotations

from typing import Any

PROBLEM_MEDIA = "application/problem+json"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; `errors` names each field at fault (nothing was stored).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}, "required": ["field", "message"]}},
    },
    "required": ["type", "title", "status"],
}

ERRORS = {
    "400": "Bad input: each field at fault is named; nothing was stored.",
    "401": "No valid credentials (a Bearer token or a signed-in session).",
    "403": "The caller's role may not do this.",
    "404": "Nothing the caller may see has this address (what exists but is outside their scope included).",
    "500": "Homeward failed; nothing was stored.",
}


def problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: every operation documents its problem answers."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Problem", PROBLEM_SCHEMA)
    reference = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, description in ERRORS.items():
                answer = responses.setdefault(status, {"description": description})
                answer.setdefault("description", description)
                answer["content"] = {PROBLEM_MEDIA: {"schema": reference}}
    return result
