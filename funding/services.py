"""Every write to funding allocations. Views, the admin, the seed command and tests call these.

Each function is keyword-only, validates fully, and runs in one transaction. Concurrency: each
write goes through `training.changes.changing_sessions` — it locks the allocation's session(s)
before reading what it checks and writing, and refreshes their summaries at the end; and an
allocation carries a `version`: updates and status moves are compare-and-swap on it, so a form
built from an older copy (someone else changed the allocation meanwhile) or a second click of the
same status move is refused instead of silently overwriting.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certeef.history import history_manager, record_change, set_change_reason
from funding.case_numbers import case_number_taken, check_case_number
from funding.models import (
    REMITTANCE_MAX_LENGTH,
    STATUS_MOVES,
    FundingAllocation,
    FundingStatus,
    FundingStatusChange,
)
from funding.types import INDIVIDUAL_TYPES, FundingType, types_for_company_kind
from training.changes import changing_sessions
from training.models import Enrollment

if TYPE_CHECKING:
    from typing import Any

    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

    from certeef.models import Organization
    from companies.models import Company
    from individuals.models import Individual
    from learners.models import Learner
    from training.models import Session

STALE_MESSAGE = gettext_lazy(
    "This allocation was changed by someone else since you opened it. "
    "Reload the page to see the current version, then try again."
)

# Fields an update may change. Status has its own service (it writes history).
EDITABLE_FIELDS = (
    "session",
    "learner",
    "funding_type",
    "approved_amount",
    "requested_amount",
    "cpf_case_number",
    "funder_reference",
    "notes",
)


def _check_carrier_and_type(allocation: FundingAllocation) -> None:
    errors: dict[str, list[str]] = {}
    if allocation.individual_id and allocation.company_id:
        errors.setdefault("__all__", []).append(
            _("An allocation is carried by an individual or a company, not both.")
        )
    elif (individual := allocation.individual) is not None:
        if allocation.funding_type not in INDIVIDUAL_TYPES:
            errors.setdefault("funding_type", []).append(
                _("An individual can carry only CPF, France Travail or Self-funded funding.")
            )
        if individual.learner_id != allocation.learner_id:
            errors.setdefault("learner", []).append(
                _("An individual's funding is for that individual's own training.")
            )
    elif (company := allocation.company) is not None:
        if allocation.funding_type not in types_for_company_kind(company.kind):
            errors.setdefault("funding_type", []).append(
                _("This type of funding does not suit a company of kind “%(kind)s”.")
                % {"kind": company.get_kind_display()}
            )
    else:
        errors.setdefault("__all__", []).append(
            _("An allocation must be carried by an individual or a company.")
        )
    if errors:
        raise ValidationError(errors)


def _check_same_organization(allocation: FundingAllocation) -> None:
    """Every related object must belong to the allocation's organisation. Forms already limit
    their choices; this guards the admin, scripts and anything else calling the service."""
    organization_id = allocation.organization_id
    related = {
        "session": allocation.session,
        "learner": allocation.learner,
        "individual": allocation.individual,
        "company": allocation.company,
    }
    errors = {
        field: _("Select a valid choice. That choice is not one of the available choices.")
        for field, obj in related.items()
        if obj is not None and obj.organization_id != organization_id
    }
    if errors:
        raise ValidationError(errors)


def _check_enrolled(allocation: FundingAllocation) -> None:
    """The learner is enrolled in the session: the allocation then points at that enrollment."""
    enrollment_id = (
        Enrollment.objects.filter(
            session_id=allocation.session_id, learner_id=allocation.learner_id
        )
        .values_list("pk", flat=True)
        .first()
    )
    if enrollment_id is None:
        raise ValidationError(
            {"session": _("The learner is not enrolled in this session: enrol them first.")}
        )
    allocation.enrollment_id = enrollment_id


def allocation_validate(*, allocation: FundingAllocation) -> None:
    """Every rule an allocation must satisfy (raises ValidationError naming the fields). The
    create and update services call it; the admin's form calls it to show errors in place."""
    _check_same_organization(allocation)
    _check_carrier_and_type(allocation)
    # The case number's rules are funding/case_numbers.py's, with their messages.
    check_case_number(allocation)
    # The enrollment is not chosen: `_check_enrolled` finds it from the session and the learner.
    allocation.full_clean(exclude=["enrollment"], validate_unique=False, validate_constraints=False)
    _check_enrolled(allocation)


