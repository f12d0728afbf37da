"""Loading a large data set into a database of its own quickly: foreign keys checked and
secondary indexes built once, after the rows are in, and the planner's statistics refreshed
(used by the scale seed, demo/scale.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def refresh_statistics(tables: list[str] | None = None) -> None:
    """After a bulk load, give the database what autovacuum would have: planner statistics and,
    on PostgreSQL, the visibility map that lets index-only scans skip the table (VACUUM cannot
    run inside a transaction: there, as in tests, statistics only). `tables`: statistics of
    these only — inside a transaction, a whole-database ANALYZE would hold a lock on the
    cluster's shared catalogues until COMMIT, blocking every other database's ANALYZE."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        if tables is None:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
            return
        for table in tables:
            # Names from the models' meta, quoted.
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def session_memory() -> None:
    """On PostgreSQL, memory for the sorts and hashes of this transaction's statements: the
    summaries' rebuild groups and joins a million allocations, which the default 4 MB sorts on
    disk (an export's sort of 100 000 of them already did)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '128MB'")


def _catalogue(sql: str, tables: list[str]) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [tables])
        return cursor.fetchall()


@contextmanager
def foreign_keys_checked_once(tables: list[str]) -> Iterator[None]:
    """On PostgreSQL, drop these tables' foreign keys for the block and add them back at its end.

    Django's foreign keys are deferred: every row inserted queues a check that runs at COMMIT,
    one index probe and row lock per key per row — about 8 million at 400 000 learners, minutes
    of the seed and a queue held in the server's memory. Added back, each constraint is
    validated by one set-based query over its table instead (a row that breaks one fails the
    seed, as the deferred check would have). The tables are locked meanwhile: the seed is for a
    database of its own."""
    if connection.vendor != "postgresql":
        yield
        return
    constraints = _catalogue(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
        tables,
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        # A table with checks still queued cannot be altered: run those now (rows written
        # earlier in the transaction, e.g. the demo organisations in the tests).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, definition in constraints:
            # Names and definitions are the database's own, read from its catalogue.
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        # Back to deferred checks, Django's (its foreign keys are the only deferrable ones).
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def indexes_built_once(tables: list[str]) -> Iterator[None]:
    """On PostgreSQL, drop these tables' secondary indexes (not the primary keys, not those of a
    constraint) for the block and build them again at its end: one sorted build per index
    instead of an insertion per row and per index (13 indexes on the allocations)."""
    if connection.vendor != "postgresql":
        yield
        return
    indexes = _catalogue(
        "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,"
        " pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[])"
        " AND NOT i.indisprimary AND NOT EXISTS"
        " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1, 2",
        tables,
    )
    with connection.cursor() as cursor:
        for _table, name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        # Memory for the sorts of the builds, for this transaction only.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _table, _name, definition in indexes:
            cursor.execute(definition)
