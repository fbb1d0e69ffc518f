"""Homeward's rules engine: a pure functional core, standard library only.

Given the facts of a child and of one missing episode, a protocol and an instant `as_of`,
`evaluate` returns the obligations of DOMAIN.md section 3 with their status. Nothing here
reads a clock, settings or a database: the Django side builds the facts from its rows and
passes the bank holidays in.
"""

from homeward.protocol.calendar import LONDON, Calendar
from homeward.protocol.engine import evaluate, obligation_to_dict
from homeward.protocol.facts import (
    ActionFact,
    ChildFacts,
    Classification,
    EpisodeFacts,
    Facts,
    LegalStatusPeriod,
    Placement,
    RhiFacts,
    RhiSharing,
    RiskGrading,
    StrategyMeeting,
)
from homeward.protocol.obligation import Basis, Obligation
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
    "RhiFacts",
    "RhiRouting",
    "RhiSharing",
    "RiskGrading",
    "StrategyMeeting",
    "default_protocol",
    "evaluate",
    "is_repeat_missing",
    "load_protocol_file",
    "load_protocol_text",
    "notification_recipients",
    "obligation_to_dict",
    "route_return_interview",
]
