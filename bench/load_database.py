"""The database `make load` writes to (bench/load.py): PostgreSQL, and one of its own.

Apart from bench/load.py so that the tests can call it: importing locust patches the standard
library for gevent, which a test process must not undergo.
"""

from __future__ import annotations

import dj_database_url
import psycopg
from dj_database_url import DBConfig

# Never the maintenance databases, nor the name the README gives the application's own.
RESERVED_NAMES = {"certeef", "postgres", "template0", "template1"}


class Refused(Exception):
    """The database given is not one this tool may write to."""


def load_database(url: str | None) -> DBConfig:
    """The PostgreSQL database the run may use, or Refused with the reason."""
    if not url:
        raise Refused(
            "no database given: make load DATABASE_URL=postgres://postgres@127.0.0.1:5432/"
            "certeef_load (a PostgreSQL database of its own, created if missing)"
        )
    config = dj_database_url.parse(url)
    if not config["ENGINE"].endswith("postgresql"):
        raise Refused(
            "make load runs on PostgreSQL only (SQLite has one writer at a time: many users "
            "at once is not what it is for). Give it a database of its own, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/certeef_load"
        )
    if config["NAME"] in RESERVED_NAMES:
        raise Refused(
            f"Database {config['NAME']!r} is not for load tests: give make load a database of "
            "its own, e.g. certeef_load (created if missing)."
        )
    return config


def _connect(config: DBConfig, dbname: str) -> psycopg.Connection:
    return psycopg.connect(
        dbname=dbname,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    )


def prepare_database(config: DBConfig, slug_prefix: str) -> None:
    """Create the database if missing; refuse one that holds anything but this tool's
    organisations (whose slugs start with `slug_prefix`)."""
    name = config["NAME"]
    with _connect(config, "postgres") as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            return
    with _connect(config, name) as connection:
        (table,) = connection.execute("SELECT to_regclass('certeef_organization')").fetchone() or (
            None,
        )
        if table is None:  # an empty database: migrated next
            return
        others = connection.execute(
            "SELECT slug FROM certeef_organization WHERE slug NOT LIKE %s ORDER BY slug LIMIT 3",
            [slug_prefix.replace("_", r"\_") + "%"],
        ).fetchall()
    if others:
        raise Refused(
            f"Database {name!r} holds other data (organisations "
            f"{', '.join(slug for (slug,) in others)}): make load writes to its database, so it "
            "needs one of its own, e.g. certeef_load."
        )


def drop_database(config: DBConfig) -> None:
    with _connect(config, "postgres") as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
