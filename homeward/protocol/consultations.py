"""Consultations and referrals the guidance asks to be considered (DOMAIN.md section 5a).

Seed 002: "If the case is unallocated and there are concerns about additional vulnerability
or complex safeguarding issues, consideration will be given for case to be allocated for a
Child and Family Assessment"; "Consideration on both unallocated and allocated cases should be
given as to whether a Section 47 Strategy meeting should be convened"; "Consideration should
be given as to whether to present the case or young person to the Pre-Mace Panel ... to
discuss any concerns around contextual harm". Seed 004: "If a risk of harm is identified -
complete or update an Early Help Assessment"; "If there is an immediate risk of significant
harm - consult with your agencies' safeguarding lead and discuss with the Duty and Assessment
Team".

Each is a decision (made or not made, with the reason and who decided), never a duty with a
deadline: what the guidance asks is that it be considered. `consultation_prompts` says which
ones the episode's situation prompts, and why, and whether a decision answers each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: The consultations and referrals, in the order pages list them.
CONSULTATION_KINDS: tuple[str, ...] = (
    "section_47",
    "pre_mace",
    "child_family_assessment",
    "early_help_assessment",
    "duty_assessment_team",
)

CONSULTATION_LABELS: dict[str, str] = {
    "section_47": "Section 47 strategy discussion",
    "pre_mace": "Pre-MACE panel",
    "child_family_assessment": "Child and Family Assessment",
    "early_help_assessment": "Early Help Assessment",
    "duty_assessment_team": "Duty and Assessment Team consultation",
}

#: What in the episode prompts a consultation, in the order reasons are given.
TRIGGERS: tuple[str, ...] = ("exploitation_indicators", "high_risk", "unallocated_vulnerable", "repeat_missing")

TRIGGER_LABELS: dict[str, str] = {
    "exploitation_indicators": "exploitation indicators recorded",
    "high_risk": "graded high risk",
    "unallocated_vulnerable": "unallocated, with a judgement that the child is vulnerable",
    "repeat_missing": "repeat missing",
}

#: Which consultations each trigger prompts, with the guidance that says so.
PROMPTED_BY: dict[str, tuple[str, ...]] = {
    # Seed 002: contextual harm to the Pre-MACE panel; significant harm to a Section 47 discussion.
    "exploitation_indicators": ("section_47", "pre_mace"),
    # Seed 004: an immediate risk of significant harm, the Duty and Assessment Team; seed 002, Section 47.
    "high_risk": ("section_47", "duty_assessment_team"),
    # Seed 002: unallocated with additional vulnerability, a Child and Family Assessment.
    "unallocated_vulnerable": ("child_family_assessment",),
    # Seed 002 "never normal"; seed 004: a risk of harm, an Early Help Assessment; the Pre-MACE panel.
    "repeat_missing": ("pre_mace", "early_help_assessment"),
}

SOURCES: dict[str, str] = {
    "section_47": "seed 002",
    "pre_mace": "seed 002",
    "child_family_assessment": "seed 002",
    "early_help_assessment": "seed 004",
    "duty_assessment_team": "seed 004",
}


@dataclass(frozen=True)
class Situation:
    """What the prompts read about an episode, as it stands.

    `exploitation_indicators`: a risk analysis or the return interview recorded exploitation
    (CSE, CCE, trafficking, county lines...). `high_risk`: graded high at any time in the
    episode. `allocated`: the child has an allocated social worker. `vulnerable`: a
    practitioner recorded their judgement that the child is vulnerable. `repeat_missing`: the
    episode is a repeat under the protocol's threshold.
    """

    exploitation_indicators: bool = False
    high_risk: bool = False
    allocated: bool = True
    vulnerable: bool = False
    repeat_missing: bool = False

    def triggers(self) -> tuple[str, ...]:
        found = {
            "exploitation_indicators": self.exploitation_indicators,
            "high_risk": self.high_risk,
            "unallocated_vulnerable": self.vulnerable and not self.allocated,
            "repeat_missing": self.repeat_missing,
        }
        return tuple(trigger for trigger in TRIGGERS if found[trigger])


@dataclass(frozen=True)
class Prompt:
    """A consultation the situation prompts: why (trigger codes), where the guidance asks it,
    and whether a decision (made or not made) has answered it."""

    kind: str
    triggers: tuple[str, ...]
    source: str
    answered: bool

    @property
    def label(self) -> str:
        return CONSULTATION_LABELS[self.kind]

    @property
    def reason(self) -> str:
        """E.g. "exploitation indicators recorded; graded high risk"."""
        return "; ".join(TRIGGER_LABELS[trigger] for trigger in self.triggers)


def consultation_prompts(situation: Situation, decided: Iterable[str] = ()) -> tuple[Prompt, ...]:
    """The consultations `situation` prompts, in `CONSULTATION_KINDS` order, each answered when
    `decided` (the kinds with a recorded decision on the episode) holds it."""
    triggers = situation.triggers()
    done = frozenset(decided)
    prompts: list[Prompt] = []
    for kind in CONSULTATION_KINDS:
        why = tuple(trigger for trigger in triggers if kind in PROMPTED_BY[trigger])
        if why:
            prompts.append(Prompt(kind=kind, triggers=why, source=SOURCES[kind], answered=kind in done))
    return tuple(prompts)
