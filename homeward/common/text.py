"""Text that is safe to store and to hand on: no formula in a spreadsheet, no control or
bidirectional-override character in a name or an identifier (issue 14, items 6, 10 and 11).

OWASP's "CSV Injection" guidance: a cell that begins with `=`, `+`, `-`, `@`, a tab or a
carriage return may be run as a formula by a spreadsheet. Homeward refuses such a case-system
id at input (a clear field error) and, defensively, never writes one as a live formula:
`csv_cell` prefixes a single quote in a CSV, and the Annex A workbook writes every text cell as
a string (`annex_a`).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from .errors import FieldError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Right-to-left and left-to-right embeddings, overrides, isolates and marks: they make a name
# or an id read differently from what is stored (Trojan Source, CVE-2021-42574).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def formula_like(value: str) -> bool:
    """True when a spreadsheet could take the text for a formula."""
    return value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> str:
    """A value for a CSV cell that no spreadsheet runs as a formula (OWASP: prefix a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if formula_like(text) else text


def has_bidi_control(value: str) -> bool:
    return any(ch in BIDI_CONTROLS for ch in value)


def has_control(value: str, *, allow_newlines: bool = False) -> bool:
    """A C0/C1 control character (NUL, CR, LF, ...), other than a newline or tab in free text."""
    allowed = "\n\r\t" if allow_newlines else ""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)


def check_name(field: str, value: Any, errors: list[FieldError], label: str = "The name") -> None:
    """A person's name: no control or bidirectional formatting character."""
    text = str(value or "")
    if has_control(text):
        errors.append(FieldError(field, f"{label} must not contain control characters such as line breaks."))
    elif has_bidi_control(text):
        errors.append(FieldError(field, f"{label} must not contain right-to-left or left-to-right override "
                                        "characters."))


def check_free_text(field: str, value: Any, errors: list[FieldError], label: str = "The text") -> None:
    """Free text: line breaks are fine; NUL, other control and bidi override characters are not."""
    text = str(value or "")
    if has_control(text, allow_newlines=True):
        errors.append(FieldError(field, f"{label} must not contain control characters."))
    elif has_bidi_control(text):
        errors.append(FieldError(field, f"{label} must not contain right-to-left or left-to-right override "
                                        "characters."))


def check_identifier(field: str, value: str, errors: list[FieldError], label: str = "The case-system id") -> None:
    """A free-text identifier handed on in the statutory returns: printable, one line, not a
    formula. The message names the field and what is wrong."""
    if has_control(value):
        errors.append(FieldError(field, f"{label} must not contain control characters such as line breaks."))
    elif has_bidi_control(value):
        errors.append(FieldError(field, f"{label} must not contain right-to-left or left-to-right override "
                                        "characters."))
    elif formula_like(value):
        errors.append(FieldError(field, f"{label} must not begin with =, +, -, @, a tab or a carriage return "
                                        "(a spreadsheet would run it as a formula)."))


def identifier_problem(value: str) -> str:
    """Why an identifier already stored cannot be handed on, or '' when it can."""
    errors: list[FieldError] = []
    check_identifier("external_id", value, errors)
    return errors[0].message if errors else ""


def listed(words: list[str]) -> str:
    """Words as a sentence lists them: "a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}" if words else ""


def counted(number: int, thing: str, things: str | None = None) -> str:
    """A number of things as a sentence says it: "1 action", "3 actions", "0 actions"."""
    return f"{number} {thing if number == 1 else things or thing + 's'}"


def lower_first(text: str) -> str:
    """The text as it reads inside a sentence: its first letter in lower case, unless it begins
    with an abbreviation ("MCT admin", "IRO"), which keeps its capitals."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]
