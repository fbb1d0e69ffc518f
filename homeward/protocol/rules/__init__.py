"""The rules of DOMAIN.md section 3, one module per family, each citing its guidance."""

from __future__ import annotations

from homeward.protocol.rules import (
    after_interview,
    around_episode,
    notification,
    on_return,
    repeat_missing,
    while_missing,
)
from homeward.protocol.rules.base import Context, Rule, Spec

_MODULES = (notification, while_missing, on_return, after_interview, around_episode, repeat_missing)

#: Every rule, in the order of DOMAIN.md section 3's table.
RULES: tuple[Rule, ...] = tuple(rule for module in _MODULES for rule in module.RULES)

#: Title, responsible role, rule and citation of each obligation code.
SPECS: dict[str, Spec] = {spec.code: spec for module in _MODULES for spec in module.SPECS}

#: What the home authority owes for another authority's looked-after child placed in it
#: (DOMAIN.md sections 3 and 4): the local police's duties, ...
HOST_AUTHORITY_DUTIES: frozenset[str] = frozenset(
    {"safe_and_well_check", "high_risk_notifications", "ukmpu_notified", "police_reference_review"}
)

#: ... and the return interview chain, only when it conducts the interview (exceptional,
#: chargeable). Everything else is the placing authority's, shown for information.
RETURN_INTERVIEW_CHAIN: frozenset[str] = frozenset(
    {"rhi_allocated", "rhi_offered", "rhi_completed", "rhi_authorised", "rhi_shared"}
)

__all__ = ["HOST_AUTHORITY_DUTIES", "RETURN_INTERVIEW_CHAIN", "RULES", "SPECS", "Context", "Rule", "Spec"]
