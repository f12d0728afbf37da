from django.db import migrations

from certeef.search_indexes import AddTrigramSearchIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_text_max_length"),
    ]

    operations = [
        AddTrigramSearchIndexes("company", ["name"]),
    ]
