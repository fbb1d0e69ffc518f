"""Domain errors raised by services and turned into problem+json by the API and form errors by pages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainValidationError(Exception):
    """Bad input: nothing was stored. Each error names the field at fault."""

    def __init__(self, errors: list[FieldError] | FieldError) -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    @classmethod
    def single(cls, field: str, message: str) -> DomainValidationError:
        return cls(FieldError(field, message))


class PermissionDenied(Exception):
    """The person's role may not do this at all (403)."""


class NotFound(Exception):
    """Not there, or not visible to this person (404): the two are never told apart."""
