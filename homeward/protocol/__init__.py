"""Homeward's rules engine: a pure functional core, standard library only.

Given the facts of a child and of one missing episode, a protocol and an instant `as_of`,
`evaluate` returns the obligations of DOMAIN.md section 3 with their status, and `plan`
the same with repeating ones generated ahead (to store them); `status_at` gives a stored
obligation's status at any instant and `explain` one plain-English sentence for it.
Nothing here reads a clock, settings or a database: the Django side builds the facts from
its rows and passes the bank holidays in.
"""

from homeward.protocol.calendar import LONDON, Calendar
from homeward.protocol.engine import evaluate, obligation_to_dict, plan
from homeward.protocol.explain import explain
from homeward.protocol.facts import (
    ActionFact,
    ChildFacts,
    Classification,
    EpisodeFacts,
    Facts,
    LegalStatusPeriod,
    Placement,
    ReturnVisit,
    RhiAmendment,
    RhiFacts,
    RhiSharing,
    RiskGrading,
    StrategyMeeting,
)
from homeward.protocol.obligation import STATUSES, Basis, Obligation, Status, status_at
from homeward.protocol.policy import (
    Deadlines,
    Duration,
    Intervals,
    Protocol,
    ProtocolError,
    ProtocolVersion,
    default_protocol,
    load_protocol_file,
    load_protocol_text,
)
from homeward.protocol.repeat import is_repeat_missing
from homeward.protocol.routing import (
    RhiRouting,
    notification_recipients,
    route_return_interview,
)

__all__ = [
    "LONDON",
    "STATUSES",
    "ActionFact",
    "Basis",
    "Calendar",
    "ChildFacts",
    "Classification",
    "Deadlines",
    "Duration",
    "EpisodeFacts",
    "Facts",
    "Intervals",
    "LegalStatusPeriod",
    "Obligation",
    "Placement",
    "Protocol",
    "ProtocolError",
    "ProtocolVersion",
    "ReturnVisit",
    "RhiAmendment",
    "RhiFacts",
    "RhiRouting",
    "RhiSharing",
    "RiskGrading",
    "Status",
    "StrategyMeeting",
    "default_protocol",
    "evaluate",
    "explain",
    "is_repeat_missing",
    "load_protocol_file",
    "load_protocol_text",
    "notification_recipients",
    "obligation_to_dict",
    "plan",
    "route_return_interview",
    "status_at",
]
