"""Protocol files: the shipped default, versions, durations, and every malformed case."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from homeward.protocol.calendar import Calendar
from homeward.protocol.policy import (
    OBLIGATION_CODES,
    Duration,
    Protocol,
    ProtocolError,
    default_protocol,
    load_protocol_file,
    load_protocol_text,
    with_deadline,
)
from homeward.protocol.tests.builders import BANK_HOLIDAYS, ldt, utc

CAL = Calendar(BANK_HOLIDAYS)

WEST_NORTHANTS = """
name = "West Northamptonshire missing children protocol"
effective_from = 2017-01-16          # episodes reported on or after this date follow it

[rhi]
clock = "found"                      # or "allocation": the 72 hours run from allocation
neighbouring_authorities = ["937", "855", "822", "823", "873", "931", "825"]

[deadlines]                          # any obligation code of DOMAIN.md section 3
rhi_offered = "72h"                  # durations: "90m", "24h", "3d" (elapsed), "5wd"
strategy_meeting = "72h"
"""


def test_the_shipped_default_has_every_value_of_domain_section_3() -> None:
    (version,) = default_protocol().versions
    d = version.deadlines
    assert [d.of(code).text for code in OBLIGATION_CODES] == [
        "1h",  # police_informed
        "24h",  # risk_analysis
        "24h",  # manager_informed
        "eod",  # mct_notified
        "24h",  # parental_responsibility_informed
        "24h",  # carer_update
        "72h",  # strategy_meeting
        "0h",  # strategy_meeting_review: due when it arises
        "24h",  # senior_escalation
        "24h",  # ukmpu_notified
        "1h",  # high_risk_notifications
        "24h",  # safe_and_well_check
        "24h",  # iro_informed
        "24h",  # rhi_allocated
        "72h",  # rhi_offered
        "72h",  # rhi_completed
        "3wd",  # rhi_authorised
        "24h",  # rhi_shared
        "5wd",  # plan_updated
        "5wd",  # repeat_review
        "24h",  # police_reference_review
        "24h",  # action_plan
        "5wd",  # return_visit
    ]
    i = version.intervals
    assert (i.carer_update.text, i.senior_escalation.text, i.ukmpu_notified.text) == ("24h", "72h", "72h")
    assert (i.strategy_meeting_high_risk.text, i.strategy_meeting_review.text) == ("24h", "30d")
    assert i.strategy_meeting_vulnerable.text == "24h"
    assert (version.repeat_missing_count, version.repeat_missing_window_days) == (3, 90)
    assert version.rhi_clock == "found"
    assert version.rhi_completion_duty is False
    assert version.neighbouring_authorities == ("940", "937", "855", "822", "823", "873", "931", "825")
    assert version.effective_from == date(2017, 1, 16)


def test_the_api_example_file_loads_and_takes_the_rest_from_the_default() -> None:
    (version,) = load_protocol_text(WEST_NORTHANTS).versions
    assert version.name == "West Northamptonshire missing children protocol"
    assert version.label == "West Northamptonshire missing children protocol 2017-01-16"
    assert version.deadlines.rhi_offered == Duration(72, "h")
    assert version.deadlines.police_informed == Duration(1, "h")  # from the default


def test_an_empty_file_needs_only_its_effective_date() -> None:
    (version,) = load_protocol_text("effective_from = 2020-04-01").versions
    default = default_protocol().versions[0]
    assert version.name == default.name
    assert version.deadlines == default.deadlines
    assert version.intervals == default.intervals
    assert version.rhi_clock == default.rhi_clock
    assert version.neighbouring_authorities == default.neighbouring_authorities
    assert version.rhi_completion_duty == default.rhi_completion_duty


def test_every_setting_can_be_changed() -> None:
    text = """
