"""Bulk status moves (the Funding page): one funder's transfer pays many allocations at once.

All or nothing: every selected allocation is checked under its session's lock, then all move with
the same fields and history as a move made one by one (funding/status_changes.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certeef.history import history_manager
from funding.models import FundingAllocation, FundingStatus, FundingStatusChange
from funding.services import STALE_MESSAGE
from funding.status_changes import check_payment
from training.changes import changing_sessions

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

    from certeef.models import Organization


# The moves a bulk action makes, each from the one status it is allowed from.
BULK_MOVES: dict[str, str] = {
    FundingStatus.APPROVED: FundingStatus.PENDING,
    FundingStatus.PAID: FundingStatus.APPROVED,
}
# At most this many allocations in one bulk move (one transaction, every session locked).
BULK_MAX = 1000
BULK_CHUNK = 500  # ids per statement (SQLite's parameters are bounded)

_BULK_REFUSED_FROM: dict[str, StrOrPromise] = {
    FundingStatus.APPROVED: gettext_lazy(
        "It is %(status)s: only a Pending allocation can be approved."
    ),
    FundingStatus.PAID: gettext_lazy(
        "It is %(status)s: only an Approved allocation can be marked as paid."
    ),
}


@dataclass(frozen=True)
class BulkRefusal:
    """A selected allocation that cannot make the move, and why. `allocation` is None when it
    no longer exists (deleted meanwhile)."""

    allocation_id: int
    allocation: FundingAllocation | None
    reason: str


class BulkMoveRefused(Exception):
    """Raised by `allocations_set_status` when any selected allocation cannot make the move:
    nothing was changed."""

    def __init__(self, refusals: list[BulkRefusal]) -> None:
        super().__init__(f"{len(refusals)} allocation(s) refused")
        self.refusals = refusals


@dataclass(frozen=True)
class BulkMoveResult:
    to_status: str
    allocations: list[FundingAllocation]
    paid_on: datetime.date | None
    remittance_reference: str

    @property
    def count(self) -> int:
        return len(self.allocations)

    @property
    def amount(self) -> Decimal:
        return sum((allocation.approved_amount for allocation in self.allocations), Decimal(0))


@transaction.atomic
def allocations_set_status(
    *,
    organization: Organization,
    allocation_ids: Iterable[int],
    to_status: str,
    changed_by: User | None,
    paid_on: datetime.date | None = None,
    remittance_reference: str = "",
    note: str = "",
) -> BulkMoveResult:
    """Approve, or mark as paid, many allocations of `organization`: all or nothing.

    The sessions of the allocations are locked first, in id order (`changing_sessions`), then
    the allocations are read again and every one is checked. If any cannot make the move (its
    status changed meanwhile, it was deleted or moved to another session), nothing is written
    and `BulkMoveRefused` lists each refused one with its reason. Otherwise every allocation
    moves, with the same checks, fields and history rows as a move made one by one
    (`allocation_set_status`), in one transaction; the sessions' summaries are refreshed once at
    the end.
    An id of another organisation's allocation is refused as "no longer exists" (nothing about
    it is told)."""
    if to_status not in BULK_MOVES:
        raise ValueError(f"no bulk move to {to_status!r}")
    ids = sorted({int(pk) for pk in allocation_ids})
    if not ids:
        raise ValidationError(_("Select at least one allocation."), code="empty")
    if len(ids) > BULK_MAX:
        raise ValidationError(
            _(
                "At most %(max)s allocations can be changed at once; %(count)s are selected. "
                "Narrow the filter and repeat."
            )
            % {"max": BULK_MAX, "count": len(ids)},
            code="too_many",
        )
    if to_status == FundingStatus.PAID:
        # The same checks as one move, made once, before anything is locked.
        check_payment(paid_on, remittance_reference)
    in_organization = FundingAllocation.objects.filter(organization=organization)
    session_ids = set(
        in_organization.filter(pk__in=ids).values_list("session_id", flat=True).distinct()
    )
    with changing_sessions(session_ids):
        # Read again under the sessions' locks: what is checked now is what is written.
        allocations = {
            allocation.pk: allocation
            for allocation in in_organization.filter(pk__in=ids).select_related(
                "learner", "session__course", "individual", "company"
            )
        }
        refusals = _bulk_refusals(ids, allocations, session_ids, to_status)
        if refusals:
            raise BulkMoveRefused(refusals)
        # Every allocation can make the move, under the sessions' locks: written set-wise (one
        # update and one insert per CHUNK), the same fields and the same history rows as
        # `allocation_set_status` writes one by one (a thousand allocations over 20 sessions,
        # marked paid on SQLite: 17.5 s through it one by one, 2.0 s so, summaries included).
        # Bulk moves never leave Rejected, so no CPF case number is revived (the one check of
        # a single move not needed here).
        from_status = BULK_MOVES[to_status]
        paid = to_status == FundingStatus.PAID
        new_paid_on = paid_on if paid else None
        new_remittance_reference = remittance_reference.strip() if paid else ""
        update = {
            "status": to_status,
            "version": F("version") + 1,
            "paid_on": new_paid_on,
            "remittance_reference": new_remittance_reference,
            "updated_at": timezone.now(),
        }
        for first in range(0, len(ids), BULK_CHUNK):
            chunk = ids[first : first + BULK_CHUNK]
            updated = FundingAllocation.objects.filter(pk__in=chunk, status=from_status).update(
                **update
            )
            if updated != len(chunk):  # only a write that ignored the sessions' locks
                raise ValidationError(STALE_MESSAGE, code="stale")
        FundingStatusChange.objects.bulk_create(
            [
                FundingStatusChange(
                    allocation_id=pk,
                    from_status=from_status,
                    to_status=to_status,
                    changed_by=changed_by,
                    paid_on=new_paid_on,
                    remittance_reference=new_remittance_reference,
                    note=note,
                )
                for pk in ids
            ],
            batch_size=BULK_CHUNK,
        )
        moved = list(
            FundingAllocation.objects.filter(pk__in=ids)
            .select_related("learner", "session__course", "individual", "company")
            .order_by("pk")
        )
        # update() sends no signal: the allocations' history records the move itself, as
        # record_change does for one move (one insert per CHUNK).
        history_manager(FundingAllocation).bulk_history_create(
            moved,
            batch_size=BULK_CHUNK,
            update=True,
            default_user=changed_by,
            default_change_reason=note or "",
        )
    return BulkMoveResult(
        to_status=to_status,
        allocations=moved,
        paid_on=paid_on if to_status == FundingStatus.PAID else None,
        remittance_reference=remittance_reference.strip()
        if to_status == FundingStatus.PAID
        else "",
    )


def _bulk_refusals(
    ids: list[int],
    allocations: dict[int, FundingAllocation],
    locked_session_ids: set[int],
    to_status: str,
) -> list[BulkRefusal]:
    refusals = []
    for pk in ids:
        allocation = allocations.get(pk)
        if allocation is None:
            refusals.append(BulkRefusal(pk, None, _("This allocation no longer exists.")))
        elif allocation.session_id not in locked_session_ids:
            refusals.append(BulkRefusal(pk, allocation, str(STALE_MESSAGE)))
        elif allocation.status != BULK_MOVES[to_status]:
            reason = _BULK_REFUSED_FROM[to_status] % {"status": allocation.get_status_display()}
            refusals.append(BulkRefusal(pk, allocation, reason))
    return refusals
