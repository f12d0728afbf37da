"""The chasing summaries as the writes keep them (funding/chase_summaries.py): after each write
through the services — a status change, an amount edit, a funder change, a move to another
session, a session cancelled, a move back to Pending — every session row, every funder total and
every total by status is what the allocations make, computed here in Python one allocation at a
time; and writers of different sessions sharing funders, at once, add up exactly."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction

from companies.models import Opco
from funding import services, status_changes
from funding.chase_models import FunderChase, SessionFunderChase, SessionStatusTotal
from funding.chase_summaries import OWN_FUNDER_TYPES, funder_of
from funding.funders import OPCO_TYPES, FunderKind
from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType
from tests.concurrency import at_once
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_learner,
    make_session,
)
from training import changes
from training import services as training_services
from training.changes import refresh_sessions
from training.models import Enrollment, Outcome, Session

CENT = Decimal("0.01")


def _funder(allocation: FundingAllocation) -> tuple[str, str, int | None, int | None]:
    """Who an Approved allocation waits on (key, kind, company, individual), decided in Python."""
    for kind, types in OWN_FUNDER_TYPES.items():
        if allocation.funding_type in types:
            return funder_of(kind, None, None), kind, None, None
    if allocation.funding_type in OPCO_TYPES:
        kind = FunderKind.OPCO
    elif allocation.individual_id:
        kind = FunderKind.INDIVIDUAL
    else:
        kind = FunderKind.COMPANY
    company, individual = allocation.company_id, allocation.individual_id
    return funder_of(kind, company, individual), kind, company, individual


def _cents(amount) -> Decimal:
    # SQLite adds decimals up in floating point: compared to the cent.
    return Decimal(amount).quantize(CENT)


def _add(figures: dict, key, amount: Decimal) -> None:
    count, total = figures.get(key, (0, Decimal(0)))
    figures[key] = (count + 1, total + amount)


def assert_chases_exact(organization) -> None:
    """Every chasing summary of the organisation as its allocations make it."""
    sessions: dict[tuple[int, str], tuple[int, Decimal]] = {}
    funders: dict[str, tuple[int, Decimal]] = {}
    statuses: dict[tuple[int, str], tuple[int, Decimal]] = {}
    carriers: dict[str, tuple[str, int | None, int | None]] = {}
    for allocation in FundingAllocation.objects.filter(organization=organization):
        _add(statuses, (allocation.session_id, allocation.status), allocation.approved_amount)
        if allocation.status == FundingStatus.APPROVED:
            key, kind, company, individual = _funder(allocation)
            carriers[key] = (kind, company, individual)
            _add(sessions, (allocation.session_id, key), allocation.approved_amount)
            _add(funders, key, allocation.approved_amount)

    def exact(rows) -> dict:
        return {key: (count, _cents(amount)) for key, count, amount in rows}

    expected = {key: (count, _cents(amount)) for key, (count, amount) in sessions.items()}
    session_rows = SessionFunderChase.objects.filter(session__organization=organization)
    assert (
        exact(
            ((row.session_id, row.funder), row.approved_count, row.approved_amount)
            for row in session_rows
        )
        == expected
    )
    status_rows = SessionStatusTotal.objects.filter(session__organization=organization)
    assert exact(
        ((row.session_id, row.status), row.allocations, row.approved_amount) for row in status_rows
    ) == {key: (count, _cents(amount)) for key, (count, amount) in statuses.items()}
    totals = FunderChase.objects.filter(organization=organization)
    # A funder with nothing Approved any more keeps its row, at zero.
    stored = exact((row.funder, row.approved_count, row.approved_amount) for row in totals)
    assert {key: figures for key, figures in stored.items() if figures != (0, 0)} == {
        key: (count, _cents(amount)) for key, (count, amount) in funders.items()
    }
    for row in totals:
        if row.funder in carriers:
            assert (row.kind, row.company_id, row.individual_id) == carriers[row.funder]


def _total(organization, funder: str) -> tuple[int, Decimal]:
    row = FunderChase.objects.get(organization=organization, funder=funder)
    return row.approved_count, _cents(row.approved_amount)


@pytest.fixture
def funded(organization):
    """Two sessions; CPF, France Travail, an OPCO, a company paying and an individual paying for
    themself, Pending and Approved; a second organisation with the same kinds of funders."""
    atlas = make_company(organization, name="Acme", opco=Opco.ATLAS)
    sessions = [make_session(organization), make_session(organization)]
    made = {}
    for name, session, funding_type, status, amount, carrier in [
        ("cpf_pending", 0, FundingType.CPF, FundingStatus.PENDING, "500.00", None),
        ("cpf_approved", 0, FundingType.CPF, FundingStatus.APPROVED, "1000.00", None),
        ("employer", 0, FundingType.EMPLOYER, FundingStatus.APPROVED, "300.00", atlas),
        ("opco", 0, FundingType.OPCO_SKILLS_PLAN, FundingStatus.PENDING, "700.00", atlas),
        ("self", 1, FundingType.SELF_FUNDED, FundingStatus.APPROVED, "250.50", None),
        ("cpf_other", 1, FundingType.CPF, FundingStatus.APPROVED, "999.99", None),
    ]:
        learner = make_learner(organization, employer=atlas)
        made[name] = make_allocation(
            make_enrollment(sessions[session], learner),
            funding_type=funding_type,
            status=status,
            amount=amount,
            carrier=carrier,
        )
    return sessions, atlas, made


def _fresh(allocation: FundingAllocation) -> FundingAllocation:
    return FundingAllocation.objects.get(pk=allocation.pk)


@pytest.mark.django_db
def test_every_write_leaves_the_rows_and_totals_exact(
    organization, other_organization, admin_user, funded
):
    sessions, atlas, made = funded
    other = make_session(other_organization)
    make_allocation(make_enrollment(other), amount="123.45")  # CPF, the other organisation's
    caisse = funder_of(FunderKind.CAISSE_DES_DEPOTS, None, None)
    assert_chases_exact(organization)
    assert _total(organization, caisse) == (2, Decimal("1999.99"))

    # A status change, both ways out of the chase: Pending → Approved, Approved → Paid.
    status_changes.allocation_set_status(
        allocation=made["cpf_pending"], to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    status_changes.allocation_set_status(
        allocation=made["self"],
        to_status=FundingStatus.PAID,
        changed_by=admin_user,
        paid_on=sessions[1].end_date,
    )
    assert_chases_exact(organization)
    assert _total(organization, caisse) == (3, Decimal("2499.99"))
    assert _total(other_organization, caisse) == (1, Decimal("123.45"))

    # An amount edit.
    allocation = _fresh(made["cpf_approved"])
    services.allocation_update(
        allocation=allocation,
        expected_version=allocation.version,
        approved_amount=Decimal("1200.10"),
    )
    assert_chases_exact(organization)
    assert _total(organization, caisse) == (3, Decimal("2700.09"))

    # A funder change: CPF → France Travail, the company paying → its OPCO.
    allocation = _fresh(made["cpf_other"])
    services.allocation_update(
        allocation=allocation,
        expected_version=allocation.version,
        funding_type=FundingType.FRANCE_TRAVAIL,
        cpf_case_number="",
    )
    allocation = _fresh(made["employer"])
    services.allocation_update(
        allocation=allocation,
        expected_version=allocation.version,
        funding_type=FundingType.OPCO_APPRENTICESHIP,
    )
    assert_chases_exact(organization)
    assert _total(organization, caisse) == (2, Decimal("1700.10"))
    assert _total(organization, funder_of(FunderKind.COMPANY, atlas.pk, None)) == (0, 0)
    assert _total(organization, funder_of(FunderKind.OPCO, atlas.pk, None)) == (
        1,
        Decimal("300.00"),
    )

    # A move to the other session (both sessions refreshed together).
    allocation = _fresh(made["cpf_approved"])
    learner = allocation.learner
    make_enrollment(sessions[1], learner)
    services.allocation_update(
        allocation=allocation, expected_version=allocation.version, session=sessions[1]
    )
    assert_chases_exact(organization)

    # The first session cancelled: every enrollment Cancelled (the money still waits).
    for enrollment in Enrollment.objects.filter(session=sessions[0]):
        training_services.enrollment_update(
            organization=organization,
            enrollment=enrollment,
            hours_attended=None,
            outcome=Outcome.CANCELLED,
            trainee_type_override="",
        )
    assert_chases_exact(organization)

    # Back to Pending: the funder's total falls to zero and stays, to be locked next time.
    for name in ("cpf_pending", "cpf_approved"):
        status_changes.allocation_set_status(
            allocation=_fresh(made[name]), to_status=FundingStatus.PENDING, changed_by=admin_user
        )
    assert_chases_exact(organization)
    assert _total(organization, caisse) == (0, 0)
    assert _total(other_organization, caisse) == (1, Decimal("123.45"))


@pytest.mark.django_db
def test_a_whole_organisation_rebuilt_in_one_pass(organization, other_organization, funded):
    """`refresh_sessions` given a query (a bulk load, the seed): from no row at all, and again
    over rows already there (nothing moves)."""
    make_allocation(make_enrollment(make_session(other_organization)), amount="10.00")
    SessionFunderChase.objects.filter(session__organization=organization).delete()
    SessionStatusTotal.objects.filter(session__organization=organization).delete()
    FunderChase.objects.filter(organization=organization).delete()
    ids = Session.objects.filter(organization=organization).values_list("pk", flat=True)
    refresh_sessions(ids)
    assert_chases_exact(organization)
    refresh_sessions(ids)
    assert_chases_exact(organization)
    assert_chases_exact(other_organization)


@pytest.fixture
def slow_refresh(monkeypatch):
    """Each write holds its transaction (and its funders' locks) a little after its refresh, so
    that the writers below overlap."""

    def hold(session_ids) -> None:
        time.sleep(0.2)

    monkeypatch.setattr(changes, "_refreshes", [*changes._refreshes, hold])


@pytest.mark.django_db(transaction=True)
def test_writers_of_different_sessions_sharing_funders_add_up(
    organization, admin_user, slow_refresh
):
    """Four writers at once, each approving in its own session an allocation of each of the
    same two funders (the Caisse des Dépôts, an OPCO) and declining a third: every total moves
    by what each writer moved — none waits on another in a circle, none is lost."""
    atlas = make_company(organization, name="Acme", opco=Opco.ATLAS)
    writes = []
    for _index in range(4):
        session = make_session(organization)
        enrollment = make_enrollment(session, make_learner(organization, employer=atlas))
        pending = [
            make_allocation(enrollment, status=FundingStatus.PENDING, amount="100.10"),
            make_allocation(
                enrollment,
                funding_type=FundingType.OPCO_SKILLS_PLAN,
                carrier=atlas,
                status=FundingStatus.PENDING,
                amount="200.20",
            ),
        ]
        approved = make_allocation(
            make_enrollment(session, make_learner(organization, employer=atlas)),
            funding_type=FundingType.OPCO_PRO_A,
            carrier=atlas,
            amount="50.00",
        )
        writes.append((pending, approved))

    def write(pending, approved):
        with transaction.atomic():
            # The OPCO's first, then the Caisse's: whatever the order of the writes, the
            # totals are locked in funder order.
            for allocation in [*reversed(pending), approved]:
                to = FundingStatus.APPROVED if allocation in pending else FundingStatus.REJECTED
                status_changes.allocation_set_status(
                    allocation=allocation, to_status=to, changed_by=admin_user
                )
        return "done"

    results = at_once(*(lambda args=args: write(*args) for args in writes))
    assert results == ["done"] * 4
    assert_chases_exact(organization)
    assert _total(organization, funder_of(FunderKind.CAISSE_DES_DEPOTS, None, None)) == (
        4,
        Decimal("400.40"),
    )
    assert _total(organization, funder_of(FunderKind.OPCO, atlas.pk, None)) == (
        4,
        Decimal("800.80"),
    )
    assert Counter(
        FundingAllocation.objects.filter(organization=organization).values_list("status", flat=True)
    ) == {FundingStatus.APPROVED: 8, FundingStatus.REJECTED: 4}