def _save_or_explain(allocation: FundingAllocation, **save_kwargs: Any) -> None:
    """Save; a database constraint that fires despite the checks (two requests racing for the
    same CPF case number) becomes a form error instead of a server error."""
    try:
        with transaction.atomic():
            allocation.save(**save_kwargs)
    except IntegrityError as error:
        raise case_number_taken(allocation, error) from error


@transaction.atomic
def allocation_create(
    *,
    organization: Organization,
    session: Session,
    learner: Learner,
    funding_type: str,
    approved_amount: Decimal,
    individual: Individual | None = None,
    company: Company | None = None,
    requested_amount: Decimal | None = None,
    cpf_case_number: str = "",
    funder_reference: str = "",
    notes: str = "",
    created_by: User | None = None,
) -> FundingAllocation:
    """Record a new allocation, Pending."""
    with changing_sessions([session.pk]):
        allocation = FundingAllocation(
            organization=organization,
            session=session,
            learner=learner,
            individual=individual,
            company=company,
            funding_type=funding_type,
            approved_amount=approved_amount,
            requested_amount=requested_amount,
            cpf_case_number=cpf_case_number or "",
            funder_reference=funder_reference,
            notes=notes,
            status=FundingStatus.PENDING,
            created_by=created_by,
        )
        # Under the session's lock: the learner cannot be un-enrolled meanwhile.
        allocation_validate(allocation=allocation)
        _save_or_explain(allocation)
    return allocation


# Changing one of these on a Paid allocation changes money already received: a reason is asked
# for, and kept in the allocation's history.
PAID_CHANGES_NEED_A_REASON = ("approved_amount", "funding_type", "session")

REASON_REQUIRED_MESSAGE = gettext_lazy(
    "This allocation is paid: say why its amount, type or session changes (kept in its history)."
)


@transaction.atomic
def allocation_update(
    *, allocation: FundingAllocation, expected_version: int, reason: str = "", **changes: object
) -> FundingAllocation:
    """Change an allocation's editable fields, if nobody changed it since `expected_version`.

    The change is recorded in the allocation's history with `reason`, which is required when a
    Paid allocation's amount, type or session changes.

    Moving it to another session changes both sessions' figures: both are locked (in id order)
    before the allocation is read again, locked, and checked not to have moved meanwhile."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")
    target = changes.get("session")
    with changing_sessions([allocation.session_id, getattr(target, "pk", None)]):
        # A fresh, locked copy, so that the check and the write see the same row.
        current = FundingAllocation.objects.select_for_update().get(pk=allocation.pk)
        if current.version != expected_version or current.session_id != allocation.session_id:
            raise ValidationError(STALE_MESSAGE, code="stale")
        if current.status == FundingStatus.PAID and not reason.strip():
            moved = [
                field
                for field in PAID_CHANGES_NEED_A_REASON
                if field in changes and _differs(getattr(current, field), changes[field])
            ]
            if moved:
                raise ValidationError({"reason": REASON_REQUIRED_MESSAGE}, code="reason_required")
        for field, value in changes.items():
            setattr(current, field, value)
        set_change_reason(current, reason.strip() or None)
        allocation_validate(allocation=current)
        current.version = F("version") + 1
        _save_or_explain(current)
    current.refresh_from_db()
    return current


def _check_payment(paid_on: datetime.date | None, remittance_reference: str) -> None:
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


def _differs(stored: object, new: object) -> bool:
    if isinstance(stored, Model) or isinstance(new, Model):
        return getattr(stored, "pk", stored) != getattr(new, "pk", new)
    return stored != new


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
        _check_payment(paid_on, remittance_reference)
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
    allocation.refresh_from_db()
    return allocation


@transaction.atomic
def allocation_delete(
    *, allocation: FundingAllocation, expected_version: int | None = None
) -> None:
    """Delete an allocation; only a Pending one (approved and paid money is never deleted)."""
    with changing_sessions([allocation.session_id]):
        version = allocation.version if expected_version is None else expected_version
        deleted, _details = FundingAllocation.objects.filter(
            pk=allocation.pk, status=FundingStatus.PENDING, version=version
        ).delete()
        if deleted == 0:
            if allocation.status != FundingStatus.PENDING:
                raise ValidationError(
                    _("Only a Pending allocation can be deleted; this one is %(status)s.")
                    % {"status": allocation.get_status_display()},
                    code="not_pending",
                )
            raise ValidationError(STALE_MESSAGE, code="stale")


# ---------------------------------------------------------------------------------------------
# Bulk status moves (the Funding page): one funder's transfer pays many allocations at once.

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
        _check_payment(paid_on, remittance_reference)
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
