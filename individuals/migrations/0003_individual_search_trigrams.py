from django.db import migrations

from certeef.search_indexes import AddTrigramSearchIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("individuals", "0002_text_max_length"),
    ]

    operations = [
        AddTrigramSearchIndexes("individual", ["billing_name", "billing_email"]),
    ]
