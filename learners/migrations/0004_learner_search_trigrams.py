from django.db import migrations

from certeef.search_indexes import AddTrigramSearchIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0003_history"),
    ]

    operations = [
        AddTrigramSearchIndexes("learner", ["first_name", "last_name", "email"]),
    ]
