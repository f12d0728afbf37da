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
    ("individual", "billing_address", 500),
    ("individual", "notes", 2000),
]


def refuse_longer_texts(apps, schema_editor):
    problems = []
    for model_name, field, limit in LIMITS:
        model = apps.get_model("individuals", model_name)
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
        ("individuals", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(refuse_longer_texts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="individual",
            name="billing_address",
            field=models.TextField(
                blank=True,
                help_text="Blank: the learner's address.",
                max_length=500,
                validators=[django.core.validators.MaxLengthValidator(500)],
                verbose_name="billing address",
            ),
        ),
        migrations.AlterField(
            model_name="individual",
            name="notes",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="notes",
            ),
        ),
        migrations.AddConstraint(
            model_name="individual",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("billing_address"), 500
                ),
                name="individual_billing_address_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="individual",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("notes"), 2000
                ),
                name="individual_notes_length",
            ),
        ),
    ]
