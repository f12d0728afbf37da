"""Enrollment outcome (enrolled / completed / dropped out / cancelled) replaces the `cancelled`
flag: a cancelled enrollment keeps counting nowhere, every other one becomes "enrolled"."""

from django.db import migrations, models


def outcome_from_cancelled(apps, schema_editor):
    Enrollment = apps.get_model("training", "Enrollment")
    Enrollment.objects.filter(cancelled=True).update(outcome="cancelled")


def cancelled_from_outcome(apps, schema_editor):
    Enrollment = apps.get_model("training", "Enrollment")
    Enrollment.objects.filter(outcome="cancelled").update(cancelled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_enrollment_funding_summary"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("enrolled", "Enrolled"),
                    ("completed", "Completed"),
                    ("dropped_out", "Dropped out"),
                    ("cancelled", "Cancelled"),
                ],
                default="enrolled",
                help_text=(
                    "Dropped out: counted with the hours followed. Cancelled (never started, or "
                    "withdrawn before the start): counted nowhere, its funding neither."
                ),
                max_length=20,
                verbose_name="outcome",
            ),
        ),
        migrations.RunPython(outcome_from_cancelled, cancelled_from_outcome, elidable=False),
        migrations.RemoveField(model_name="enrollment", name="cancelled"),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    outcome__in=["enrolled", "completed", "dropped_out", "cancelled"]
                ),
                name="enrollment_outcome_valid",
            ),
        ),
    ]
