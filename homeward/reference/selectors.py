"""Read-only queries over reference data: authorities, police forces and coded lists.

"Current" means ``retired_on`` is empty. Retired rows stay resolvable by code (``*_get``)
so historical records keep their meaning; lists leave them out unless asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import QuerySet

from homeward.reference.models import Authority, CodedItem, PoliceForce


def authority_get(code: str) -> Authority | None:
    """The authority with this DfE three-digit LA code, current or retired, else None."""
    return Authority.objects.select_related("police_force").filter(code=str(code).strip()).first()


def authority_list(include_retired: bool = False) -> QuerySet[Authority]:
    """Authorities ordered by name (current only unless ``include_retired``)."""
    qs = Authority.objects.select_related("police_force").order_by("name", "code")
    if not include_retired:
        qs = qs.filter(retired_on__isnull=True)
    return qs


def police_force_get(code: str) -> PoliceForce | None:
    """The police force with this slug code, current or retired, else None."""
    return PoliceForce.objects.filter(code=str(code).strip()).first()


# Words partners add to a force's name, and which say nothing about which force it is.
_FORCE_WORDS = re.compile(r"\b(the|police|constabulary|service|force)\b")


def police_force_key(text: str) -> str:
    """A force's name or code reduced to what tells forces apart: "Avon & Somerset
    Constabulary", "avon-and-somerset" and "AVON AND SOMERSET POLICE" all give
    "avon and somerset"."""
    words = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and "))
    return " ".join(_FORCE_WORDS.sub(" ", words).split())


def police_force_resolve(text: str) -> PoliceForce | None:
    """The police force a partner means (issue 12): its code, its name or a common form of
    the name (any case, with or without "Police", "Constabulary", "Police Service", "&" for
    "and"), current or retired; None when no force, or more than one, answers to it.

    The one resolver for every path that takes a force: the API, imports and email intake.
    """
    text = str(text).strip()
    if not text:
        return None
    force = PoliceForce.objects.filter(code=text.lower()).first()
    if force is not None:
        return force
    key = police_force_key(text)
    matches = [f for f in PoliceForce.objects.all() if key in (police_force_key(f.code), police_force_key(f.name))]
    return matches[0] if len(matches) == 1 else None


def police_force_unknown_message(text: str) -> str:
    """The error to give, naming the field elsewhere, when `police_force_resolve` finds nothing."""
    return (f"{text!r} is not a known police force: give its code (e.g. 'northamptonshire') "
            "or its name (e.g. 'Northamptonshire Police').")


# The police forces a form offers, kept a minute by each process (Django's cache): a page that
# draws the force menu (an inline "police informed" form on a worklist) reads no table for it, so
# its statements do not depend on which duties it lists. What is submitted is still resolved
# against the table (`police_force_resolve`); loading reference data forgets the list at once.
POLICE_FORCE_CHOICES_KEY = "reference:police_force_choices"
POLICE_FORCE_CHOICES_SECONDS = 60


def police_force_choices() -> list[tuple[str, str]]:
    """(code, name) of the current forces, by name, as a form's menu offers them."""
    choices = cache.get(POLICE_FORCE_CHOICES_KEY)
    if choices is None:
        choices = list(police_force_list().values_list("code", "name"))
        cache.set(POLICE_FORCE_CHOICES_KEY, choices, POLICE_FORCE_CHOICES_SECONDS)
    return list(choices)


def police_force_list(include_retired: bool = False) -> QuerySet[PoliceForce]:
    """Police forces ordered by name (current only unless ``include_retired``).

    Includes British Transport Police, which is no authority's territorial force.
    """
    qs = PoliceForce.objects.order_by("name", "code")
    if not include_retired:
        qs = qs.filter(retired_on__isnull=True)
    return qs


def coded_list(list_name: str, include_retired: bool = False) -> list[CodedItem]:
    """The items of one coded list in display order (shipped and authority-added)."""
    qs = CodedItem.objects.filter(list_name=list_name).order_by("position", "code")
    if not include_retired:
        qs = qs.filter(retired_on__isnull=True)
    return list(qs)


def coded_labels(list_name: str) -> dict[str, str]:
    """{code: label} of a coded list, retired items included, to show stored codes by name."""
    return {item.code: item.label for item in coded_list(list_name, include_retired=True)}


def coded_label_rows(list_names: Iterable[str]) -> QuerySet[CodedItem, tuple[str, str, str]]:
    """(list name, code, label) of every item of these lists, in their order, for
    `coded_labels_by_list` (a page may read them along with its other rows)."""
    return (CodedItem.objects.filter(list_name__in=list(list_names)).order_by("list_name", "position", "code")
            .values_list("list_name", "code", "label"))


def coded_labels_by_list(list_names: Iterable[str],
                         rows: Iterable[tuple[str, str, str]] | None = None) -> dict[str, dict[str, str]]:
    """`coded_labels` of several lists in one query: {list name: {code: label}}; from `rows`
    (`coded_label_rows` of these lists) when the caller has read them."""
    labels: dict[str, dict[str, str]] = {name: {} for name in list_names}
    for list_name, code, label in coded_label_rows(labels) if rows is None else rows:
        labels[list_name][code] = label
    return labels


def coded_list_names() -> list[str]:
    """Names of every coded list in the database, sorted."""
    return sorted(set(CodedItem.objects.values_list("list_name", flat=True)))


def coded_item_get(list_name: str, code: str) -> CodedItem | None:
    """One coded item, current or retired, else None (e.g. to show a stored code's label)."""
    return CodedItem.objects.filter(list_name=list_name, code=code).first()


def is_valid_code(list_name: str, code: str, include_retired: bool = False) -> bool:
    """Whether ``code`` is in the list; a retired code only counts with ``include_retired``.

    New data should be checked with the default; imports of historical data may pass
    ``include_retired=True``.
    """
    qs = CodedItem.objects.filter(list_name=list_name, code=code)
    if not include_retired:
        qs = qs.filter(retired_on__isnull=True)
    return qs.exists()


def dfe_code(code: str) -> str:
    """The DfE code of an item of a DfE-derived list (``ethnicities``, ``placement_types``).

    Those lists use the lower-cased DfE code as their slug: ``wbri`` -> ``WBRI``,
    ``u4`` -> ``U4``.
    """
    return code.upper()


def code_from_dfe(dfe: str) -> str:
    """The slug of a DfE code (``WBRI`` -> ``wbri``); the inverse of ``dfe_code``."""
    return dfe.strip().lower()
