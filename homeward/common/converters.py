"""Path converters: a record's id in a URL is a whole number the database can hold.

Django's `int` converter takes any run of digits; an id of 24 digits reached the database and
SQLite refused it ("Python int too large"), a 500 instead of a 404 (issue 14).
"""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**31 - 1


class RecordIdConverter:
    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("beyond the database's ids")  # no match: the URL is a 404
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


register_converter(RecordIdConverter, "id")
