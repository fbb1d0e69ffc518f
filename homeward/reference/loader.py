"""Load the shipped reference data files into the database.

``load_reference_data()`` is an idempotent upsert, keyed by code, run in one transaction:

- rows in the files are created, or updated when their name/label/region/force/position
  or ``retired_on`` differ;
- shipped rows that are no longer in the files are retired (``retired_on`` = today),
  never deleted, so old records keep their meaning;
- coded items an authority added itself (``shipped=False``) are never touched, even when
  a shipped item has the same code (that is reported as a conflict);
- running it twice changes nothing the second time.

The files live in ``homeward/reference/data/`` (a package, so they ship in the wheel):
``police_forces.csv``, ``authorities.csv`` and ``coded_lists.toml``. The files are read
and checked before anything is written: a bad file raises ``ReferenceDataError`` and the
database is left as it was.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from homeward.reference.models import Authority, CodedItem, PoliceForce
from homeward.reference.selectors import POLICE_FORCE_CHOICES_KEY

DATA_PACKAGE = "homeward.reference.data"
POLICE_FORCES_FILE = "police_forces.csv"
AUTHORITIES_FILE = "authorities.csv"
CODED_LISTS_FILE = "coded_lists.toml"

#: ``kind`` of a police force that polices a geographical area (and so can be an
#: authority's force); other kinds (``special``: British Transport Police) cannot.
TERRITORIAL = "territorial"
POLICE_FORCE_KINDS = frozenset({TERRITORIAL, "special"})

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_LA_CODE = re.compile(r"^[0-9]{3}$")


class ReferenceDataError(ValueError):
    """A shipped data file is malformed or inconsistent."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    retired: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.retired


@dataclass
class LoadSummary:
    police_forces: Counts = field(default_factory=Counts)
    authorities: Counts = field(default_factory=Counts)
    coded_items: Counts = field(default_factory=Counts)
    #: ``(list_name, code)`` of shipped items skipped because the authority already has a
    #: local (``shipped=False``) item with that code.
    conflicts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.police_forces.changed or self.authorities.changed or self.coded_items.changed
        )

    def __str__(self) -> str:
        parts = []
        for name in ("police_forces", "authorities", "coded_items"):
            c: Counts = getattr(self, name)
            parts.append(
                f"{name}: {c.created} created, {c.updated} updated, "
                f"{c.retired} retired, {c.unchanged} unchanged"
            )
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflicts with local items")
        return "; ".join(parts)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class PoliceForceRow:
    code: str
    name: str
    kind: str
    retired_on: datetime.date | None


@dataclass(frozen=True)
class AuthorityRow:
    code: str
    name: str
    region: str
    police_force: str
    retired_on: datetime.date | None


@dataclass(frozen=True)
class CodedItemRow:
    list_name: str
    code: str
    label: str
    position: int
    retired_on: datetime.date | None


def _read_text(filename: str) -> str:
    return resources.files(DATA_PACKAGE).joinpath(filename).read_text(encoding="utf-8")


