"""The hand-made change logs of the BPF inputs (BpfInputsChange) and of the organisation's
settings (OrganizationChange) moved into the history (certeef/change_log.py): every change they
recorded is shown as before — who, when, before → after — a value changed without a record is
kept too, with a reason saying so, and the migration back gives the same log rows again."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from bpf.models import BpfInputs
from certeef.change_log import UNRECORDED
from certeef.history import changes_of
from certeef.models import Organization

BEFORE = [("certeef", "0005_organization_change"), ("bpf", "0003_inputs_change")]
MOMENT = timezone.make_aware(datetime.datetime(2026, 1, 10, 9, 30))


def at(days: int) -> datetime.datetime:
    return MOMENT + datetime.timedelta(days=days)


INPUTS_LOG = [
    (at(0), {"total_costs": [None, "51400"], "turnover_share": [None, "92"]}),
    (at(2), {"total_costs": ["51400", "52000"], "signature_date": [None, "2026-01-15"]}),
]
SETTINGS_LOG = [
    (at(1), {"phone": [None, "04 78 00 00 00"], "address_public": [None, "True"]}),
    (at(3), {"city": ["Lyon", "Villeurbanne"], "fiscal_year_start_month": ["1", "7"]}),
]


def shown(changes) -> list[tuple[datetime.datetime, object, str, str, str, str]]:
    return [(c.at, c.by, c.field, c.before, c.after, c.reason) for c in changes]


def old_log(apps, model: str) -> list[tuple[datetime.datetime, int | None, dict]]:
    Change = apps.get_model(*model.split("."))
    return [
        (change.changed_at, change.changed_by_id, change.changes)
        for change in Change.objects.order_by("changed_at", "pk")
    ]


@pytest.mark.django_db(transaction=True)
def test_the_change_logs_move_into_the_history_and_back(organization, admin_user):
    Organization.objects.filter(pk=organization.pk).update(
        created_at=at(-30), phone="04 78 00 00 00", address_public=True, fiscal_year_start_month=7
    )
    # The city was changed in the admin after the last recorded change: no log row says so.
    Organization.objects.filter(pk=organization.pk).update(city="Paris")
    inputs = BpfInputs.objects.create(
        organization=organization,
        fiscal_year=2025,
        total_costs=52000,
        turnover_share=92,
        signature_date=datetime.date(2026, 1, 15),
    )
    untouched = BpfInputs.objects.create(organization=organization, fiscal_year=2024)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        for model in ("bpf.BpfInputsChange", "certeef.OrganizationChange"):
            # What the way back made of this test's own history: not the log under test.
            old_apps.get_model(*model.split(".")).objects.all().delete()
        for model, log, scope in (
            ("bpf.BpfInputsChange", INPUTS_LOG, {"fiscal_year": 2025}),
            ("certeef.OrganizationChange", SETTINGS_LOG, {}),
        ):
            Change = old_apps.get_model(*model.split("."))
            for moment, changes in log:
                change = Change.objects.create(
                    organization_id=organization.pk,
                    changes=changes,
                    changed_by_id=admin_user.pk,
                    **scope,
                )
                Change.objects.filter(pk=change.pk).update(changed_at=moment)
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    inputs = BpfInputs.objects.get(pk=inputs.pk)
    assert shown(changes_of(inputs)) == [
        (at(2), admin_user, "signed on (date)", "—", "15/01/2026", ""),
        (at(2), admin_user, "total costs of the training activity (€)", "51400", "52000", ""),
        (at(0), admin_user, "total costs of the training activity (€)", "—", "51400", ""),
        (at(0), admin_user, "share of turnover from training (%)", "—", "92", ""),
    ]
    # As on the filed page: only what changed after filing.
    assert shown(changes_of(inputs, since=at(1))) == shown(changes_of(inputs))[:2]
    assert changes_of(BpfInputs.objects.get(pk=untouched.pk)) == []

    organization = Organization.objects.get(pk=organization.pk)
    settings_changes = shown(changes_of(organization))
    assert settings_changes[:5] == [
        (settings_changes[0][0], None, "city", "Villeurbanne", "Paris", UNRECORDED),
        (at(3), admin_user, "fiscal year starts (month)", "1", "7", ""),
        (at(3), admin_user, "city", "Lyon", "Villeurbanne", ""),
        (at(1), admin_user, "address may be made public (BPF section A)", "—", "Yes", ""),
        (at(1), admin_user, "phone", "—", "04 78 00 00 00", ""),
    ]
    assert settings_changes[0][0] > at(3)
    # Before the log, the organisation as it was created (by nobody the log knew).
    assert settings_changes[5:] == [
        (at(-30), None, "fiscal year starts (day)", "—", "1", ""),
        (at(-30), None, "fiscal year starts (month)", "—", "1", ""),
        (at(-30), None, "city", "—", "Lyon", ""),
        (at(-30), None, "name", "—", "Formations Lumière", ""),
    ]
    # Saved unchanged after the move: nothing new is shown.
    organization.save()
    assert shown(changes_of(organization)) == settings_changes

    # And back: the old log rows again (the unrecorded change, now known, is logged too).
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old_apps = executor.loader.project_state(BEFORE).apps
        assert old_log(old_apps, "bpf.BpfInputsChange") == [
            (moment, admin_user.pk, changes) for moment, changes in INPUTS_LOG
        ]
        settings_log = old_log(old_apps, "certeef.OrganizationChange")
        assert settings_log[:2] == [
            (moment, admin_user.pk, changes) for moment, changes in SETTINGS_LOG
        ]
        assert [entry[1:] for entry in settings_log[2:]] == [
            (None, {"city": ["Villeurbanne", "Paris"]})
        ]
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
