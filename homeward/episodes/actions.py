"""The simple recorded facts of DOMAIN.md section 3 (API.md: POST .../actions), by label."""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "police_informed": "Police informed",
    "risk_analysis": "Children's services risk analysis recorded",
    "manager_informed": "Team manager informed",
    "mct_notified": "Missing Children Team notified",
    "parental_responsibility_informed": "Those with parental responsibility informed",
    "carer_update": "Update from the carer",
    "senior_escalation": "Senior assistant director informed",
    "high_risk_notifications": "UK Missing Persons Unit and CEOP notified",
    "ukmpu_notified": "UK Missing Persons Unit notified (missing 72 hours)",
    "safe_and_well_check": "Safe and well check or prevention interview",
    "iro_informed": "IRO informed",
    "plan_updated": "Child's plan / missing action plan updated",
    "repeat_review": "Repeat-missing strategy review",
    "police_reference_review": "Police reference confirmed with the force",
}