name = "Elsewhere"
effective_from = 2024-04-01
[rhi]
clock = "allocation"
neighbouring_authorities = []
completion_duty = true
[deadlines]
police_informed = "90m"
mct_notified = "4h"
plan_updated = "10wd"
rhi_allocated = "2wd"
rhi_completed = "5d"
ukmpu_notified = "2h"
[intervals]
carer_update = "12h"
senior_escalation = "2d"
ukmpu_notified = "48h"
strategy_meeting_high_risk = "6h"
strategy_meeting_review = "14d"
[repeat_missing]
count = 2
window_days = 30
"""
    (version,) = load_protocol_text(text).versions
    assert version.rhi_clock == "allocation"
    assert version.rhi_completion_duty is True
    assert version.neighbouring_authorities == ()
    assert version.deadlines.rhi_allocated == Duration(2, "wd")
    assert version.deadlines.rhi_completed == Duration(5, "d")
    assert version.deadlines.ukmpu_notified == Duration(2, "h")
    assert version.intervals.ukmpu_notified == Duration(48, "h")
    assert version.deadlines.police_informed == Duration(90, "m")
    assert version.deadlines.mct_notified == Duration(4, "h")
    assert version.deadlines.plan_updated == Duration(10, "wd")
    assert version.intervals.carer_update == Duration(12, "h")
    assert version.intervals.senior_escalation == Duration(2, "d")
    assert version.intervals.strategy_meeting_high_risk == Duration(6, "h")
    assert version.intervals.strategy_meeting_review == Duration(14, "d")
    assert (version.repeat_missing_count, version.repeat_missing_window_days) == (2, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", Duration(90, "m")),
        ("24h", Duration(24, "h")),
        ("3d", Duration(3, "d")),
        ("5wd", Duration(5, "wd")),
        ("0h", Duration(0, "h")),
        ("eod", Duration(0, "eod")),
    ],
)
def test_durations_parse(text: str, expected: Duration) -> None:
    assert Duration.parse(text) == expected
    assert expected.text == text
    assert str(expected) == text


@pytest.mark.parametrize("text", ["72x", "72", "h", "-1h", "1.5h", "01h", " 24h", "24H", "3 d"])
def test_bad_durations_do_not_parse(text: str) -> None:
    with pytest.raises(ValueError):
        Duration.parse(text)


def test_eod_can_be_refused() -> None:
    with pytest.raises(ValueError):
        Duration.parse("eod", allow_eod=False)


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (Duration(90, "m"), ldt(2026, 3, 28, 23, 30)),
        (Duration(24, "h"), ldt(2026, 3, 29, 23)),  # elapsed: 23:00 BST
        (Duration(1, "d"), ldt(2026, 3, 29, 23)),  # a day is 24 elapsed hours
        (Duration(1, "wd"), ldt(2026, 3, 30, 22)),  # Saturday 22:00 -> Monday 22:00
        (Duration(0, "eod"), ldt(2026, 3, 28, 23, 59, 59)),
    ],
)
def test_durations_after_an_instant(duration: Duration, expected: object) -> None:
    assert duration.after(ldt(2026, 3, 28, 22), CAL) == expected


def test_a_protocol_with_several_versions_picks_the_one_in_force_on_the_london_date() -> None:
    text = """
[[version]]
name = "Northamptonshire protocol"
effective_from = 2017-01-16
[version.deadlines]
rhi_offered = "72h"

[[version]]
name = "Northamptonshire protocol (revised)"
effective_from = 2017-02-01
[version.rhi]
clock = "allocation"
"""
    protocol = load_protocol_text(text)
    first, second = protocol.versions
    assert protocol.version_for(ldt(2017, 1, 31, 23, 59)) is first
    assert protocol.version_for(ldt(2017, 2, 1, 0, 0)) is second
    assert protocol.version_for(utc(2020, 1, 1)) is second
    # reported before every version: the earliest one
    assert protocol.version_for(ldt(2010, 1, 1)) is first
    assert second.rhi_clock == "allocation"
    # a key a later version leaves out takes the shipped default, not the earlier version
    assert second.deadlines.rhi_offered == Duration(72, "h")


def test_the_version_in_force_uses_the_london_date_not_the_utc_one() -> None:
    text = """
