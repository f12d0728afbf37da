"""Every allocation points at the enrollment it funds (PROTECT, not null).

Existing allocations get the enrollment of their learner in their session. Before the session was
locked by every write, an allocation could be saved while its learner was being un-enrolled: such
an allocation gets its missing enrollment back (the money was counted, so the learner was
trained), and the migration prints how many it created. Their sessions' summaries then need
`manage.py refresh_summaries`, which it prints too. The column becomes required in 0008 (its own
transaction: PostgreSQL alters no table with row checks still pending)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def link_enrollments(apps, schema_editor):
    FundingAllocation = apps.get_model("funding", "FundingAllocation")
    Enrollment = apps.get_model("training", "Enrollment")
    db = schema_editor.connection.alias
    enrolled = Enrollment.objects.using(db).filter(
        session_id=OuterRef("session_id"), learner_id=OuterRef("learner_id")
    )
    missing = (
        FundingAllocation.objects.using(db)
        .filter(~Exists(enrolled))
        .values_list("organization_id", "session_id", "learner_id")
        .distinct()
        .order_by("session_id", "learner_id")
    )
    created = Enrollment.objects.using(db).bulk_create(
        Enrollment(organization_id=organization_id, session_id=session_id, learner_id=learner_id)
        for organization_id, session_id, learner_id in missing
    )
    FundingAllocation.objects.using(db).update(
        enrollment_id=Subquery(enrolled.values("pk")[:1])
    )
    if created:
        sessions = sorted({enrollment.session_id for enrollment in created})
        print(
            f"\n  {len(created)} enrollment(s) created for funded learners who were not enrolled "
            f"(sessions {', '.join(map(str, sessions))}): "
            "run `manage.py refresh_summaries` after migrating."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0006_remittance_reference"),
        ("training", "0002_enrollment_funding_summary"),
    ]

    operations = [
        migrations.AddField(
            model_name="fundingallocation",
            name="enrollment",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocations",
                to="training.enrollment",
                verbose_name="enrollment",
            ),
        ),
        migrations.RunPython(link_enrollments, migrations.RunPython.noop, elidable=False),
    ]
