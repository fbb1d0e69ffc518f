"""Where the current action comes from (address, browser, channel), for the audit log.

Set once per request by middleware or the API; services read it when they write entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    remote_addr: str = ""
    user_agent: str = ""
    channel: str = "system"


_origin: ContextVar[RequestOrigin] = ContextVar("homeward_request_origin", default=RequestOrigin())  # noqa: B039 (frozen)


def current_origin() -> RequestOrigin:
    return _origin.get()


@contextmanager
def origin(value: RequestOrigin) -> Iterator[None]:
    token = _origin.set(value)
    try:
        yield
    finally:
        _origin.reset(token)


def origin_from_request(request: object, channel: str) -> RequestOrigin:
    meta = getattr(request, "META", {})
    return RequestOrigin(
        remote_addr=str(meta.get("REMOTE_ADDR", ""))[:64],
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:300],
        channel=channel,
    )
