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
    ("learner", "address", 500),
]


def refuse_longer_texts(apps, schema_editor):
    problems = []
    for model_name, field, limit in LIMITS:
        model = apps.get_model("learners", model_name)
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
        ("learners", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(refuse_longer_texts, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="learner",
            name="address",
            field=models.TextField(
                blank=True,
                max_length=500,
                validators=[django.core.validators.MaxLengthValidator(500)],
                verbose_name="address",
            ),
        ),
        migrations.AddConstraint(
            model_name="learner",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("address"), 500
                ),
                name="learner_address_length",
            ),
        ),
    ]
