"""Writing generated rows in bulk: PostgreSQL's COPY, or executemany on SQLite (tiny builds).

Each table is named by its model and the columns the generator fills; any other column of the
model is filled with its default, so a column added later with a default needs no change here,
and one added without a default stops the build naming it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import NOT_PROVIDED
from psycopg.types.json import set_json_dumps

from homeward.children.models import (
    Child,
    ChronologyEntry,
    LegalStatusPeriod,
    PhilomenaProfile,
    Placement,
    ResponsibleAdult,
)
from homeward.episodes.models import ClassificationChange, Episode, EpisodeAction, RiskGrading, WhereaboutsChange
from homeward.interviews.models import ReturnInterview, RhiAllocation, RhiOffer, RhiSharing, RhiVersion
from homeward.meetings.models import MeetingAction, StrategyMeeting
from homeward.notifications.models import Notification
from homeward.obligations.models import EpisodeObligationState, StoredObligation
from homeward.plans.models import ActionPlan, ReturnVisit


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return str(self.model._meta.db_table)


def _t(model: type[models.Model], columns: str) -> Table:
    return Table(model, tuple(columns.split()))


TABLES: dict[str, Table] = {
    "child": _t(Child, "id created_at updated_at external_id given_name family_name known_as date_of_birth sex "
                       "ethnicity legal_status responsible_authority_id allocated_worker_id team_id iro_id school "
                       "archived_at archive_reason"),
    "legal_status": _t(LegalStatusPeriod, "child_id status started_on recorded_at recorded_by_id"),
    "placement": _t(Placement, "child_id authority_id provider provider_organisation_id type address postcode "
                               "started_on ended_on recorded_at recorded_by_id"),
    "adult": _t(ResponsibleAdult, "created_at updated_at child_id name relationship has_parental_responsibility "
                                  "phone email address archived_at archive_reason"),
    "philomena": _t(PhilomenaProfile, "created_at updated_at child_id description photo phone_numbers social_media "
                                      "known_associates places_frequented health_needs risk_cse risk_cce "
                                      "risk_self_harm other_risks"),
    "chronology": _t(ChronologyEntry, "child_id episode_id at recorded_at recorded_by_id kind summary"),
    "episode": _t(Episode, "id created_at updated_at child_id status reported_at reported_by reporter_name "
                           "police_force_id police_reference police_reference_conflict last_seen_at "
                           "location_last_seen circumstances missing_from whereabouts_known missing_since "
                           "classification risk_level found_at found_location found_by whereabouts with_whom "
                           "condition found_recorded_at closed_at close_note close_reason closed_by_id cancelled_at "
                           "cancel_reason rhi_authority_id rhi_out_of_area rhi_neighbouring rhi_chargeable "
                           "rhi_exceptional created_by_id imported_from last_seen_place found_place"),
    "classification": _t(ClassificationChange, "episode_id classification at rationale recorded_at recorded_by_id"),
    "whereabouts": _t(WhereaboutsChange, "episode_id whereabouts_known at rationale recorded_at recorded_by_id"),
    "grading": _t(RiskGrading, "episode_id risk_level graded_at graded_by rationale recorded_at recorded_by_id"),
    "action": _t(EpisodeAction, "episode_id action at note detail recorded_at recorded_by_id"),
    "meeting": _t(StrategyMeeting, "id created_at updated_at episode_id held_at kind attendees decisions "
                                   "recorded_by_id"),
    "meeting_action": _t(MeetingAction, "meeting_id owner owner_user_id description due done_at done_recorded_at "
                                        "done_by_id done_note"),
    "action_plan": _t(ActionPlan, "created_at updated_at episode_id agreed_at contact_by contact_how family_told "
                                  "family_how_often return_who_sees return_where return_interviewer recorded_by_id"),
    "return_visit": _t(ReturnVisit, "created_at updated_at episode_id visited_at visited_by discussed_episode "
                                    "prevention outcome parental_responsibility_informed_at "
                                    "parental_responsibility_informed recorded_by_id"),
    "rhi": _t(ReturnInterview, "id created_at updated_at episode_id practitioner_id allocated_at allocated_by_id "
                               "offered_at offer_method outcome conducted_at method seen_alone accompanied_by "
                               "conducted_by push_factors pull_factors exploitation_indicators referrals reasons "
                               "whereabouts harm health_concerns wishes_and_feelings actions carer_observations "
                               "interview_recorded_at authorised_at authorised_by_id recommendations shared_at "
                               "shared_with"),
    "rhi_allocation": _t(RhiAllocation, "interview_id practitioner_id previous_practitioner_id allocated_at reason "
                                        "recorded_at recorded_by_id"),
    "rhi_offer": _t(RhiOffer, "interview_id offered_at method answer note recorded_at recorded_by_id"),
    "rhi_version": _t(RhiVersion, "interview_id number content amended_at amendment_reason recorded_at "
                                  "recorded_by_id authorised_at authorised_by_id recommendations"),
    "rhi_sharing": _t(RhiSharing, "interview_id shared_at recipients safeguarding_concern note recorded_at "
                                  "recorded_by_id"),
    "notification": _t(Notification, "episode_id child_id event event_at recipient_role roles recipient "
                                      "recipient_user_id contact_point_id address channel reason urgent dedupe_key "
                                      "created_at status attempts next_attempt_at leased_until lease_token "
                                      "last_error sent_at"),
    "obligation": _t(StoredObligation, "episode_id child_id code instance title responsible_role arises_at due_at "
                                       "done_at done_recorded_at late basis listed_from lapses_at ended_at "
                                       "ended_reason for_information owner_queue owner_user_id owner_team_id "
                                       "refreshed_at"),
    "obligation_state": _t(EpisodeObligationState, "episode_id refreshed_at valid_until exact_until"),
}

# Written in this order, so that a row's foreign keys exist before it (SQLite checks them at
# commit, PostgreSQL's are deferred too; the order keeps both happy).
ORDER = ("child", "legal_status", "placement", "adult", "philomena", "episode", "classification", "whereabouts",
         "grading", "action", "meeting", "meeting_action", "action_plan", "return_visit", "rhi", "rhi_allocation",
         "rhi_offer", "rhi_version", "rhi_sharing", "notification", "obligation", "obligation_state", "chronology")


class MissingDefault(Exception):
    pass


def _json_columns(model: type[models.Model]) -> set[str]:
    return {str(f.column) for f in model._meta.concrete_fields if isinstance(f, models.JSONField)}


def full_columns(table: Table) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The table's columns as generated, then every other column with its default (the
    primary key left to the database)."""
    given = set(table.columns)
    known = {f.column for f in table.model._meta.concrete_fields}
    unknown = given - known
    if unknown:
        raise MissingDefault(f"{table.name}: the generator fills {sorted(unknown)}, which the model no longer has")
    extra_columns: list[str] = []
    extra_values: list[Any] = []
    for f in table.model._meta.concrete_fields:
        if f.column in given or f.primary_key:
            continue
        if f.default is NOT_PROVIDED and not f.null and not f.empty_strings_allowed:
            raise MissingDefault(f"{table.name}.{f.column}: a new column without a default; teach bench/casefile.py "
                                 "to fill it")
        value = f.get_default()
        extra_columns.append(str(f.column))
        extra_values.append(json.dumps(value) if isinstance(f, models.JSONField) else value)
    return table.columns + tuple(extra_columns), tuple(extra_values)