def _parse_date(value: Any, where: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ReferenceDataError(f"{where}: retired_on {value!r} is not a YYYY-MM-DD date") from exc


def _csv_rows(filename: str, required: list[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(_read_text(filename)))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ReferenceDataError(f"{filename}: missing columns {missing}")
    rows = []
    for n, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        row["_where"] = f"{filename} line {n}"
        rows.append(row)
    return rows


def read_police_forces() -> list[PoliceForceRow]:
    out: list[PoliceForceRow] = []
    seen: set[str] = set()
    for r in _csv_rows(POLICE_FORCES_FILE, ["code", "name", "kind"]):
        where = r["_where"]
        if not _SLUG.match(r["code"]):
            raise ReferenceDataError(f"{where}: code {r['code']!r} is not a slug")
        if r["code"] in seen:
            raise ReferenceDataError(f"{where}: duplicate code {r['code']!r}")
        if not r["name"]:
            raise ReferenceDataError(f"{where}: name is empty")
        if r["kind"] not in POLICE_FORCE_KINDS:
            raise ReferenceDataError(
                f"{where}: kind {r['kind']!r} not in {sorted(POLICE_FORCE_KINDS)}"
            )
        seen.add(r["code"])
        out.append(
            PoliceForceRow(r["code"], r["name"], r["kind"], _parse_date(r.get("retired_on"), where))
        )
    return out


def read_authorities(forces: list[PoliceForceRow] | None = None) -> list[AuthorityRow]:
    forces = read_police_forces() if forces is None else forces
    territorial = {f.code for f in forces if f.kind == TERRITORIAL}
    out: list[AuthorityRow] = []
    seen: set[str] = set()
    for r in _csv_rows(AUTHORITIES_FILE, ["code", "name", "region", "police_force", "retired_on"]):
        where = r["_where"]
        if not _LA_CODE.match(r["code"]):
            raise ReferenceDataError(f"{where}: code {r['code']!r} is not a three-digit LA code")
        if r["code"] in seen:
            raise ReferenceDataError(f"{where}: duplicate code {r['code']!r}")
        if not r["name"]:
            raise ReferenceDataError(f"{where}: name is empty")
        if r["police_force"] not in territorial:
            raise ReferenceDataError(
                f"{where}: police_force {r['police_force']!r} is not a territorial force "
                f"in {POLICE_FORCES_FILE}"
            )
        seen.add(r["code"])
        out.append(
            AuthorityRow(
                r["code"],
                r["name"],
                r["region"],
                r["police_force"],
                _parse_date(r["retired_on"], where),
            )
        )
    return out


def read_coded_lists() -> dict[str, list[CodedItemRow]]:
    try:
        data = tomllib.loads(_read_text(CODED_LISTS_FILE))
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError(f"{CODED_LISTS_FILE}: {exc}") from exc
    lists: dict[str, list[CodedItemRow]] = {}
    for list_name, table in data.items():
        where = f"{CODED_LISTS_FILE} [{list_name}]"
        if not _SLUG.match(list_name) or len(list_name) > 60:
            raise ReferenceDataError(f"{where}: list name is not a slug of at most 60 characters")
        if not isinstance(table, dict) or not isinstance(table.get("items"), list):
            raise ReferenceDataError(f"{where}: needs an `items` array")
        rows: list[CodedItemRow] = []
        seen: set[str] = set()
        for position, item in enumerate(table["items"]):
            code = str(item.get("code", ""))
            label = str(item.get("label", "")).strip()
            if not _SLUG.match(code) or len(code) > 60:
                raise ReferenceDataError(
                    f"{where}: code {code!r} is not a slug of at most 60 characters"
                )
            if code in seen:
                raise ReferenceDataError(f"{where}: duplicate code {code!r}")
            if not label or len(label) > 200:
                raise ReferenceDataError(f"{where} {code}: label must be 1 to 200 characters")
            seen.add(code)
            rows.append(
                CodedItemRow(
                    list_name,
                    code,
                    label,
                    position,
                    _parse_date(item.get("retired_on"), f"{where} {code}"),
                )
            )
        lists[list_name] = rows
    return lists


# --------------------------------------------------------------------------- writing


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    """Set ``values`` on ``obj``; return True if anything differed."""
    changed = False
    for attr, value in values.items():
        if getattr(obj, attr) != value:
            setattr(obj, attr, value)
            changed = True
    return changed


def _load_police_forces(
    rows: list[PoliceForceRow], today: datetime.date, counts: Counts
) -> dict[str, PoliceForce]:
    existing = {f.code: f for f in PoliceForce.objects.all()}
    for row in rows:
        values = {"name": row.name, "retired_on": row.retired_on}
        obj = existing.get(row.code)
        if obj is None:
            existing[row.code] = PoliceForce.objects.create(code=row.code, **values)
            counts.created += 1
        elif _apply(obj, values):
            obj.save(update_fields=list(values))
            counts.updated += 1
        else:
            counts.unchanged += 1
    in_file = {r.code for r in rows}
    for code, obj in existing.items():
        if code not in in_file and obj.retired_on is None:
            obj.retired_on = today
            obj.save(update_fields=["retired_on"])
            counts.retired += 1
    return existing


def _load_authorities(
    rows: list[AuthorityRow], forces: dict[str, PoliceForce], today: datetime.date, counts: Counts
) -> None:
    existing = {a.code: a for a in Authority.objects.all()}
    for row in rows:
        values = {
            "name": row.name,
            "region": row.region,
            "police_force_id": forces[row.police_force].pk,
            "retired_on": row.retired_on,
        }
        obj = existing.get(row.code)
        if obj is None:
            Authority.objects.create(code=row.code, **values)
            counts.created += 1
        elif _apply(obj, values):
            obj.save(update_fields=[k.removesuffix("_id") for k in values])
            counts.updated += 1
        else:
            counts.unchanged += 1
    in_file = {r.code for r in rows}
    for code, obj in existing.items():
        if code not in in_file and obj.retired_on is None:
            obj.retired_on = today
            obj.save(update_fields=["retired_on"])
            counts.retired += 1


def _load_coded_items(
    lists: dict[str, list[CodedItemRow]], today: datetime.date, summary: LoadSummary
) -> None:
    counts = summary.coded_items
    existing = {(i.list_name, i.code): i for i in CodedItem.objects.all()}
    in_file: set[tuple[str, str]] = set()
    for rows in lists.values():
        for row in rows:
            key = (row.list_name, row.code)
            in_file.add(key)
            values = {"label": row.label, "position": row.position, "retired_on": row.retired_on}
            obj = existing.get(key)
            if obj is None:
                CodedItem.objects.create(
                    list_name=row.list_name, code=row.code, shipped=True, **values
                )
                counts.created += 1
            elif not obj.shipped:
                summary.conflicts.append(key)
            elif _apply(obj, values):
                obj.save(update_fields=list(values))
                counts.updated += 1
            else:
                counts.unchanged += 1
    for key, obj in existing.items():
        if obj.shipped and key not in in_file and obj.retired_on is None:
            obj.retired_on = today
            obj.save(update_fields=["retired_on"])
            counts.retired += 1


def load_reference_data(today: datetime.date | None = None) -> LoadSummary:
    """Upsert the shipped police forces, authorities and coded lists; see the module doc.

    ``today`` (default: the local date) is the ``retired_on`` given to shipped rows that
    have disappeared from the files.
    """
    today = today or timezone.localdate()
    force_rows = read_police_forces()
    authority_rows = read_authorities(force_rows)
    coded_lists = read_coded_lists()

    summary = LoadSummary()
    with transaction.atomic():
        forces = _load_police_forces(force_rows, today, summary.police_forces)
        _load_authorities(authority_rows, forces, today, summary.authorities)
        _load_coded_items(coded_lists, today, summary)
    transaction.on_commit(lambda: cache.delete(POLICE_FORCE_CHOICES_KEY))
    return summary
