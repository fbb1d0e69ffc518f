"""Run the DfE SSDA903 validation rules (csc-validator-be-903) on CSV tables; print JSON.

Run with the python of .venv-903 (scripts/ssda903-validator-venv), not Homeward's: the
package pins old numpy and pandas. Usage:

    .venv-903/bin/python tests/validators/run_903.py --year 2025 --la E06000062 \
        header.csv episodes.csv missing.csv

Prints {"errors": [{"rule", "table", "row", "child", "message"}], "failed": [rules that
raised]}. Each rule gets its own deep copy of the tables: the package as shipped gives every
rule a shallow copy, and rule 365 writes 31/03 into open care episodes' end dates, so rules
run after it would flag every missing period open at the year end (false 575 and 577).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import logging
import sys
from pathlib import Path
from typing import Any

# Rule 231 raises on every input: it reads a Header column that the CSV loader never makes
# (it is not a Missing rule). Running it would only add a failure that says nothing.
SKIPPED = {"231"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", required=True, help="Collection year end, e.g. 2025 for 2024-25.")
    parser.add_argument("--la", required=True, help="The local authority's ONS code, e.g. E06000062.")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)

    import pandas as pd
    from lac_validator.datastore import create_datastore
    from lac_validator.ingress import read_from_text
    from lac_validator.rules.ruleset_utils import get_year_ruleset

    # Some rules print as they run: keep standard output for the answer alone.
    with contextlib.redirect_stdout(sys.stderr):
        answer = _validate(args, pd, create_datastore, read_from_text, get_year_ruleset)
    json.dump(answer, sys.stdout)
    return 0


def _validate(args: argparse.Namespace, pd: Any, create_datastore: Any, read_from_text: Any,
              get_year_ruleset: Any) -> dict[str, Any]:
    registry = get_year_ruleset(args.year)
    uploaded = [{"name": path.name, "file_content": path.read_bytes(), "description": "This year"}
                for path in args.files]
    tables, extras = read_from_text(raw_files=uploaded)
    metadata = {"collectionYear": args.year, "localAuthority": args.la, **extras}
    store = create_datastore(tables, metadata)
    errors, failed = [], []
    for code, rule in sorted(registry.items()):
        if code in SKIPPED:
            continue
        try:
            result = rule.func(copy.deepcopy(store))
        except Exception as exc:  # a rule that cannot run on these tables
            failed.append({"rule": code, "error": f"{type(exc).__name__}: {exc}"})
            continue
        for table, locations in (result or {}).items():
            frame = store.get(table)
            for location in locations:
                if pd.isna(location):
                    continue
                child = ""
                if frame is not None and location in frame.index and "CHILD" in frame.columns:
                    child = str(frame.loc[location, "CHILD"])
                errors.append({"rule": str(code), "table": table, "row": int(location), "child": child,
                               "message": rule.message})
    return {"errors": errors, "failed": failed, "tables": sorted(tables)}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
