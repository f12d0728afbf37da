"""The organisations' totals by type and status (funding/allocation_totals.py), which the Funding
page reads without a filter or filtered on type or status only: after each kind of write through
the services — an allocation added, its amount edited, its type changed, its status moved, moved
to another session, deleted, an enrollment cancelled, a whole session cancelled — they are what
the organisation's allocations add up to (computed here in Python, one allocation at a time), and
the page's totals are those of the direct sum over the allocations; the summaries command rebuilds
and checks them; two writers of the same organisation at once add up exactly."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from funding import services, status_changes
from funding.allocation_totals import allocation_total_drifts, stored_totals, summary_totals
from funding.chase_models import AllocationTotal, SessionAllocationTotal
from funding.models import FundingAllocation, FundingStatus
from funding.selectors import allocation_totals
from funding.types import FundingType
from tests.concurrency import at_once
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)
from training import changes
from training import services as training_services
from training.changes import refresh_sessions
from training.models import Enrollment, Outcome, Session

CENT = Decimal("0.01")
TYPES = [FundingType.CPF, FundingType.OPCO_SKILLS_PLAN, FundingType.SELF_FUNDED]
STATUSES = [FundingStatus.PENDING, FundingStatus.APPROVED, FundingStatus.PAID]


def _in_python(organization) -> dict[tuple[str, str], tuple[int, Decimal]]:
    figures: dict[tuple[str, str], tuple[int, Decimal]] = {}
    for allocation in FundingAllocation.objects.filter(organization=organization):
        key = (allocation.funding_type, allocation.status)
        count, amount = figures.get(key, (0, Decimal(0)))
        figures[key] = (count + 1, amount + allocation.approved_amount)
    return {key: (count, amount.quantize(CENT)) for key, (count, amount) in figures.items()}


def assert_totals_exact(organization) -> None:
    """The stored totals are the allocations' sums, and the page's totals read from them (no
    filter, each type, each status) are those of the direct sum over the allocations."""
    assert stored_totals(organization.pk) == _in_python(organization)
    assert allocation_total_drifts(organization.pk) == []
    allocations = FundingAllocation.objects.filter(organization=organization)
    assert summary_totals(organization_id=organization.pk) == allocation_totals(
        allocations=allocations
    )
    for funding_type in FundingType.values:
        assert summary_totals(
            organization_id=organization.pk, funding_type=funding_type
        ) == allocation_totals(allocations=allocations.filter(funding_type=funding_type))
    for status in FundingStatus.values:
        assert summary_totals(organization_id=organization.pk, status=status) == (
            allocation_totals(allocations=allocations.filter(status=status))
        )


@pytest.fixture
def varied(organization, other_organization):
    """Three sessions of varied allocations (three types, three statuses, amounts to the cent),
    a cancelled enrollment still funded, and another organisation's allocations."""
    atlas = make_company(organization, name="Acme")
    sessions = [make_session(organization) for _ in range(3)]
    made = []
    for index in range(12):
        funding_type = TYPES[index % 3]
        enrollment = make_enrollment(
            sessions[index % 3], make_learner(organization, employer=atlas)
        )
        made.append(
            make_allocation(
                enrollment,
                funding_type=funding_type,
                status=STATUSES[(index // 3) % 3],
                amount=Decimal("100.01") * (index + 1),
                carrier=atlas if funding_type == FundingType.OPCO_SKILLS_PLAN else None,
            )
        )
    cancelled = make_enrollment(sessions[0], outcome=Outcome.CANCELLED)
    make_allocation(cancelled, amount="77.77", status=FundingStatus.PENDING)
    make_allocation(make_enrollment(make_session(other_organization)), amount="123.45")
    return sessions, made


def _fresh(allocation: FundingAllocation) -> FundingAllocation:
    return FundingAllocation.objects.get(pk=allocation.pk)


@pytest.mark.django_db
def test_every_write_leaves_the_totals_exact(organization, other_organization, admin_user, varied):
    sessions, made = varied
    assert_totals_exact(organization)
    assert_totals_exact(other_organization)

    # Added.
    learner = make_learner(organization)
    make_enrollment(sessions[1], learner)
    services.allocation_create(
        organization=organization,
        session=sessions[1],
        learner=learner,
        funding_type=FundingType.SELF_FUNDED,
        approved_amount=Decimal("555.55"),
        individual=make_individual(learner),
    )
    assert_totals_exact(organization)

    # An amount edit, a type change.
    allocation = _fresh(made[0])
    services.allocation_update(
        allocation=allocation, expected_version=allocation.version, approved_amount=Decimal("1.01")
    )
    allocation = _fresh(made[2])
    services.allocation_update(
        allocation=allocation,
        expected_version=allocation.version,
        funding_type=FundingType.FRANCE_TRAVAIL,
    )
    assert_totals_exact(organization)

    # Status moves: Pending → Approved, Approved → Paid.
    status_changes.allocation_set_status(
        allocation=_fresh(made[1]), to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    status_changes.allocation_set_status(
        allocation=_fresh(made[4]),
        to_status=FundingStatus.PAID,
        changed_by=admin_user,
        paid_on=sessions[1].end_date,
    )
    assert_totals_exact(organization)

    # Moved to another session.
    allocation = _fresh(made[3])
    make_enrollment(sessions[2], allocation.learner)
    services.allocation_update(
        allocation=allocation, expected_version=allocation.version, session=sessions[2]
    )
    assert_totals_exact(organization)

    # Deleted: a Pending one.
    allocation = _fresh(made[0])
    services.allocation_delete(allocation=allocation, expected_version=allocation.version)
    assert_totals_exact(organization)

    # An enrollment cancelled, then a whole session: the page still counts their allocations.
    before = stored_totals(organization.pk)
    enrollment = Enrollment.objects.get(session=made[5].session, learner=made[5].learner)
    training_services.enrollment_update(
        organization=organization,
        enrollment=enrollment,
        hours_attended=None,
        outcome=Outcome.CANCELLED,
        trainee_type_override="",
    )
    for enrollment in Enrollment.objects.filter(session=sessions[2]):
        training_services.enrollment_update(
            organization=organization,
            enrollment=enrollment,
            hours_attended=None,
            outcome=Outcome.CANCELLED,
            trainee_type_override="",
        )
    assert stored_totals(organization.pk) == before
    assert_totals_exact(organization)
    assert_totals_exact(other_organization)


@pytest.mark.django_db
def test_the_page_reads_the_same_totals(admin_client, organization, varied):
    """No filter, a type, a status, both: the totals the page shows are the direct sum's."""
    allocations = FundingAllocation.objects.filter(organization=organization)
    for params, expected in [
        ({}, allocations),
        ({"funding_type": FundingType.CPF}, allocations.filter(funding_type=FundingType.CPF)),
        ({"status": FundingStatus.PAID}, allocations.filter(status=FundingStatus.PAID)),
        (
            {"funding_type": FundingType.CPF, "status": FundingStatus.APPROVED},
            allocations.filter(funding_type=FundingType.CPF, status=FundingStatus.APPROVED),
        ),
    ]:
        response = admin_client.get(reverse("funding:list"), params)
        assert response.status_code == 200
        assert response.context["totals"] == allocation_totals(allocations=expected)
        assert response.context["page"].paginator.count == expected.count()


@pytest.mark.django_db
def test_rebuilt_by_the_summaries_command_and_drifts_reported(organization, varied):
    """From no row (a bulk load: the seed's whole-organisation refresh), then a drift made by
    hand: reported by --check (exit status 1), mended by the command."""
    SessionAllocationTotal.objects.filter(session__organization=organization).delete()
    AllocationTotal.objects.filter(organization=organization).delete()
    refresh_sessions(Session.objects.filter(organization=organization).values_list("pk", flat=True))
    assert_totals_exact(organization)

    row = AllocationTotal.objects.filter(organization=organization).first()
    AllocationTotal.objects.filter(pk=row.pk).update(allocations=row.allocations + 5)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("refresh_summaries", "--check", stdout=out)
    assert exit_status.value.code == 1
    assert f"AllocationTotal[{row.funding_type}, {row.status}]" in out.getvalue()
    call_command("refresh_summaries", stdout=StringIO())
    assert_totals_exact(organization)
    call_command("refresh_summaries", "--check", stdout=StringIO())


@pytest.fixture
def slow_refresh(monkeypatch):
    """Each write holds its transaction (and its totals' locks) a little after its refresh, so
    that the two writers overlap."""

    def hold(session_ids) -> None:
        time.sleep(0.2)

    monkeypatch.setattr(changes, "_refreshes", [*changes._refreshes, hold])


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_organisation_at_once_add_up(organization, admin_user, slow_refresh):
    """Two connections, each on its own session of the same organisation, moving allocations of
    the same types and statuses in opposite orders: neither waits on the other in a circle, and
    every total moves by what both moved."""
    writes = []
    for _index in range(2):
        session = make_session(organization)
        allocations = [
            make_allocation(
                make_enrollment(session),
                funding_type=funding_type,
                status=FundingStatus.PENDING,
                amount="100.10",
            )
            for funding_type in (FundingType.CPF, FundingType.SELF_FUNDED)
        ]
        writes.append(allocations)
    writes[1].reverse()

    def write(allocations):
        with transaction.atomic():
            for allocation in allocations:
                status_changes.allocation_set_status(
                    allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
                )
        return "done"

    results = at_once(
        *(lambda allocations=allocations: write(allocations) for allocations in writes)
    )
    assert results == ["done", "done"]
    assert_totals_exact(organization)
    assert Counter(
        FundingAllocation.objects.filter(organization=organization).values_list("status", flat=True)
    ) == {FundingStatus.APPROVED: 4}
    assert stored_totals(organization.pk) == {
        (FundingType.CPF, FundingStatus.APPROVED): (2, Decimal("200.20")),
        (FundingType.SELF_FUNDED, FundingStatus.APPROVED): (2, Decimal("200.20")),
    }
