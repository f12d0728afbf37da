"""Moving an allocation from one status to another (Pending → Approved → Paid, Rejected…): the one
service that does it. The move is checked against the one table of allowed moves
(funding/models.py `STATUS_MOVES`), compare-and-swap on the allocation's version, and recorded in
its history (a FundingStatusChange row, and the allocation's change history).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from certeef.history import record_change
from funding.case_numbers import case_number_taken, check_case_number
from funding.models import (
    REMITTANCE_MAX_LENGTH,
    STATUS_MOVES,
    FundingAllocation,
    FundingStatus,
    FundingStatusChange,
)
from funding.services import STALE_MESSAGE
from funding.types import FundingType
from training.changes import changing_sessions

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def check_payment(paid_on: datetime.date | None, remittance_reference: str) -> None:
    """What a move to Paid needs: a payment date, not in the future; a remittance reference
    that fits."""
    if paid_on is None:
        raise ValidationError({"paid_on": _("Enter the date the payment was received.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    if len(remittance_reference.strip()) > REMITTANCE_MAX_LENGTH:
        raise ValidationError(
            {
                "remittance_reference": _(
                    "A remittance reference has at most %(limit)s characters."
                )
                % {"limit": REMITTANCE_MAX_LENGTH}
            }
        )


@transaction.atomic
def allocation_set_status(
    *,
    allocation: FundingAllocation,
    to_status: str,
    changed_by: User | None,
    expected_version: int | None = None,
    paid_on: datetime.date | None = None,
    remittance_reference: str = "",
    note: str = "",
) -> FundingAllocation:
    """Move an allocation to another status and record the move.

    A move to Paid takes the payment date and, optionally, the reference of the transfer that
    paid it (the remittance): both are stored on the allocation and in the move's history row.
    Leaving Paid clears them from the allocation (the history keeps them).

    The move must be allowed from the status the caller saw (the allocation as passed in, at
    `expected_version` if given). Two concurrent moves from the same state: the first wins, the
    second gets a "changed by someone else" error and writes no history.
    """
    from_status = allocation.status
    version = allocation.version if expected_version is None else expected_version
    if version != allocation.version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    if (from_status, to_status) not in STATUS_MOVES:
        raise ValidationError(
            _("An allocation cannot go from %(from)s to %(to)s.")
            % {
                "from": FundingStatus(from_status).label,
                "to": FundingStatus(to_status).label
                if to_status in FundingStatus.values
                else to_status,
            },
            code="move_not_allowed",
        )
    paid = to_status == FundingStatus.PAID
    if paid:
        check_payment(paid_on, remittance_reference)
    # Leaving Paid (payment reversed) or never paid: no payment date, no remittance.
    new_paid_on = paid_on if paid else None
    new_remittance_reference = remittance_reference.strip() if paid else ""
    update = {
        "status": to_status,
        "version": F("version") + 1,
        "paid_on": new_paid_on,
        "remittance_reference": new_remittance_reference,
    }
    with changing_sessions([allocation.session_id]):
        if to_status != FundingStatus.REJECTED and allocation.funding_type == FundingType.CPF:
            # Leaving Rejected revives the case number: it must still be free.
            probe = FundingAllocation(
                pk=allocation.pk,
                organization_id=allocation.organization_id,
                funding_type=allocation.funding_type,
                cpf_case_number=allocation.cpf_case_number,
                status=to_status,
            )
            check_case_number(probe)
        try:
            # A savepoint: another session's allocation may revive or take the same case number
            # at this very moment (its session's lock is not ours); the constraint then fires
            # here, and the user gets the form's message instead of a server error.
            with transaction.atomic():
                updated = FundingAllocation.objects.filter(
                    pk=allocation.pk, status=from_status, version=version
                ).update(**update, updated_at=timezone.now())
        except IntegrityError as error:
            raise case_number_taken(allocation, error) from error
        if updated == 0:
            raise ValidationError(STALE_MESSAGE, code="stale")
        # update() sends no signal: the history records the move itself.
        allocation.refresh_from_db()
        record_change(allocation, user=changed_by, reason=note)
        FundingStatusChange.objects.create(
            allocation_id=allocation.pk,
            from_status=from_status,
            to_status=to_status,
            changed_by=changed_by,
            paid_on=new_paid_on,
            remittance_reference=new_remittance_reference,
            note=note,
        )
    # As read under the lock after the move: the summaries' refresh at the block's end writes
    # the session's summaries, never the allocation (reading it again cost a query per move).
    return allocation
