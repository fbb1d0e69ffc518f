"""A place as the patterns report compares it (DOMAIN.md section 8): 'The Railway Station.'
and 'railway  station' are the same place. Each episode keeps the normalised form of where the
child was last seen and found beside what was written (`Episode.last_seen_place`,
`Episode.found_place`), so that a national year's places are grouped as stored (issue 11)
instead of every text of the period being read out and normalised for each report."""

from __future__ import annotations

import re
from functools import lru_cache

_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")
_LEADING = re.compile(r"^(the|a|an)\s+")


@lru_cache(maxsize=65_536)
def normalise_place(text: str) -> str:
    """Case, punctuation, runs of spaces and a leading 'the', 'a' or 'an' ignored; '' for a
    text that names nothing. Remembered: a service's places and associates are named in the
    same words over and over."""
    cleaned = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text.lower())).strip()
    return _LEADING.sub("", cleaned)
