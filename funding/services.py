"""Writes to funding allocations: create, update, delete, and the rules each checks. Views, the
admin, the seed command, the imports and tests call these; the one status move is in
funding/status_changes.py, bulk moves in funding/bulk_moves.py.

Each function is keyword-only, validates fully, and runs in one transaction. Concurrency: each
write goes through `training.changes.changing_sessions` — it locks the allocation's session(s)
before reading what it checks and writing, and refreshes their summaries at the end; and an
allocation carries a `version`: updates and status moves are compare-and-swap on it, so a form
built from an older copy (someone else changed the allocation meanwhile) or a second click of the
same status move is refused instead of silently overwriting.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certeef.history import set_change_reason
from funding.case_numbers import case_number_taken, check_case_number
from funding.models import FundingAllocation, FundingStatus
from funding.types import INDIVIDUAL_TYPES, types_for_company_kind
from training.changes import changing_sessions
from training.models import Enrollment

if TYPE_CHECKING:
    from typing import Any

    from django.contrib.auth.models import User

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


def _differs(stored: object, new: object) -> bool:
    if isinstance(stored, Model) or isinstance(new, Model):
        return getattr(stored, "pk", stored) != getattr(new, "pk", new)
    return stored != new


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
