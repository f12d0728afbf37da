"""The changes recorded in OrganizationChange move into the organisation's history
(certeef/change_log.py says how): the filed BPF page shows them as it did."""

from django.db import migrations

from certeef.change_log import LoggedChange, history_rows, logged_changes

FIELDS = (
    "name",
    "legal_form",
    "siret",
    "naf_code",
    "nda",
    "address",
    "postal_code",
    "city",
    "phone",
    "email",
    "address_public",
    "fiscal_year_start_month",
    "fiscal_year_start_day",
)


def forwards(apps, schema_editor):
    Organization = apps.get_model("certeef", "Organization")
    HistoricalOrganization = apps.get_model("certeef", "HistoricalOrganization")
    OrganizationChange = apps.get_model("certeef", "OrganizationChange")
    log: dict[int, list[LoggedChange]] = {}
    for change in OrganizationChange.objects.order_by("changed_at", "pk"):
        log.setdefault(change.organization_id, []).append(
            LoggedChange(change.changed_at, change.changed_by_id, change.changes)
        )
    rows = []
    for organization in Organization.objects.order_by("pk"):
        rows += history_rows(
            historical_model=HistoricalOrganization,
            instance=organization,
            fields=FIELDS,
            log=log.pop(organization.pk, []),
            baseline_at=organization.created_at,
        )
    HistoricalOrganization.objects.bulk_create(rows)


def backwards(apps, schema_editor):
    HistoricalOrganization = apps.get_model("certeef", "HistoricalOrganization")
    OrganizationChange = apps.get_model("certeef", "OrganizationChange")
    Organization = apps.get_model("certeef", "Organization")
    for organization in Organization.objects.order_by("pk"):
        records = HistoricalOrganization.objects.filter(id=organization.pk)
        # The old log recorded changes in the settings, never an organisation's creation.
        for entry in logged_changes(records, FIELDS, with_creation=False):
            change = OrganizationChange.objects.create(
                organization_id=organization.pk,
                changes=entry.changes,
                changed_by_id=entry.user_id,
            )
            # changed_at is auto_now_add: set it afterwards.
            OrganizationChange.objects.filter(pk=change.pk).update(changed_at=entry.at)


class Migration(migrations.Migration):

    dependencies = [
        ('certeef', '0006_organization_history'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