def write(key: str, rows: Sequence[tuple[Any, ...]]) -> int:
    """Write `rows` (tuples in `TABLES[key].columns` order, JSON already as text) to the table."""
    return write_table(TABLES[key], rows)


def write_table(table: Table, rows: Sequence[tuple[Any, ...]]) -> int:
    if not rows:
        return 0
    conn = connection
    columns, extra = full_columns(table)
    if conn.vendor == "postgresql":
        _copy(conn, table.name, columns, rows, extra)
    else:
        _insert(conn, table, columns, rows, extra)
    return len(rows)


def _column_types(conn: BaseDatabaseWrapper, name: str, columns: tuple[str, ...]) -> list[int]:
    """The type oid of each column, for binary COPY."""
    with conn.cursor() as cursor:
        cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                       "AND NOT attisdropped", [f'"{name}"'])
        types = dict(cursor.fetchall())
    return [int(types[column]) for column in columns]


def _json_text(value: Any) -> str:
    # JSON columns arrive as text already (json.dumps once, where the row is made).
    return value if isinstance(value, str) else json.dumps(value)


def copy_rows(name: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY rows into any table of the default database (PostgreSQL)."""
    _copy(connection, name, columns, rows, ())


def _copy(conn: BaseDatabaseWrapper, name: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]],
          extra: tuple[Any, ...]) -> None:
    """COPY in binary: about a quarter of the client's CPU of text COPY, and no parsing of
    times on the server."""
    types = _column_types(conn, name, columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    with conn.cursor() as cursor:
        raw = cursor.cursor
        set_json_dumps(_json_text, context=raw)
        with raw.copy(f'COPY "{name}" ({quoted}) FROM STDIN (FORMAT BINARY)') as copy:
            copy.set_types(types)
            if extra:
                for row in rows:
                    copy.write_row(row + extra)
            else:
                for row in rows:
                    copy.write_row(row)


def _same(value: Any) -> Any:
    return value


def _prepared(f: models.Field[Any, Any], conn: BaseDatabaseWrapper, value: Any) -> Any:
    return f.get_db_prep_save(value, conn)


def _insert(conn: BaseDatabaseWrapper, table: Table, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]],
            extra: tuple[Any, ...]) -> None:
    fields = {f.column: f for f in table.model._meta.concrete_fields}
    json_columns = _json_columns(table.model)
    adapters: list[Callable[[Any], Any]] = []
    for column in columns:
        f = fields[column]
        if column in json_columns:
            adapters.append(_same)
        else:
            adapters.append(partial(_prepared, f, conn))
    placeholders = ", ".join(["%s"] * len(columns))
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})'
    with conn.cursor() as cursor:
        cursor.executemany(sql, [tuple(a(v) for a, v in zip(adapters, row + extra, strict=True)) for row in rows])
