"""The rules of DOMAIN.md section 3, one module per family, each citing its guidance."""

from __future__ import annotations

from homeward.protocol.rules import (
    after_interview,
    notification,
    on_return,
    repeat_missing,
    while_missing,
)
from homeward.protocol.rules.base import Context, Rule, Spec

_MODULES = (notification, while_missing, on_return, after_interview, repeat_missing)

#: Every rule, in the order of DOMAIN.md section 3's table.
RULES: tuple[Rule, ...] = tuple(rule for module in _MODULES for rule in module.RULES)

#: Title, responsible role, rule and citation of each obligation code.
SPECS: dict[str, Spec] = {spec.code: spec for module in _MODULES for spec in module.SPECS}

__all__ = ["RULES", "SPECS", "Context", "Rule", "Spec"]
