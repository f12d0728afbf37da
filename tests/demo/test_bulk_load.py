"""The scale seed's bulk load on PostgreSQL (demo/bulk_load.py, demo/scale.py): what it changes
for its own transaction only, and the order in which it puts the indexes back."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from demo import scale
from demo.bulk_load import session_memory
from training.models import Enrollment

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only,  # PostgreSQL's bulk load
]


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {name for (name,) in cursor.fetchall()}


def test_session_memory_lasts_the_transaction_only():
    before = _setting("work_mem")
    with transaction.atomic():
        session_memory()
        assert _setting("work_mem") == "128MB"
    assert _setting("work_mem") == before


def test_the_summaries_rebuild_rewrites_enrollments_without_their_secondary_indexes(
    monkeypatch,
):
    table = Enrollment._meta.db_table
    all_indexes = _indexes(table)
    seen: list[set[str]] = []
    rebuild = scale.refresh_sessions

    def watched(ids):
        seen.append(_indexes(table))
        rebuild(ids)

    monkeypatch.setattr(scale, "refresh_sessions", watched)
    scale.seed_scale(learners=100, allocations=250)
    # Only the primary key's and the unique constraint's indexes during the rebuild; every
    # index back after it.
    assert seen == [{f"{table}_pkey", "enrollment_unique_session_learner"}]
    assert _indexes(table) == all_indexes
