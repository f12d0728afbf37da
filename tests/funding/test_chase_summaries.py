"""The chasing summaries (funding/chase_summaries.py) and the dashboard's "To chase" read from
them (funding/chase_overview.py): the same figures as a direct computation from the allocations
(tests/funding/chasing_reference.py, the list as computed before the summaries), on varied data,
after writes through the services, and whatever the date makes of them."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from companies.models import Company, Opco
from funding import services, status_changes
from funding.chase_models import FunderChase, SessionFunderChase
from funding.chase_overview import chasing_overview
from funding.chase_summaries import funder_chase_drifts
from funding.models import FundingAllocation, FundingStatus
from funding.selectors import (
    AllocationFilters,
    filter_allocations,
    status_totals,
    year_status_totals,
)
from funding.types import FundingType
from individuals.models import Individual
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)
from tests.funding.chasing_reference import direct_overview
from training.models import Session
from training.services import session_save

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TYPES = [
    FundingType.CPF,
    FundingType.FRANCE_TRAVAIL,
    FundingType.TRANSITION_PRO,
    FundingType.FAF_SELF_EMPLOYED,
    FundingType.OPCO_SKILLS_PLAN,
    FundingType.OPCO_APPRENTICESHIP,
    FundingType.EMPLOYER,
    FundingType.SELF_FUNDED,
]
COMPANY_TYPES = (
    FundingType.OPCO_SKILLS_PLAN,
    FundingType.OPCO_APPRENTICESHIP,
    FundingType.EMPLOYER,
)
STATUSES = [
    FundingStatus.PENDING,
    FundingStatus.PENDING,
    FundingStatus.APPROVED,
    FundingStatus.APPROVED,
    FundingStatus.PAID,
    FundingStatus.REJECTED,
]
AGES = [0, 29, 30, 31, 59, 60, 61, 89, 90, 91, 400]


def figures(overview):
    """Everything the dashboard shows of it."""
    return (
        overview.funder_count,
        [(chase, cell.count, cell.amount) for chase, cell in overview.totals_in_order()],
        [
            (f.key, f.name, f.kind_label, [(c, x.count, x.amount) for c, x in f.in_order()])
            for f in overview.funders
        ],
    )


def assert_same(organization, limits=(1, 3, 10, 40)):
    for limit in limits:
        expected = figures(direct_overview(organization=organization, limit=limit))
        assert figures(chasing_overview(organization=organization, limit=limit)) == expected


def varied(organization, seed: int, allocations: int = 60) -> list[FundingAllocation]:
    """Sessions ended and not, companies with an OPCO, without, paying directly, individuals;
    every funder type and status; pending declared at every age around 30, 60, 90 days; amounts
    that tie."""
    rng = random.Random(seed)
    sessions = [
        make_session(
            organization,
            start_date=TODAY + datetime.timedelta(days=offset - 3),
            end_date=TODAY + datetime.timedelta(days=offset),
        )
        for offset in (-200, -40, -1, 0, 1, 30)
    ]
    companies = [
        make_company(organization, name=name, opco=opco)
        for name, opco in [
            ("Acme", Opco.ATLAS),
            ("Bolt", Opco.AKTO),
            ("Cerf", ""),
            ("Dune", ""),
            ("Acme", ""),
        ]
    ]
    made = []
    for _index in range(allocations):
        session = rng.choice(sessions)
        funding_type = rng.choice(TYPES)
        learner = make_learner(organization, employer=rng.choice(companies))
        carrier: Company | Individual | None = None
        if funding_type in COMPANY_TYPES:
            carrier = rng.choice(companies)
        elif rng.random() < 0.3:
            carrier = make_individual(learner, billing_name=rng.choice(["", "Payeur"]))
        allocation = make_allocation(
            make_enrollment(session, learner),
            funding_type=funding_type,
            carrier=carrier,
            status=rng.choice(STATUSES),
            amount=rng.choice(["100.00", "250.50", "999.99", "100.00"]),
        )
        FundingAllocation.objects.filter(pk=allocation.pk).update(
            created_at=timezone.now()
            - datetime.timedelta(days=rng.choice(AGES), minutes=rng.choice([-5, 5]))
        )
        made.append(allocation)
    return made


def assert_same_year_totals(organization):
    """The dashboard's year by status from the summaries is the Funding page's totals of the
    same period, for periods that cut sessions at either end."""
    for start, end in [
        (TODAY - datetime.timedelta(days=365), TODAY),
        (TODAY - datetime.timedelta(days=41), TODAY - datetime.timedelta(days=2)),
        (TODAY, TODAY + datetime.timedelta(days=365)),
        (TODAY + datetime.timedelta(days=1), TODAY + datetime.timedelta(days=29)),
    ]:
        filters = AllocationFilters(period_from=start, period_to=end)
        expected = status_totals(
            allocations=filter_allocations(organization=organization, filters=filters)
        )
        assert (
            year_status_totals(organization=organization, period_from=start, period_to=end)
            == expected
        )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_figures_as_from_the_allocations(organization, other_organization, seed):
    varied(organization, seed)
    varied(other_organization, seed + 10, allocations=20)
    assert_same(organization)
    assert_same(other_organization)
    assert_same_year_totals(organization)
    assert_same_year_totals(other_organization)


def test_stored_per_session_and_funder(organization):
    atlas = make_company(organization, name="Acme", opco=Opco.ATLAS)
    session = make_session(organization)
    make_allocation(make_enrollment(session), amount="10.00")  # CPF, by an individual
    make_allocation(make_enrollment(session), amount="5.00")
    make_allocation(
        make_enrollment(session),
        funding_type=FundingType.OPCO_SKILLS_PLAN,
        carrier=atlas,
        amount="7.00",
    )
    make_allocation(make_enrollment(session), status=FundingStatus.PENDING)
    rows = SessionFunderChase.objects.filter(session=session).values_list(
        "funder", "approved_count", "approved_amount"
    )
    assert sorted(rows) == [
        ("caisse_des_depots::", 2, Decimal("15.00")),
        (f"opco:{atlas.pk}:", 1, Decimal("7.00")),
    ]
    totals = FunderChase.objects.filter(organization=organization)
    assert sorted(totals.values_list("funder", "kind", "company_id", "approved_count")) == [
        ("caisse_des_depots::", "caisse_des_depots", None, 2),
        (f"opco:{atlas.pk}:", "opco", atlas.pk, 1),
    ]


def test_writes_through_the_services_keep_them(organization, admin_user):
    """Approving, paying, moving to another session or carrier, deleting: the figures stay
    those of the allocations (and the autouse check finds no drift, FunderChase included)."""
    allocations = varied(organization, 7, allocations=40)
    other_session = Session.objects.filter(organization=organization).order_by("end_date").first()
    company = Company.objects.filter(organization=organization, opco="").first()
    for allocation in allocations[:15]:
        allocation.refresh_from_db()
        if allocation.status == FundingStatus.PENDING:
            status_changes.allocation_set_status(
                allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
            )
        elif allocation.status == FundingStatus.APPROVED:
            status_changes.allocation_set_status(
                allocation=allocation,
                to_status=FundingStatus.PAID,
                changed_by=admin_user,
                paid_on=TODAY,
            )
    for allocation in allocations[15:25]:
        allocation.refresh_from_db()
        if allocation.status != FundingStatus.APPROVED or allocation.funding_type != (
            FundingType.EMPLOYER
        ):
            continue
        services.allocation_update(
            allocation=allocation,
            expected_version=allocation.version,
            company=company,
        )
    for allocation in allocations[25:]:
        allocation.refresh_from_db()
        if allocation.status == FundingStatus.PENDING:
            services.allocation_delete(allocation=allocation)
    assert other_session is not None
    assert_same(organization)
    assert funder_chase_drifts(organization.pk) == []
    assert_same_year_totals(organization)


def test_the_date_decides_what_is_to_chase(organization):
    """Nothing stored depends on the date: a session ending, an allocation pending for long
    enough, a company's OPCO recorded (not a write to its allocations) — read as they are now."""
    varied(organization, 4)
    Session.objects.filter(organization=organization, end_date__gte=TODAY).update(
        start_date=TODAY - datetime.timedelta(days=4), end_date=TODAY - datetime.timedelta(days=1)
    )
    assert_same(organization)
    FundingAllocation.objects.filter(organization=organization).update(
        created_at=timezone.now() - datetime.timedelta(days=75)
    )
    assert_same(organization)
    Company.objects.filter(organization=organization, opco="").update(opco=Opco.OCAPIAT)
    assert_same(organization)


