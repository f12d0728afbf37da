"""The Funding page's totals index (0012) on PostgreSQL only, where it covers the totals with
INCLUDE. SQLite's planner also read the page's rows through it, then sorted every matching
allocation for the page (117 ms instead of 1 ms for CPF + Approved at 40 000 learners), rather
than walking the sessions' start-date index and stopping after a page."""

from django.db import migrations, models

CREATE = (
    "CREATE INDEX allocation_totals ON funding_fundingallocation"
    " (organization_id, status, funding_type) INCLUDE (approved_amount)"
)
DROP = "DROP INDEX IF EXISTS allocation_totals"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0012_allocation_totals_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="fundingallocation",
            name="allocation_org_status_type",
        ),
        migrations.RunPython(create, drop),
    ]
