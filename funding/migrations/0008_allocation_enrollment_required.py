"""The allocation's enrollment is required (0007 filled it in)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0007_allocation_enrollment"),
    ]

    operations = [
        migrations.AlterField(
            model_name="fundingallocation",
            name="enrollment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="allocations",
                to="training.enrollment",
                verbose_name="enrollment",
            ),
        ),
    ]