def test_the_carriers_owing_the_most_among_many(organization):
    """Many carriers of equal and different stored totals, some of them corrected (something
    pending for long, something in a session not ended): the first ones are exact."""
    ended = make_session(organization, end_date=TODAY - datetime.timedelta(days=3))
    coming = make_session(organization, end_date=TODAY + datetime.timedelta(days=3))
    rng = random.Random(5)
    for index in range(30):
        company = make_company(organization, name=f"Client {index % 7}")
        for session in (ended, coming):
            if rng.random() < 0.7:
                make_allocation(
                    make_enrollment(session),
                    funding_type=FundingType.EMPLOYER,
                    carrier=company,
                    amount=rng.choice(["100.00", "200.00", "300.00"]),
                    status=rng.choice([FundingStatus.APPROVED, FundingStatus.PENDING]),
                )
    FundingAllocation.objects.filter(status=FundingStatus.PENDING, pk__gt=0).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    assert_same(organization, limits=(1, 2, 5, 10, 20, 40))


def test_the_summaries_command_checks_and_rebuilds_the_totals(organization):
    varied(organization, 9, allocations=20)
    total = FunderChase.objects.filter(organization=organization, approved_count__gt=0).first()
    assert total is not None
    FunderChase.objects.filter(pk=total.pk).update(approved_amount=Decimal("1.00"))
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("refresh_summaries", "--check", stdout=out)
    assert f"FunderChase[{total.funder}]" in out.getvalue()
    call_command("refresh_summaries", stdout=io.StringIO())
    assert funder_chase_drifts(organization.pk) == []


