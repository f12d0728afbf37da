from django.db import migrations

from certeef.search_indexes import AddTrigramSearchIndexes


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0015_session_status_totals"),
    ]

    operations = [
        # The Funding page's search of the allocation's own fields (funding/search.py).
        AddTrigramSearchIndexes(
            "fundingallocation", ["cpf_case_number", "funder_reference", "remittance_reference"]
        ),
    ]
