"""Consultation prompts, who may hold a return interview, and the protocol keys behind both
and behind the charge for an exceptional interview (DOMAIN.md section 5a; seeds 001, 002, 004)."""

from __future__ import annotations

import pytest

from homeward.protocol import policy
from homeward.protocol.consultations import (
    CONSULTATION_KINDS,
    CONSULTATION_LABELS,
    PROMPTED_BY,
    SOURCES,
    TRIGGER_LABELS,
    TRIGGERS,
    Situation,
    consultation_prompts,
)
from homeward.protocol.interviewer import PROFESSIONAL_ROLES, Candidate, interviewer_refusal
from homeward.protocol.policy import ProtocolError, default_protocol, load_protocol_text


def test_nothing_prompts_nothing() -> None:
    assert consultation_prompts(Situation()) == ()


def test_an_unallocated_child_is_prompted_only_when_judged_vulnerable() -> None:
    assert consultation_prompts(Situation(allocated=False)) == ()
    assert consultation_prompts(Situation(allocated=True, vulnerable=True)) == ()
    (prompt,) = consultation_prompts(Situation(allocated=False, vulnerable=True))
    assert prompt.kind == "child_family_assessment"
    assert prompt.label == "Child and Family Assessment"
    assert prompt.reason == "unallocated, with a judgement that the child is vulnerable"
    assert prompt.source == "seed 002"
    assert prompt.answered is False


def test_exploitation_prompts_section_47_and_pre_mace() -> None:
    prompts = consultation_prompts(Situation(exploitation_indicators=True))
    assert [p.kind for p in prompts] == ["section_47", "pre_mace"]


def test_high_risk_prompts_section_47_and_the_duty_team() -> None:
    prompts = consultation_prompts(Situation(high_risk=True))
    assert [p.kind for p in prompts] == ["section_47", "duty_assessment_team"]
    assert prompts[1].source == "seed 004"


def test_repeat_missing_prompts_pre_mace_and_early_help() -> None:
    prompts = consultation_prompts(Situation(repeat_missing=True))
    assert [p.kind for p in prompts] == ["pre_mace", "early_help_assessment"]


def test_reasons_are_gathered_and_a_decision_answers_a_prompt() -> None:
    situation = Situation(exploitation_indicators=True, high_risk=True, repeat_missing=True)
    prompts = {p.kind: p for p in consultation_prompts(situation, decided=["section_47"])}
    assert prompts["section_47"].triggers == ("exploitation_indicators", "high_risk")
    assert prompts["section_47"].reason == "exploitation indicators recorded; graded high risk"
    assert prompts["section_47"].answered is True
    assert prompts["pre_mace"].triggers == ("exploitation_indicators", "repeat_missing")
    assert prompts["pre_mace"].answered is False


def test_the_tables_name_every_kind_and_trigger() -> None:
    assert set(CONSULTATION_LABELS) == set(SOURCES) == set(CONSULTATION_KINDS)
    assert set(TRIGGER_LABELS) == set(PROMPTED_BY) == set(TRIGGERS)
    assert {kind for kinds in PROMPTED_BY.values() for kind in kinds} == set(CONSULTATION_KINDS)


@pytest.mark.parametrize("role", sorted(PROFESSIONAL_ROLES))
def test_any_professional_not_in_direct_care_may_interview(role: str) -> None:
    assert interviewer_refusal(Candidate(role=role), "refuse") is None


@pytest.mark.parametrize("role", ["police_liaison", "auditor", "admin"])
def test_roles_that_are_not_practitioners_are_refused(role: str) -> None:
    refusal = interviewer_refusal(Candidate(role=role), "with_reason")
    assert refusal is not None and refusal.field == "practitioner"
    assert "not involved in the child's direct care" in refusal.message


def test_carers_and_the_placement_provider_are_refused_whatever_their_role() -> None:
    provider = interviewer_refusal(Candidate(role="placement_provider"), "with_reason")
    assert provider is not None and "direct care" in provider.message
    same_organisation = interviewer_refusal(Candidate(role="rhi_practitioner", placement_provider=True), "with_reason")
    assert same_organisation is not None and same_organisation.field == "practitioner"


def test_an_iro_interviews_only_their_own_child_and_only_when_asked() -> None:
    other = interviewer_refusal(Candidate(role="iro", at_child_request=True), "refuse")
    assert other is not None and other.field == "practitioner"
    unasked = interviewer_refusal(Candidate(role="iro", childs_iro=True), "refuse")
    assert unasked is not None and unasked.field == "at_child_request"
    assert interviewer_refusal(Candidate(role="iro", childs_iro=True, at_child_request=True), "refuse") is None


