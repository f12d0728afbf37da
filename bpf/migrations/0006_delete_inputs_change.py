from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('bpf', '0005_inputs_change_into_history'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='bpfinputschange',
            name='bpf_inputs_change_org_year',
        ),
        migrations.DeleteModel(
            name='BpfInputsChange',
        ),
    ]
