"""The professional status at the time of the training lives on the enrollment (BPF F-1 rule 5):
existing enrollments take their learner's current status, the best knowledge there is."""

from django.db import migrations, models


def status_from_learner(apps, schema_editor):
    Enrollment = apps.get_model("training", "Enrollment")
    Learner = apps.get_model("learners", "Learner")
    Enrollment.objects.update(
        professional_status=models.Subquery(
            Learner.objects.filter(pk=models.OuterRef("learner_id")).values(
                "professional_status"
            )[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0002_text_max_length"),
        ("training", "0005_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="professional_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("private_employee", "Private-sector employee"),
                    ("apprentice", "Apprentice"),
                    ("job_seeker", "Job seeker"),
                    ("self_employed", "Self-employed"),
                    ("public_agent", "Public-sector agent"),
                    ("other", "Other"),
                ],
                help_text=(
                    "Filled from the learner's status when enrolled. The BPF (F-1) reads this "
                    "one: changing the learner's status later does not change it."
                ),
                max_length=20,
                verbose_name="professional status at the time of the training",
            ),
        ),
        migrations.RunPython(status_from_learner, migrations.RunPython.noop, elidable=False),
    ]
