"""The OpenAPI description says what every answer is (issue 14): errors are documented on every
operation as application/problem+json, the same shape `homeward.api.errors` answers, and every
date, time and number says the bounds the views enforce, so a client (or schemathesis) can tell a
valid request from an invalid one by the description alone."""

from __future__ import annotations

from typing import Any

from homeward.common.converters import MAX_ID

from .pagination import MAX_PAGE, Pagination

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


# Years from 1900 to 2999 and offsets up to +-15:59 (homeward.common.timeutil.instant_problem).
DATE_TIME_PATTERN = (r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?"
                     r"([Zz]|[+-](0[0-9]|1[0-5]):?[0-5][0-9])$")
DATE_PATTERN = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"

# The whole numbers the query strings take, with the bounds the views check.
QUERY_INTEGERS: dict[str, tuple[int, int | None]] = {
    "page": (1, MAX_PAGE),
    "page_size": (1, Pagination.max_page_size),
    "child": (1, MAX_ID),
    "team": (1, MAX_ID),
    "year": (2000, 2100),  # reports: Ssda903MissingView
    "together_hours": (1, 24 * 14),  # reports: PatternsView
    "min_place_count": (1, 1000),
}


def _bound_strings(schema: Any) -> None:
    """Give every date and date-time in a schema (nested included) the pattern of what is accepted."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and schema.get("format") == "date-time":
            schema.setdefault("pattern", DATE_TIME_PATTERN)
        elif schema.get("type") == "string" and schema.get("format") == "date":
            schema.setdefault("pattern", DATE_PATTERN)
        for value in schema.values():
            _bound_strings(value)
    elif isinstance(schema, list):
        for value in schema:
            _bound_strings(value)


def bounded_inputs(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: dates, times and query numbers carry their bounds, and
    a query parameter that is given must have a value (an empty `as_of=` is a 400, not 'now')."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") != "query":
                    continue
                bounds = QUERY_INTEGERS.get(parameter.get("name", ""))
                if bounds and schema.get("type") == "integer":
                    schema["minimum"] = bounds[0]
                    if bounds[1] is not None:
                        schema["maximum"] = bounds[1]
                if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
                    schema.setdefault("minLength", 1)
    _bound_strings(result.get("paths", {}))
    _bound_strings(result.get("components", {}).get("schemas", {}))
    return result
