"""Writes of the BPF module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bpf.exports import report_for_export
from bpf.models import BpfFiling
from bpf.snapshots import snapshot_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from certeef.models import Organization


@transaction.atomic
def filing_create(
    *, organization: Organization, year: int, filed_by: AbstractBaseUser
) -> BpfFiling:
    """Freeze the current figures of a fiscal year as filed (a new snapshot each time)."""
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