def test_the_childs_own_social_worker_as_the_protocol_chooses() -> None:
    own = Candidate(role="social_worker", own_social_worker=True)
    refused = interviewer_refusal(own, "refuse")
    assert refused is not None and refused.field == "practitioner" and "protocol" in refused.message
    needs_reason = interviewer_refusal(own, "with_reason")
    assert needs_reason is not None and needs_reason.field == "reason"
    blank = Candidate(role="social_worker", own_social_worker=True, reason="   ")
    assert interviewer_refusal(blank, "with_reason") is not None
    given = Candidate(role="social_worker", own_social_worker=True, reason="Agreed by the network: she trusts him")
    assert interviewer_refusal(given, "with_reason") is None


def test_the_shipped_protocol_allows_the_social_worker_with_a_reason_and_charges_a_fee() -> None:
    version = default_protocol().versions[-1]
    assert version.rhi_own_social_worker == "with_reason"
    assert version.rhi_fee_pence == 35000
    assert version.rhi_charged_outcomes == ("accepted",)


def test_a_protocol_file_sets_the_interview_and_charge_keys() -> None:
    text = (
        "effective_from = 2020-01-01\n[rhi]\nown_social_worker = 'refuse'\n"
        "[charges]\nrhi_fee = '0.00'\nrhi_outcomes = ['accepted', 'declined']\n"
    )
    version = load_protocol_text(text).versions[0]
    assert version.rhi_own_social_worker == "refuse"
    assert version.rhi_fee_pence == 0
    assert version.rhi_charged_outcomes == ("accepted", "declined")
    assert load_protocol_text("effective_from = 2020-01-01\n[rhi]\nown_social_worker = 'with_reason'").versions[
        0
    ].rhi_own_social_worker == ("with_reason")
    assert load_protocol_text("effective_from = 2020-01-01\n[charges]\nrhi_fee = '1234.56'").versions[
        0
    ].rhi_fee_pence == (123456)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[rhi]\nown_social_worker = 'never'", 'rhi.own_social_worker: "never" must be "refuse" or "with_reason"'),
        ("[rhi]\nown_social_worker = true", "rhi.own_social_worker: a boolean must be"),
        ("charges = 1", "charges: must be a table, not an integer"),
        ("[charges]\nfee = '1.00'", "charges.fee: unknown key; expected one of rhi_fee, rhi_outcomes"),
        ("[charges]\nrhi_fee = 350", 'charges.rhi_fee: an integer is not an amount like "350.00"'),
        ("[charges]\nrhi_fee = '350'", 'charges.rhi_fee: "350" is not an amount like "350.00"'),
        ("[charges]\nrhi_fee = '-1.00'", 'charges.rhi_fee: "-1.00" is not an amount'),
        ("[charges]\nrhi_outcomes = 'accepted'", 'charges.rhi_outcomes: "accepted" is not a list'),
        ("[charges]\nrhi_outcomes = ['held']", 'charges.rhi_outcomes: "held" is not one of accepted, declined'),
    ],
)
def test_malformed_interview_and_charge_keys_are_named(text: str, message: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        load_protocol_text("effective_from = 2020-01-01\n" + text)
    assert str(raised.value).startswith(message)


def test_the_shipped_default_must_have_the_new_keys() -> None:
    deadlines = "\n".join(f'{code} = "1h"' for code in policy.OBLIGATION_CODES)
    intervals = "\n".join(f'{key} = "1h"' for key in policy._INTERVAL_KEYS)
    complete = (
        "name = 'x'\neffective_from = 2020-01-01\n[rhi]\nclock = 'found'\n"
        "neighbouring_authorities = []\ncompletion_duty = false\n"
        f"[deadlines]\n{deadlines}\n[intervals]\n{intervals}\n[repeat_missing]\ncount = 3\nwindow_days = 90\n"
    )
    with pytest.raises(ProtocolError, match=r"rhi\.own_social_worker: missing from the shipped default"):
        policy._parse(complete, None)
    with_own = complete.replace("completion_duty = false\n", "completion_duty = false\nown_social_worker = 'refuse'\n")
    with pytest.raises(ProtocolError, match=r"charges\.rhi_fee: missing from the shipped default"):
        policy._parse(with_own, None)
    with pytest.raises(ProtocolError, match=r"charges\.rhi_outcomes: missing from the shipped default"):
        policy._parse(with_own + "[charges]\nrhi_fee = '1.00'\n", None)
    parsed = policy._parse(with_own + "[charges]\nrhi_fee = '1.00'\nrhi_outcomes = []\n", None)
    assert parsed.versions[0].rhi_charged_outcomes == ()
