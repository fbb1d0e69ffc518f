"""The coded part of children's services' risk analysis while a child is missing.

Seed 002 asks for "an immediate analysis of risk", looking at push and pull factors; seed 004
lists the immediate risks of going missing (DOMAIN.md section 6, coded list `risks`). Coding
them, not only writing a note, lets the patterns page count them beside the interviews' factors.
The codes are kept in the recorded action's `detail` under these field names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Field name (service, API, form) -> the coded list its codes come from.
RISK_ANALYSIS_LISTS: dict[str, str] = {
    "immediate_risks": "risks",
    "push_factors": "push_factors",
    "pull_factors": "pull_factors",
}

#: A risk analysis's codes that are exploitation indicators: the immediate risks of sexual or
#: criminal exploitation and trafficking (seed 004), and the pull of grooming or coercion. They
#: tell the exploitation (CSE/CCE) team and bring the child into its view (ADR 0016).
RISK_ANALYSIS_EXPLOITATION: dict[str, frozenset[str]] = {
    "immediate_risks": frozenset({"exploitation", "trafficking"}),
    "pull_factors": frozenset({"grooming_or_coercion"}),
}

RISK_ANALYSIS_HEADINGS: dict[str, str] = {
    "immediate_risks": "Immediate risks",
    "push_factors": "Push factors",
    "pull_factors": "Pull factors",
}


def risk_analysis_codes(detail: Mapping[str, object]) -> dict[str, list[str]]:
    """The coded lists of a recorded risk analysis's detail, each as a list (empty if none)."""
    out: dict[str, list[str]] = {}
    for name in RISK_ANALYSIS_LISTS:
        value = detail.get(name) or []
        out[name] = [str(code) for code in value] if isinstance(value, Sequence) else []
    return out


def risk_analysis_text(codes: Mapping[str, Sequence[str]], labels: Mapping[str, Mapping[str, str]]) -> str:
    """'Immediate risks: Victim of crime, Missed education. Pull factors: ...' for the chronology.

    `labels` maps a coded list's name to {code: label}; an unknown code shows as itself.
    """
    parts = []
    for name, list_name in RISK_ANALYSIS_LISTS.items():
        chosen = codes.get(name) or []
        if chosen:
            names = ", ".join(labels.get(list_name, {}).get(code, code) for code in chosen)
            parts.append(f"{RISK_ANALYSIS_HEADINGS[name]}: {names}.")
    return " ".join(parts)
