"""Where each scale's database lives, and making a new one.

`BENCH_SCALE=1m` uses postgres://postgres@127.0.0.1:5432/homeward_bench_1m unless
`DATABASE_URL` names another; with several scales in one run, each gets the name of
`DATABASE_URL` with `_<scale>` appended (to a SQLite file's name, before its suffix). A
database is kept between runs and built again only when it is missing, was built by another
version of the generator or for another scale, or when `BENCH_REBUILD=1`.
"""

from __future__ import annotations

from pathlib import PurePath
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
SQLITE = "sqlite:///"


def database_url(scale: str, *, given: str, several: bool) -> str:
    if not given:
        return f"{DEFAULT_SERVER}/homeward_bench_{scale}"
    if several and given.startswith("postgres"):
        parts = urlsplit(given)
        return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{scale}"))
    if several and given.startswith(SQLITE):
        # The scales' processes are all open at once (bench.turns): a file each.
        path = PurePath(given.removeprefix(SQLITE))
        return f"{SQLITE}{path.with_name(f'{path.stem}_{scale}{path.suffix}')}"
    return given


def _server(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def exists(url: str) -> bool:
    server, name = _server(url)
    with psycopg.connect(server, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def create_empty(url: str) -> None:
    """Drop the database if it is there, and create it empty."""
    server, name = _server(url)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
