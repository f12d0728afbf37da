"""The changes recorded in BpfInputsChange move into the history of the BPF inputs
(certeef/change_log.py says how): the filed BPF page shows them as it did."""

from django.db import migrations

from certeef.change_log import LoggedChange, history_rows, logged_changes

FIELDS = (
    "turnover_share",
    "total_costs",
    "trainer_salaries",
    "training_purchases",
    "own_trainers_count",
    "own_trainers_hours",
    "external_trainers_count",
    "external_trainers_hours",
    "signatory_name",
    "signatory_title",
    "signature_place",
    "signature_date",
)


def forwards(apps, schema_editor):
    BpfInputs = apps.get_model("bpf", "BpfInputs")
    HistoricalBpfInputs = apps.get_model("bpf", "HistoricalBpfInputs")
    BpfInputsChange = apps.get_model("bpf", "BpfInputsChange")
    log: dict[tuple[int, int], list[LoggedChange]] = {}
    for change in BpfInputsChange.objects.order_by("changed_at", "pk"):
        log.setdefault((change.organization_id, change.fiscal_year), []).append(
            LoggedChange(change.changed_at, change.changed_by_id, change.changes)
        )
    rows = []
    for inputs in BpfInputs.objects.select_related("organization").order_by("pk"):
        rows += history_rows(
            historical_model=HistoricalBpfInputs,
            instance=inputs,
            fields=FIELDS,
            log=log.pop((inputs.organization_id, inputs.fiscal_year), []),
            # The inputs keep no creation date; their organisation's is before any filing.
            baseline_at=inputs.organization.created_at,
        )
    HistoricalBpfInputs.objects.bulk_create(rows)


def backwards(apps, schema_editor):
    BpfInputs = apps.get_model("bpf", "BpfInputs")
    HistoricalBpfInputs = apps.get_model("bpf", "HistoricalBpfInputs")
    BpfInputsChange = apps.get_model("bpf", "BpfInputsChange")
    for inputs in BpfInputs.objects.order_by("pk"):
        records = HistoricalBpfInputs.objects.filter(id=inputs.pk)
        for entry in logged_changes(records, FIELDS, with_creation=True):
            change = BpfInputsChange.objects.create(
                organization_id=inputs.organization_id,
                fiscal_year=inputs.fiscal_year,
                changes=entry.changes,
                changed_by_id=entry.user_id,
            )
            # changed_at is auto_now_add: set it afterwards.
            BpfInputsChange.objects.filter(pk=change.pk).update(changed_at=entry.at)


class Migration(migrations.Migration):

    dependencies = [
        ('bpf', '0004_inputs_history'),
        ('certeef', '0006_organization_history'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
