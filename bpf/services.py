"""Writes of the BPF module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bpf.exports import report_for_export
from bpf.models import BpfFiling, BpfInputs
from bpf.snapshots import snapshot_of
from bpf.years import year_sessions
from certeef.history import set_change_user
from training.changes import summary_drifts

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from bpf.forms import BpfInputsForm
    from certeef.models import Organization


@transaction.atomic
def filing_create(*, organization: Organization, year: int, filed_by: User) -> BpfFiling:
    """Freeze the current figures of a fiscal year as filed (a new snapshot each time).

    The report is read from the session summaries: they are first compared with a rebuild of the
    year's sessions from their rows (allocations, enrollments…), and a difference refuses the
    filing rather than freeze figures that are not the rows' (training/changes.py)."""
    start, end = organization.fiscal_year_bounds(year)
    session_ids = list(year_sessions(organization, start, end).values_list("pk", flat=True))
    drifts = summary_drifts(session_ids)
    if drifts:
        raise ValidationError(
            ngettext(
                "The stored figures of %(sessions)d session of this year differ from its "
                "allocations and enrollments, so the year cannot be filed as it is. Ask your "
                "administrator to run “manage.py refresh_summaries --organization %(slug)s”, "
                "check the BPF again, then mark it as filed.",
                "The stored figures of %(sessions)d sessions of this year differ from their "
                "allocations and enrollments, so the year cannot be filed as it is. Ask your "
                "administrator to run “manage.py refresh_summaries --organization %(slug)s”, "
                "check the BPF again, then mark it as filed.",
                len({drift.session_id for drift in drifts}),
            )
            % {"sessions": len({drift.session_id for drift in drifts}), "slug": organization.slug},
            code="summaries_drift",
        )
    # The snapshot is exported as filed: its checks' messages are kept in French.
    report = report_for_export(organization, year)
    if not report.has_data:
        raise ValidationError(_("There is nothing to file for this fiscal year."))
    return BpfFiling.objects.create(
        organization=organization,
        fiscal_year=year,
        snapshot=snapshot_of(report),
        filed_by=filed_by,
    )


@transaction.atomic
def inputs_save(
    *, form: BpfInputsForm, organization: Organization, year: int, user: User
) -> BpfInputs:
    """Save the typed figures of a fiscal year; the history keeps what changed, by whom and when
    (bpf/models.py `track_history`). Typing the same figures again writes nothing."""
    if form.instance.pk is not None and not form.has_changed():
        return form.instance
    inputs = form.save(commit=False)
    inputs.organization = organization
    inputs.fiscal_year = year
    inputs.updated_by = user
    set_change_user(inputs, user)
    inputs.save()
    return inputs