def test_a_total_created_by_one_writer_is_found_by_the_next(organization):
    """Two writes to one funder in two sessions, one after the other in a transaction each:
    the total adds both (its row made by the first, locked and added up by the second)."""
    atlas = make_company(organization, opco=Opco.ATLAS)
    for _index in range(2):
        with transaction.atomic():
            make_allocation(
                make_enrollment(make_session(organization)),
                funding_type=FundingType.OPCO_SKILLS_PLAN,
                carrier=atlas,
                amount="10.00",
            )
    total = FunderChase.objects.get(organization=organization, funder=f"opco:{atlas.pk}:")
    assert (total.approved_count, total.approved_amount) == (2, Decimal("20.00"))


def test_editing_a_session_end_date_moves_it_in_and_out_of_to_chase(organization):
    """Its Approved allocations are to chase once it has ended: an end date moved into the
    future (through the session's edit) takes them out of "Approved, unpaid after the session",
    moved back into the past brings them in again."""
    session = make_session(
        organization,
        start_date=TODAY - datetime.timedelta(days=5),
        end_date=TODAY - datetime.timedelta(days=1),
    )
    make_allocation(make_enrollment(session), amount="120.00")
    make_allocation(make_enrollment(make_session(organization)), amount="30.00")

    def unpaid():
        cell = chasing_overview(organization=organization).totals["unpaid"]
        return cell.count, cell.amount

    assert unpaid() == (2, Decimal("150.00"))
    for end_date, expected in [
        (TODAY + datetime.timedelta(days=3), (1, Decimal("30.00"))),
        (TODAY, (1, Decimal("30.00"))),  # ends today: not ended yet
        (TODAY - datetime.timedelta(days=1), (2, Decimal("150.00"))),
    ]:
        session.end_date = end_date
        session_save(session=session)
        assert unpaid() == expected
        assert_same(organization)
