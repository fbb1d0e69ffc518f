"""Finding children by name, date of birth, case-system id or police reference.

Reads only through the `*_for_user` selectors, so a person finds only the children they may
see; each search is audited with what was asked.
"""

from __future__ import annotations

import re
from datetime import date

from django.db.models import Q, QuerySet

from homeward.accounts.models import User
from homeward.audit.services import audit_list_read, audit_record
from homeward.children.models import Child
from homeward.children.selectors import child_list_for_user
from homeward.episodes.selectors import episode_list_for_user

MAX_RESULTS = 50
_DATE = re.compile(r"^\s*(\d{1,2})[\s/.-]+(\d{1,2})[\s/.-]+(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def parse_date_query(text: str) -> date | None:
    """'17/05/2011', '17 5 2011' or '2011-05-17' as a date; else None."""
    match = _DATE.match(text)
    try:
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        match = _ISO_DATE.match(text)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return None


def children_matching(user: User, query: str) -> QuerySet[Child]:
    """The children this person may see that match the query, by name first."""
    children = child_list_for_user(user)
    text = query.strip()
    born = parse_date_query(text)
    if born is not None:
        return children.filter(date_of_birth=born)[:MAX_RESULTS]
    by_reference = episode_list_for_user(user).filter(police_reference__iexact=text).values("child_id")
    condition = Q(external_id__iexact=text) | Q(pk__in=by_reference)
    words = text.split()
    if words:
        by_name = Q()
        for word in words:
            by_name &= Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(known_as__icontains=word)
        condition |= by_name
    return children.filter(condition).order_by("family_name", "given_name", "id")[:MAX_RESULTS]


def child_search(user: User, query: str) -> list[Child]:
    """Search, and record in the audit log who searched for what and how many were found, and,
    one entry per child, each child the results name (ADR 0009): a child's access log shows
    every search that listed them."""
    found = list(children_matching(user, query))
    audit_record(actor=user, action="search", object_type="child",
                 detail={"query": query, "results": len(found)})
    if found:
        audit_list_read(actor=user, object_type="child_search", rows=[(child.pk, child.pk) for child in found],
                        query={"q": query})
    return found
