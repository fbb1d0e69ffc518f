"""The guidance documents the shipped rules cite, by the names people know them by.

Rule citations (`Basis.citation`) and a few notes name the documents by their number in
Homeward's source list ("seed 002", "seeds 000 and 004"): stable, short and what the tests and
the API keep. People reading a page need the document itself: `name_sources` rewrites such
references into the documents' names. Pure Python, like the rest of the engine.
"""

from __future__ import annotations

import re
from functools import lru_cache

GUIDANCE: dict[str, str] = {
    "000": "Northamptonshire Children's Trust, Think Missing fact sheet",
    "001": (
        "Northamptonshire Safeguarding Children Board, Multi-Agency Protocol on Children Who Go Missing "
        "from Home or Care (2017 update)"
    ),
    "002": "Royal Borough of Greenwich, Factsheet 4: Missing",
    "003": "Sandwell, Missing from Home or Care: One Page Briefing for Social Workers and Lead Professionals",
    "004": (
        "Bath & North East Somerset Council, One Minute Guide to Children Missing from Home, Care or Education Settings"
    ),
}

# "seed 002", "Seed 001's", "seeds 000 and 004", "seeds 000, 002 and 003".
_REFERENCE = re.compile(r"\b[Ss]eeds? (\d{3}(?:(?:, | and )\d{3})*)")
# Homeward's own design notes, which people reading a page have not got.
_INTERNAL = re.compile(r" ?\((?:see )?(?:DOMAIN|API|ARCHITECTURE)\.md[^()]*\)")


def guidance_name(number: str) -> str:
    """A document's name from its number; an unknown number is kept as it was written."""
    return GUIDANCE.get(number, f"guidance document {number}")


@lru_cache(maxsize=4096)
def name_sources(text: str) -> str:
    """The text with every "seed 00N" reference replaced by the document's name, and any
    bracketed reference to Homeward's own design notes (DOMAIN.md...) left out."""

    def replace(match: re.Match[str]) -> str:
        names = [guidance_name(number) for number in re.findall(r"\d{3}", match.group(1))]
        if len(names) == 1:
            return names[0]
        return "; ".join(names[:-1]) + ("; and " if len(names) > 2 else " and ") + names[-1]

    return _REFERENCE.sub(replace, _INTERNAL.sub("", text))