[[version]]
effective_from = 2026-06-11
name = "B"
[[version]]
effective_from = 2026-01-01
name = "A"
"""
    protocol = load_protocol_text(text)
    assert [v.name for v in protocol.versions] == ["A", "B"]  # ordered by date
    # 00:30 BST on 11 June is 23:30 UTC on 10 June
    assert protocol.version_for(utc(2026, 6, 10, 23, 30)).name == "B"
    assert protocol.version_for(utc(2026, 6, 10, 22, 30)).name == "A"


def test_a_protocol_needs_a_version() -> None:
    with pytest.raises(ProtocolError, match="version: a protocol needs at least one version"):
        Protocol(versions=())


def _body(text: str) -> str:
    return "effective_from = 2020-01-01\n" + text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\neffective_from = 2020-01-01\nname = "y"', "(file): not valid TOML"),
        ("effective_from = 2020-01-01\n[deadlines\n", "(file): not valid TOML"),
        ('name = "no date"', "effective_from: missing; every version needs one"),
        ('effective_from = "2020-01-01"', 'effective_from: "2020-01-01" is not a date'),
        ("effective_from = 2020-01-01T10:00:00Z", "effective_from: a date-time is not a date"),
        ("effective_from = 2020", "effective_from: an integer is not a date"),
        ("effective_from = 07:32:00", "effective_from: a time is not a date"),
        (_body("colour = 1"), "colour: unknown key; expected one of name, effective_from"),
        (_body("name = 3"), "name: an integer is not a non-empty text"),
        (_body('name = "  "'), 'name: "  " is not a non-empty text'),
        (_body("rhi = 1"), "rhi: must be a table, not an integer"),
        (_body('[rhi]\nclock = "arrival"'), 'rhi.clock: "arrival" must be "found" or "allocation"'),
        (_body("[rhi]\nclock = true"), 'rhi.clock: a boolean must be "found" or "allocation"'),
        (_body("[rhi]\nspeed = 1"), "rhi.speed: unknown key; expected one of clock"),
        (_body('[rhi]\ncompletion_duty = "yes"'), 'rhi.completion_duty: "yes" is not true or false'),
        (_body("[rhi]\ncompletion_duty = 1"), "rhi.completion_duty: an integer is not true or false"),
        (
            _body('[rhi]\nneighbouring_authorities = "937"'),
            'rhi.neighbouring_authorities: "937" is not a list',
        ),
        (
            _body('[rhi]\nneighbouring_authorities = ["937", "93"]'),
            'rhi.neighbouring_authorities: "93" is not a three-digit DfE LA code',
        ),
        (
            _body("[rhi]\nneighbouring_authorities = [937]"),
            "rhi.neighbouring_authorities: an integer is not a three-digit DfE LA code",
        ),
        (
            _body('[rhi]\nneighbouring_authorities = ["Warwickshire"]'),
            'rhi.neighbouring_authorities: "Warwickshire" is not a three-digit',
        ),
        (_body('deadlines = "24h"'), 'deadlines: must be a table, not "24h"'),
        (
            _body('[deadlines]\nrhi_offered = "72x"'),
            'deadlines.rhi_offered: "72x" is not a duration like 90m, 24h, 3d or 5wd',
        ),
        (
            _body("[deadlines]\nrhi_offered = 72"),
            "deadlines.rhi_offered: an integer is not a duration like 90m, 24h, 3d or 5wd",
        ),
        (
            _body("[deadlines]\nrhi_offered = 1.5"),
            "deadlines.rhi_offered: a number is not a duration",
        ),
        (
            _body('[deadlines]\nrhi_offerd = "72h"'),
            "deadlines.rhi_offerd: unknown obligation code; expected one of police_informed",
        ),
        (
            _body('[intervals]\ncarer_update = "eod"'),
            'intervals.carer_update: "eod" is not a duration like 90m, 24h, 3d or 5wd (eod is '
            "allowed for deadlines only)",
        ),
        (
            _body('[intervals]\ncarer_update = "0h"'),
            'intervals.carer_update: "0h" must be longer than zero',
        ),
        (
            _body('[intervals]\nweekly = "7d"'),
            "intervals.weekly: unknown key; expected one of carer_update",
        ),
        (_body("intervals = []"), "intervals: must be a table, not a list"),
        (_body("[repeat_missing]\ncount = 0"), "repeat_missing.count: 0 must be 1 or more"),
        (
            _body('[repeat_missing]\ncount = "3"'),
            'repeat_missing.count: "3" is not a whole number',
        ),
        (
            _body("[repeat_missing]\nwindow_days = true"),
            "repeat_missing.window_days: a boolean is not a whole number",
        ),
        (
            _body("[repeat_missing]\nwindow_days = 1970-01-01"),
            "repeat_missing.window_days: a date is not a whole number",
        ),
        (
            _body("[repeat_missing]\nthreshold = 3"),
            "repeat_missing.threshold: unknown key; expected one of count, window_days",
        ),
        (_body("repeat_missing = 3"), "repeat_missing: must be a table, not an integer"),
        (
            'name = "x"\n[[version]]\neffective_from = 2020-01-01',
            "name: not allowed at the top level beside [[version]] tables",
        ),
        ("version = 1", "version: must be one or more [[version]] tables"),
        ("version = []", "version: must be one or more [[version]] tables"),
        ("version = [1]", "version[1]: must be a table, not an integer"),
        (
            "[[version]]\neffective_from = 2020-01-01\n[[version]]\nname = 'x'",
            "version[2].effective_from: missing",
        ),
        (
            "[[version]]\neffective_from = 2020-01-01\n[version.deadlines]\nrhi_offered = '3x'",
            'version[1].deadlines.rhi_offered: "3x" is not a duration',
        ),
        (
            "[[version]]\neffective_from = 2020-01-01\n[[version]]\neffective_from = 2020-01-01",
            "version[2].effective_from: 2020-01-01 is also version[1]'s",
        ),
        (
            _body("[rhi]\nneighbouring_authorities = [{code = '937'}]"),
            "rhi.neighbouring_authorities: a table is not a three-digit",
        ),
    ],
)
def test_a_malformed_protocol_names_the_key(text: str, message: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        load_protocol_text(text)
    assert str(caught.value).startswith(message), str(caught.value)


def test_load_protocol_file_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "protocol.toml"
    path.write_text(WEST_NORTHANTS, encoding="utf-8")
    assert load_protocol_file(path).versions[0].name.startswith("West Northamptonshire")
    assert load_protocol_file(str(path)) == load_protocol_text(WEST_NORTHANTS)


def test_load_protocol_file_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match=r"\(file\): cannot read .*nowhere.toml"):
        load_protocol_file(tmp_path / "nowhere.toml")


def test_load_protocol_file_refuses_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "Protocole d\'été"'.encode("latin-1"))
    with pytest.raises(ProtocolError, match="is not UTF-8 text"):
        load_protocol_file(path)


def test_the_shipped_default_must_be_complete() -> None:
    from homeward.protocol import policy

    with pytest.raises(ProtocolError, match="name: missing from the shipped default"):
        policy._parse("effective_from = 2020-01-01", None)
    with pytest.raises(ProtocolError, match=r"rhi\.clock: missing from the shipped default"):
        policy._parse("name = 'x'\neffective_from = 2020-01-01", None)
    with pytest.raises(ProtocolError, match=r"rhi\.completion_duty: missing from the shipped default"):
        policy._parse(
            "name = 'x'\neffective_from = 2020-01-01\n[rhi]\nclock = 'found'\nneighbouring_authorities = []", None
        )
    complete_but_one = (
        "name = 'x'\neffective_from = 2020-01-01\n[rhi]\nclock = 'found'\n"
        "neighbouring_authorities = []\ncompletion_duty = false\n[deadlines]\n[intervals]\n[repeat_missing]\n"
    )
    with pytest.raises(ProtocolError, match=r"deadlines\.police_informed: missing from the"):
        policy._parse(complete_but_one, None)
    deadlines = "\n".join(f'{code} = "1h"' for code in OBLIGATION_CODES)
    no_intervals = complete_but_one.replace("[deadlines]\n", f"[deadlines]\n{deadlines}\n")
    with pytest.raises(ProtocolError, match=r"intervals\.carer_update: missing from the"):
        policy._parse(no_intervals, None)


def test_with_deadline_changes_one_deadline() -> None:
    version = default_protocol().versions[0]
    changed = with_deadline(version, "rhi_offered", Duration(5, "d"))
    assert changed.deadlines.rhi_offered == Duration(5, "d")
    assert changed.deadlines.police_informed == version.deadlines.police_informed
    with pytest.raises(ProtocolError, match=r"deadlines\.nothing: unknown obligation code"):
        with_deadline(version, "nothing", Duration(1, "h"))


def test_describe_names_the_version() -> None:
    version = load_protocol_text(WEST_NORTHANTS).versions[0]
    assert (
        version.describe("rhi_offered = 72h")
        == "rhi_offered = 72h from West Northamptonshire missing children protocol 2017-01-16"
    )


def test_elapsed_days_are_72_hours_for_3d() -> None:
    start = ldt(2026, 10, 23, 12)
    assert Duration(3, "d").after(start, CAL) - start == timedelta(hours=72)


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (Duration(1, "h"), "1 hour"),
        (Duration(72, "h"), "72 hours"),
        (Duration(90, "m"), "90 minutes"),
        (Duration(1, "m"), "1 minute"),
        (Duration(30, "d"), "30 days"),
        (Duration(1, "d"), "1 day"),
        (Duration(3, "wd"), "3 working days"),
        (Duration(1, "wd"), "1 working day"),
        (Duration(0, "eod"), "the end of the day"),
        (Duration(0, "h"), ""),
    ],
)
def test_durations_in_words(duration: Duration, words: str) -> None:
    assert duration.words == words


def test_a_file_written_before_the_new_keys_keeps_working() -> None:
    """rhi.completion_duty, deadlines.rhi_allocated, rhi_completed and ukmpu_notified and
    intervals.ukmpu_notified came later: an older file takes the shipped defaults."""
    older = """
name = "Older"
effective_from = 2019-04-01
[rhi]
clock = "allocation"
neighbouring_authorities = ["937"]
[deadlines]
police_informed = "1h"
rhi_offered = "72h"
[intervals]
carer_update = "24h"
senior_escalation = "72h"
strategy_meeting_high_risk = "24h"
strategy_meeting_review = "30d"
"""
    (version,) = load_protocol_text(older).versions
    assert version.rhi_completion_duty is False
    assert (version.deadlines.rhi_allocated, version.deadlines.rhi_completed) == (Duration(24, "h"), Duration(72, "h"))
    assert (version.deadlines.ukmpu_notified, version.intervals.ukmpu_notified) == (
        Duration(24, "h"),
        Duration(72, "h"),
    )
