from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('certeef', '0007_organization_change_into_history'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='organizationchange',
            name='organization_change_at',
        ),
        migrations.DeleteModel(
            name='OrganizationChange',
        ),
    ]
