"""Children without a case-system id in the statutory returns.

The SSDA903 Missing table's `CHILD`, the SSD's `miss_person_id` and Annex A's "Child Unique
ID" are the child's `external_id`. A child reported out of hours may have been recorded
without one (the "Report a missing child" page leaves it optional): such a child is listed
for fixing, and the return is not exported until the id is recorded, as with the DfE rules.

So is a child whose id, recorded before such ids were refused, a spreadsheet would run as a
formula or that holds a control character (issue 14, item 6): the return goes to the DfE and
is opened in spreadsheets, so the id is corrected on the child's page, never sent altered.
The CSV writers also quote-prefix any such cell defensively (`homeward.common.text.csv_cell`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from homeward.common.text import identifier_problem

NO_CHILD_ID = "The child has no case-system id, which the return uses as the child's id: add it on the child's page."


@dataclass(frozen=True)
class ChildWithoutId:
    child: int
    message: str = NO_CHILD_ID

    @property
    def field(self) -> str:
        return f"child:{self.child}"


@lru_cache(maxsize=65_536)
def child_id_problem(ref: str) -> str:
    """Why a case-system id cannot go into a return ('' when it can). Remembered: a return
    checks each child's id once for every row of theirs."""
    if not ref.strip():
        return NO_CHILD_ID
    problem = identifier_problem(ref)
    return f"{problem[:-1]}: correct it on the child's page." if problem else ""


def children_without_id(refs: dict[int, str]) -> list[ChildWithoutId]:
    """The children (pk to case-system id) whose id is blank or cannot be handed on, in pk order."""
    out = []
    for pk, ref in sorted(refs.items()):
        problem = child_id_problem(ref)
        if problem:
            out.append(ChildWithoutId(child=pk, message=problem))
    return out
