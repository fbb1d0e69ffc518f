"""The authorised return interview as a PDF, attached to the email to a secure contact point
(a secure government or police mailbox) when the interview is shared (issue 13).

WeasyPrint, as the Philomena profile and the weekly report. The PDF is the authorised version's
own content (an amendment not yet authorised is never sent), with the child's identity, which
only a secure mailbox may receive; an ordinary inbox gets only a message that it is ready.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string

from homeward.common.timeutil import LONDON
from homeward.interviews.models import Method, Outcome, RhiVersion
from homeward.reference.selectors import coded_labels


def _when(value: object) -> str:
    if isinstance(value, str) and value:
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return "Not recorded"
    local = value.astimezone(LONDON)
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


def _labels(list_name: str, codes: object) -> list[str]:
    labels = coded_labels(list_name)
    return [labels.get(str(code), str(code)) for code in codes] if isinstance(codes, list) else []


def interview_pdf_context(version: RhiVersion) -> dict[str, Any]:
    interview = version.interview
    episode = interview.episode
    child = episode.child
    content = version.content
    outcome = str(content.get("outcome") or "")
    method = str(content.get("method") or "")
    seen_alone = content.get("seen_alone")
    return {
        "child": child,
        "episode": episode,
        "version": version,
        "missing_since": _when(episode.missing_since),
        "found_at": _when(episode.found_at),
        "conducted_at": _when(content.get("conducted_at")),
        "authorised_at": _when(version.authorised_at),
        "authorised_by": version.authorised_by.display_name if version.authorised_by else "",
        "outcome": Outcome(outcome).label if outcome in Outcome.values else outcome,
        "method": Method(method).label if method in Method.values else method,
        "seen_alone": "Yes" if seen_alone is True else "No" if seen_alone is False else "Not recorded",
        "push_factors": _labels("push_factors", content.get("push_factors")),
        "pull_factors": _labels("pull_factors", content.get("pull_factors")),
        "exploitation_indicators": _labels("exploitation_indicators", content.get("exploitation_indicators")),
        "referrals": _labels("referrals", content.get("referrals")),
        "texts": [(label, str(content.get(name) or "")) for name, label in (
            ("accompanied_by", "Accompanied by, at the child's request"), ("conducted_by", "Conducted by"),
            ("reasons", "Reasons for going missing"), ("whereabouts", "Where, with whom and how the time was spent"),
            ("harm", "Harm suffered or risk to others"), ("health_concerns", "Health concerns"),
            ("wishes_and_feelings", "The child's wishes and feelings"), ("actions", "Actions"),
            ("carer_observations", "Observations of whoever saw the child return"),
        )],
        "recommendations": version.recommendations,
    }


def interview_pdf(version: RhiVersion) -> bytes:
    """The PDF of an authorised interview version."""
    from weasyprint import HTML

    html = render_to_string("notifications/interview_pdf.html", interview_pdf_context(version))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def interview_pdf_filename(version: RhiVersion) -> str:
    return f"return-interview-episode-{version.interview.episode_id}-version-{version.number}.pdf"
