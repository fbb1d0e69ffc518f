"""Children without a case-system id in the statutory returns.

The SSDA903 Missing table's `CHILD`, the SSD's `miss_person_id` and Annex A's "Child Unique
ID" are the child's `external_id`. A child reported out of hours may have been recorded
without one (the "Report a missing child" page leaves it optional): such a child is listed
for fixing, and the return is not exported until the id is recorded, as with the DfE rules.
"""

from __future__ import annotations

from dataclasses import dataclass

NO_CHILD_ID = "The child has no case-system id, which the return uses as the child's id: add it on the child's page."


@dataclass(frozen=True)
class ChildWithoutId:
    child: int
    message: str = NO_CHILD_ID

    @property
    def field(self) -> str:
        return f"child:{self.child}"


def children_without_id(refs: dict[int, str]) -> list[ChildWithoutId]:
    """The children (pk to case-system id) whose id is blank, in pk order."""
    return [ChildWithoutId(child=pk) for pk, ref in sorted(refs.items()) if not ref.strip()]
