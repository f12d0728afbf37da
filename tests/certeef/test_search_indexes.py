"""The lists' search indexes (certeef/search_indexes.py): trigram indexes on PostgreSQL, which
the lists' searches read; nothing on SQLite."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from certeef.lists import counted_per_table
from individuals.models import Individual
from individuals.views import SEARCHED_FIELDS
from learners.models import Learner

MIGRATIONS = {
    ("learners", "0004_learner_search_trigrams"): (
        "learners_learner",
        ["first_name", "last_name", "email"],
    ),
    ("individuals", "0003_individual_search_trigrams"): (
        "individuals_individual",
        ["billing_name", "billing_email"],
    ),
    # The Funding page's search (funding/search.py).
    ("companies", "0003_company_search_trigrams"): ("companies_company", ["name"]),
    ("funding", "0016_fundingallocation_search_trigrams"): (
        "funding_fundingallocation",
        ["cpf_case_number", "funder_reference", "remittance_reference"],
    ),
}
INDEXES = {f"{table}_{column}_trgm" for table, columns in MIGRATIONS.values() for column in columns}


def trigram_indexes() -> dict[str, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["%_trgm"]
            )
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE name LIKE '%_trgm'")
        return dict(cursor.fetchall())


def run_migration(direction: str) -> None:
    """Each migration's operations run backwards or forwards again, in the test's transaction."""
    executor = MigrationExecutor(connection)
    for app_label, name in MIGRATIONS:
        state = executor.loader.project_state((app_label, name))
        with connection.schema_editor() as editor:
            for operation in executor.loader.get_migration(app_label, name).operations:
                getattr(operation, f"database_{direction}")(app_label, editor, state, state)


@pytest.mark.postgresql_only
@pytest.mark.django_db
def test_postgresql_has_a_trigram_index_on_each_searched_expression():
    indexes = trigram_indexes()
    assert set(indexes) == INDEXES
    # The expression Django's icontains compares: UPPER("column"::text).
    assert (
        "USING gin (upper((last_name)::text) gin_trgm_ops)"
        in indexes["learners_learner_last_name_trgm"]
    )


@pytest.mark.postgresql_only
def test_the_searches_read_them(organization):
    learner = Learner.objects.create(
        organization=organization, first_name="Camille", last_name="Martin", email="c@example.fr"
    )
    Individual.objects.create(organization=organization, learner=learner)
    with connection.cursor() as cursor:
        # A few rows: reading all is cheaper. Left: the reads that an index's condition serves.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
    plan = Learner.objects.search("mart").order_by().explain()
    assert all(
        f"learners_learner_{column}_trgm" in plan
        for column in MIGRATIONS[("learners", "0004_learner_search_trigrams")][1]
    )
    counted = counted_per_table(Individual.objects.all(), "mart", *SEARCHED_FIELDS)
    sql, params = counted.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    individuals_list = {index for index in INDEXES if index.startswith(("learners", "individuals"))}
    assert all(index in plan for index in individuals_list), plan


@pytest.mark.postgresql_only
@pytest.mark.django_db
def test_the_migrations_are_reversible():
    run_migration("backwards")
    assert trigram_indexes() == {}
    run_migration("forwards")
    assert set(trigram_indexes()) == INDEXES


@pytest.mark.sqlite_only
@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses an open transaction
def test_sqlite_has_none_and_the_migrations_do_nothing():
    applied = MigrationExecutor(connection).loader.applied_migrations
    assert set(MIGRATIONS) <= set(applied)
    assert trigram_indexes() == {}
    run_migration("backwards")
    run_migration("forwards")
    assert trigram_indexes() == {}
