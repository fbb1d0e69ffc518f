"""The keys of the audit log's chain (issue 14, ADR 0012): kept outside the database.

Each entry's hash is an HMAC-SHA256 under a key the database never holds, so that someone who
can write to the database (the application's role, the database owner) cannot append an entry
that verifies, nor rewrite one and recompute the rest. The key comes from the environment
(`HOMEWARD_AUDIT_KEY`, the one key, named "env") or from a key file (`HOMEWARD_AUDIT_KEY_FILE`,
one "name secret" line per key, the last one current; `homeward audit rotate-key` appends a new
one and the old ones stay to verify the entries they signed). Outside production a missing key
file is created with a new random key, readable by its owner only.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENV_KEY_NAME = "env"


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current: str

    def key(self, name: str) -> bytes | None:
        return self.keys.get(name)


def _key_file() -> Path:
    return Path(settings.HOMEWARD_AUDIT_KEY_FILE)


def _read(path: Path) -> KeyRing | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    keys: dict[str, bytes] = {}
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[1]) < 32:
            raise ImproperlyConfigured(f"HOMEWARD_AUDIT_KEY_FILE {path}, line {number}: expected 'name secret' "
                                       "with a secret of at least 32 characters")
        keys[parts[0]] = parts[1].encode()
        current = parts[0]
    if not current:
        raise ImproperlyConfigured(f"HOMEWARD_AUDIT_KEY_FILE {path}: holds no key")
    return KeyRing(keys=keys, current=current)


def _create(path: Path) -> None:
    """A first key, written so that two processes starting together agree on it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(f"# Homeward audit log keys: never in the database; keep a copy safe.\nk1 {secrets.token_hex(32)}\n")


_cache: dict[tuple[str, float], KeyRing] = {}


def _read_cached(path: Path) -> KeyRing | None:
    """The key file as last read, read again when it changes (a rotation by another process)."""
    try:
        stamp = path.stat().st_mtime
    except FileNotFoundError:
        return None
    key = (str(path), stamp)
    if key not in _cache:
        ring = _read(path)
        if ring is None:
            return None
        _cache.clear()
        _cache[key] = ring
    return _cache[key]


def audit_key_ring() -> KeyRing:
    """Every key that has signed entries, and the one new entries are signed with."""
    from_env = getattr(settings, "HOMEWARD_AUDIT_KEY", "")
    path = _key_file()
    ring = _read_cached(path)
    if from_env:
        if len(from_env) < 32:
            raise ImproperlyConfigured("HOMEWARD_AUDIT_KEY must be at least 32 characters")
        keys = {**(ring.keys if ring else {}), ENV_KEY_NAME: from_env.encode()}
        return KeyRing(keys=keys, current=ENV_KEY_NAME)
    if ring is None:
        if getattr(settings, "HOMEWARD_PRODUCTION", False):
            raise ImproperlyConfigured("Set HOMEWARD_AUDIT_KEY or HOMEWARD_AUDIT_KEY_FILE: the audit log's key is "
                                       "kept outside the database (docs/adr/0012)")
        _create(path)
        ring = _read_cached(path)
        assert ring is not None
    return ring


def audit_key_rotate() -> str:
    """Append a new key to the key file and make it current; returns its name. The earlier keys
    stay, to verify what they signed."""
    if getattr(settings, "HOMEWARD_AUDIT_KEY", ""):
        raise ImproperlyConfigured("HOMEWARD_AUDIT_KEY is set in the environment: rotate it there (the entries "
                                   "it signed need the old key in HOMEWARD_AUDIT_KEY_FILE to verify)")
    ring = audit_key_ring()
    number = 1 + max((int(name[1:]) for name in ring.keys if name[1:].isdigit()), default=0)
    name = f"k{number}"
    with _key_file().open("a", encoding="utf-8") as file:
        file.write(f"{name} {secrets.token_hex(32)}\n")
    return name
