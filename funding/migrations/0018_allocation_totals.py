import django.db.models.deletion
from django.db import migrations, models


def fill_totals(apps, schema_editor):
    """Every session's allocations by type and status, and every organisation's, made again
    from the allocations (two INSERT … SELECT: 1 000 000 allocations at 400 000 learners)."""
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        # The rows' foreign keys checked now: deferred checks left pending would refuse the
        # constraints added next ("pending trigger events").
        execute("SET CONSTRAINTS ALL IMMEDIATE")
    execute(
        "INSERT INTO funding_sessionallocationtotal"
        " (session_id, funding_type, status, allocations, approved_amount)"
        " SELECT session_id, funding_type, status, COUNT(*), SUM(approved_amount)"
        " FROM funding_fundingallocation GROUP BY session_id, funding_type, status"
    )
    execute(
        "INSERT INTO funding_allocationtotal"
        " (organization_id, funding_type, status, allocations, approved_amount)"
        " SELECT organization_id, funding_type, status, COUNT(*), SUM(approved_amount)"
        " FROM funding_fundingallocation GROUP BY organization_id, funding_type, status"
    )
    if schema_editor.connection.vendor == "postgresql":
        execute("ANALYZE funding_sessionallocationtotal")
        execute("ANALYZE funding_allocationtotal")


class Migration(migrations.Migration):

    dependencies = [
        ("certeef", "0001_initial"),
        ("funding", "0017_funder_chase_count_unchecked"),
        ("training", "0008_enrollment_cancelled_session_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="SessionAllocationTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("funding_type", models.CharField(max_length=30)),
                ("status", models.CharField(max_length=20)),
                ("allocations", models.PositiveIntegerField()),
                ("approved_amount", models.DecimalField(decimal_places=2, max_digits=14)),
                ("session", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="allocation_totals", to="training.session")),
            ],
            options={
                "verbose_name": "session total by type and status",
                "verbose_name_plural": "session totals by type and status",
            },
        ),
        migrations.CreateModel(
            name="AllocationTotal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("funding_type", models.CharField(max_length=30)),
                ("status", models.CharField(max_length=20)),
                ("allocations", models.IntegerField(default=0)),
                ("approved_amount", models.DecimalField(decimal_places=2, default=0, max_digits=14)),
                ("organization", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="allocation_totals", to="certeef.organization")),
            ],
            options={
                "verbose_name": "allocation total by type and status",
                "verbose_name_plural": "allocation totals by type and status",
            },
        ),
        migrations.RunPython(fill_totals, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="sessionallocationtotal",
            constraint=models.UniqueConstraint(fields=("session", "funding_type", "status"), name="session_allocation_total"),
        ),
        migrations.AddConstraint(
            model_name="allocationtotal",
            constraint=models.UniqueConstraint(fields=("organization", "funding_type", "status"), name="allocation_total_unique"),
        ),
    ]
