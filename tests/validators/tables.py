"""Header and Episodes tables for the DfE validator, built from Homeward's children, and a
call of the validator (tests/validators/run_903.py in .venv-903) on them and a Missing table.

The authority's own SSDA903 return has these tables; Homeward exports only Missing. The
tests build them from the same legal status and placement histories, one Episodes row per
period of care (start `S`, legal status C2, need N1), with real postcodes, so that every
rule that reads Missing with them can run.
"""

from __future__ import annotations

import csv
import fcntl
import json
import subprocess
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from homeward.children.models import Child
from homeward.reporting.history import ChildHistory, histories_for
from homeward.reporting.ssda903 import collection_year

REPO = Path(__file__).resolve().parents[2]
PYTHON_903 = REPO / ".venv-903" / "bin" / "python"
STAMP_903 = REPO / ".venv-903" / ".installed-0.1.17"
RUNNER = REPO / "tests" / "validators" / "run_903.py"
# West Northamptonshire (941): its ONS code, as the validator names authorities.
LA_ONS = "E06000062"
HOME_POST = "NN1 1DE"
PL_POST = "NN4 8BT"
MISSING_RULES = frozenset({"1004", "1005", "1006", "564", "565", "566", "567", "570", "571", "574", "575", "576",
                           "577", "578", "580", "581", "586", "1012", "INT04", "INT13"})
HEADER = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODES = ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC", "REASON_PLACE_CHANGE",
            "HOME_POST", "PL_POST", "URN")


def _dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def periods_of_care(history: ChildHistory) -> list[tuple[date, date | None]]:
    """(start, end) of each period of care: end the day a status other than looked after
    began, or the 18th birthday; None while it goes on."""
    starts = sorted({p.started_on for p in history.facts.legal_status_history})
    periods = []
    for start in starts:
        if not history.looked_after_on(start) or (periods and (periods[-1][1] is None or periods[-1][1] > start)):
            continue
        begin = max(start, history.date_of_birth)
        end = history.care_ends_after(start)
        limit = history.eighteenth_birthday()
        periods.append((begin, min(end, limit) if end else limit))
    return periods


def header_and_episodes(children: Iterable[Child], year: int) -> tuple[list[list[str]], list[list[str]]]:
    first, last = collection_year(year)
    rows = list(children)
    histories = histories_for(rows)
    header, episodes = [], []
    for child in rows:
        history = histories[child.pk]
        periods = [(s, e) for s, e in periods_of_care(history) if s <= last and (e is None or e >= first)]
        if not periods:
            continue
        header.append([child.external_id, {"male": "M", "female": "F"}.get(child.sex, "U"),
                       _dmy(child.date_of_birth), (child.ethnicity or "WBRI").upper(), "UN1",
                       "0" if child.sex == "female" else "", ""])
        for start, end in periods:
            placement = history.placement_on(start)
            place = "U4"
            for p in child.placements.all():
                if placement is not None and p.authority.code == placement.authority and p.type:
                    place = p.type.upper()
            ended = end if end is not None and end <= last else None
            episodes.append([child.external_id, _dmy(start), "S", "C2", "N1", place,
                             "PR4" if place.startswith("K") else "PR1", _dmy(ended), "E8" if ended else "", "",
                             HOME_POST, PL_POST, "SC123456" if place.startswith("K") else "XXXXXXX"])
    return header, episodes


def _write(path: Path, columns: Iterable[str], rows: Iterable[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def ensure_validator() -> None:
    """Build .venv-903 if `make validator` has not (one builder at a time)."""
    if STAMP_903.exists():
        return
    with (Path(tempfile.gettempdir()) / "homeward-venv-903.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not STAMP_903.exists():
            subprocess.run([str(REPO / "scripts" / "ssda903-validator-venv")], check=True, timeout=900)


def validate(tmp: Path, *, year: int, children: Iterable[Child], missing_csv: str) -> dict[str, Any]:
    """Run the DfE validator on Header, Episodes (built here) and the exported Missing table."""
    ensure_validator()
    header, episodes = header_and_episodes(children, year)
    files = [_write(tmp / "header.csv", HEADER, header), _write(tmp / "episodes.csv", EPISODES, episodes)]
    missing = tmp / "missing.csv"
    missing.write_text(missing_csv, encoding="utf-8")
    files.append(missing)
    completed = subprocess.run(
        [str(PYTHON_903), str(RUNNER), "--year", str(year), "--la", LA_ONS, *map(str, files)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    answer: dict[str, Any] = json.loads(completed.stdout)
    answer["missing_errors"] = [e for e in answer["errors"] if e["rule"] in MISSING_RULES]
    return answer
