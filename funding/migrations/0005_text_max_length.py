"""Every free text has a maximum length, in the forms, the model and the database.

Nothing is cut: if a text already stored is longer than its new limit, the migration stops
before changing anything and names the rows to shorten first (in the admin).
"""

import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models
from django.db.models.functions import Length

# (model, field, limit)
LIMITS = [
    ("fundingallocation", "notes", 2000),
    ("fundingstatuschange", "note", 2000),
]


def refuse_longer_texts(apps, schema_editor):
    problems = []
    for model_name, field, limit in LIMITS:
        model = apps.get_model("funding", model_name)
        too_long = (
            model.objects.annotate(text_length=Length(field))
            .filter(text_length__gt=limit)
            .values_list("pk", flat=True)
            .order_by("pk")
        )
        ids = list(too_long[:20])
        if ids:
            problems.append(
                f"{model_name}.{field} longer than {limit} characters: ids {ids}"
            )
    if problems:
        raise RuntimeError(
            "Shorten these texts first (nothing is cut by the migration): " + "; ".join(problems)
        )


class Migration(migrations.Migration):

    dependencies = [
        ("funding", "0004_session_summaries"),
    ]

    operations = [
        migrations.RunPython(refuse_longer_texts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="fundingallocation",
            name="notes",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="notes",
            ),
        ),
        migrations.AlterField(
            model_name="fundingstatuschange",
            name="note",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="note",
            ),
        ),
        migrations.AddConstraint(
            model_name="fundingallocation",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("notes"), 2000
                ),
                name="allocation_notes_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="fundingstatuschange",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("note"), 2000
                ),
                name="status_change_note_length",
            ),
        ),
    ]
