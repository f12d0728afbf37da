from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from funding.models import FundingStatus
from funding.selectors import pending_allocations, underfunded_overview
from funding.session_funding import session_funding
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_learner,
    make_session,
)
from training.models import Session

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_session(organization):
    """A 2 490,00 € course. Alice: CPF 1 200,50 approved + OPCO 1 000,25 paid + France Travail
    300,00 rejected → 289,25 under-funded. Bruno: OPCO 2 000,00 approved + employer 600,10 pending →
    counted 2 000, pending 600,10, 490 under-funded. Chloé: self-funded 2 500,01 approved →
    over-funded by 10,01. Denis: nothing."""
    course = make_course(organization, title="Gestion de paie", price=Decimal("2490.00"))
    session = make_session(organization, course, reference="PAIE-05")
    acme = make_company(organization, name="Acme")
    alice = make_learner(organization, first_name="Alice", last_name="Martin", employer=acme)
    bruno = make_learner(organization, first_name="Bruno", last_name="Petit", employer=acme)
    chloe = make_learner(organization, first_name="Chloé", last_name="Roux")
    denis = make_learner(organization, first_name="Denis", last_name="Simon")
    alice_e, bruno_e, chloe_e = (
        make_enrollment(session, person) for person in (alice, bruno, chloe)
    )
    make_enrollment(session, denis)
    allocations = {
        "alice_cpf": make_allocation(alice_e, amount="1200.50"),
        "alice_opco": make_allocation(
            alice_e,
            funding_type=FundingType.OPCO_SKILLS_PLAN,
            carrier=acme,
            amount="1000.25",
            status=FundingStatus.PAID,
        ),
        "alice_ft": make_allocation(
            alice_e,
            funding_type=FundingType.FRANCE_TRAVAIL,
            amount="300.00",
            status=FundingStatus.REJECTED,
        ),
        "bruno_opco": make_allocation(
            bruno_e, funding_type=FundingType.OPCO_SKILLS_PLAN, carrier=acme, amount="2000.00"
        ),
        "bruno_employer": make_allocation(
            bruno_e,
            funding_type=FundingType.EMPLOYER,
            carrier=acme,
            amount="600.10",
            status=FundingStatus.PENDING,
        ),
        "chloe_self": make_allocation(
            chloe_e, funding_type=FundingType.SELF_FUNDED, amount="2500.01"
        ),
    }  # fmt: skip
    return session, allocations


def test_mixed_funding_to_the_cent(mixed_session, django_assert_num_queries):
    session, allocations = mixed_session
    session = Session.objects.select_related("course").get(pk=session.pk)
    with django_assert_num_queries(2):
        funding = session_funding(session=session)
    rows = {row.learner.first_name: row for row in funding.learners}
    assert list(rows) == ["Alice", "Bruno", "Chloé", "Denis"]

    alice = rows["Alice"]
    assert alice.price == Decimal("2490.00")
    assert [a.pk for a in alice.allocations] == [
        allocations["alice_cpf"].pk,
        allocations["alice_opco"].pk,
        allocations["alice_ft"].pk,
    ]
    assert alice.counted == Decimal("2200.75")
    assert alice.pending == Decimal("0.00")
    assert alice.remaining == Decimal("289.25")
    assert (alice.shortfall, alice.overfunded) == (Decimal("289.25"), Decimal("0.00"))

    bruno = rows["Bruno"]
    assert (bruno.counted, bruno.pending) == (Decimal("2000.00"), Decimal("600.10"))
    assert bruno.shortfall == Decimal("490.00")

    chloe = rows["Chloé"]
    assert chloe.remaining == Decimal("-10.01")
    assert (chloe.shortfall, chloe.overfunded) == (Decimal("0.00"), Decimal("10.01"))

    denis = rows["Denis"]
    assert (denis.counted, denis.shortfall, denis.allocations) == (
        Decimal("0.00"),
        Decimal("2490.00"),
        [],
    )

    assert funding.price_total == Decimal("9960.00")
    assert funding.counted_total == Decimal("6700.76")
    assert funding.pending_total == Decimal("600.10")
    assert funding.shortfall_total == Decimal("3269.25")
    assert funding.overfunded_total == Decimal("10.01")
    assert funding.underfunded_learners == 3


def test_query_count_does_not_depend_on_learners(organization, django_assert_num_queries):
    session = make_session(organization)
    for _ in range(20):
        make_allocation(make_enrollment(session))
    session = Session.objects.select_related("course").get(pk=session.pk)
    with django_assert_num_queries(2):
        funding = session_funding(session=session)
    assert len(funding.learners) == 20


def test_cancelled_enrollment_expects_nothing_and_its_money_is_over_funding(organization):
    session = make_session(organization)
    make_allocation(make_enrollment(session, outcome="cancelled"), amount="100.00")
    row = session_funding(session=session).learners[0]
    assert row.expected == Decimal("0.00")
    assert (row.shortfall, row.overfunded) == (Decimal("0.00"), Decimal("100.00"))


def test_course_without_price_has_no_remainder(organization):
    session = make_session(organization, make_course(organization, price=None))
    make_allocation(make_enrollment(session), amount="100.00")
    funding = session_funding(session=session)
    row = funding.learners[0]
    assert row.remaining is None and row.shortfall == 0 and row.overfunded == 0
    assert funding.price_total == 0


def test_session_page_shows_the_mixed_funding_to_administrators(admin_client, mixed_session):
    session, allocations = mixed_session
    response = admin_client.get(reverse("training:session_detail", args=[session.pk]))
    assert response.status_code == 200
    text = response.text
    for figure in ("2 490,00 €", "2 200,75 €", "289,25 €", "600,10 €", "6 700,76 €", "9 960,00 €"):
        assert figure in text
    assert "Over-funded by 10,01 €" in text
    company_url = reverse("funding:company_funding", args=[allocations["alice_opco"].company_id])
    individual_url = reverse("individuals:funding", args=[allocations["alice_cpf"].individual_id])
    assert f'href="{company_url}"' in text and f'href="{individual_url}"' in text


def test_session_page_gives_trainers_no_funding(trainer_client, mixed_session):
    session, _allocations = mixed_session
    response = trainer_client.get(reverse("training:session_detail", args=[session.pk]))
    assert response.status_code == 200
    assert "funding" not in response.context
    assert "2 200,75 €" not in response.text and "session-funding" not in response.text


@pytest.mark.parametrize("learners", [5, 50])
def test_session_page_query_count_is_fixed(
    admin_client, organization, django_assert_max_num_queries, learners
):
    session = make_session(organization)
    company = make_company(organization)
    for index in range(learners):
        enrollment = make_enrollment(session)
        make_allocation(enrollment)
        if index % 2:
            make_allocation(enrollment, funding_type=FundingType.OPCO_SKILLS_PLAN, carrier=company)
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("training:session_detail", args=[session.pk]))
    assert response.status_code == 200


def test_pending_allocations_oldest_first(organization, other_organization):
    session = make_session(organization)
    first = make_allocation(make_enrollment(session), status="pending", amount="10.10")
    second = make_allocation(make_enrollment(session), status="pending", amount="20.20")
    make_allocation(make_enrollment(session), status="approved", amount="99.00")
    make_allocation(make_enrollment(make_session(other_organization)), status="pending")
    summary = pending_allocations(organization=organization)
    assert summary.count == 2
    assert summary.amount == Decimal("30.30")
    assert [a.pk for a in summary.oldest] == [first.pk, second.pk]


def test_sessions_with_underfunded_learners(mixed_session, organization, other_organization):
    session, _allocations = mixed_session
    funded = make_session(organization, make_course(organization, price=Decimal("100.00")))
    make_allocation(make_enrollment(funded), amount="100.00")
    long_ago = make_session(
        organization,
        start_date=datetime.date(2020, 1, 6),
        end_date=datetime.date(2020, 1, 7),
    )
    make_enrollment(long_ago)
    make_enrollment(make_session(other_organization))
    overview = underfunded_overview(
        organization=organization, since=datetime.date(2024, 1, 1), limit=10
    )
    rows = overview.rows
    assert (overview.sessions, overview.learners) == (1, 3)
    assert len(rows) == 1
    assert rows[0]["session_id"] == session.pk
    assert rows[0]["learners"] == 3  # Alice, Bruno, Denis; Chloé is over-funded
    assert rows[0]["amount"] == Decimal("3269.25")


def _underfunded_as_before(organization, since, limit):
    """The overview as it was computed before (every session's summary read, added up and
    sorted in Python): the reference the SQL one must match."""
    from funding.models import SessionSummary

    rows = SessionSummary.objects.filter(
        session__organization=organization,
        session__end_date__gte=since,
        underfunded_learners__gt=0,
    ).values_list("session_id", "session__start_date", "underfunded_learners", "funding_shortfall")
    by_session = {pk: (start, learners, amount) for pk, start, learners, amount in rows}
    first = sorted(by_session, key=lambda pk: (by_session[pk][0], pk))[:limit]
    details = {
        row["pk"]: row
        for row in Session.objects.filter(pk__in=first).values(
            "pk", "reference", "course__title", "start_date", "end_date"
        )
    }
    return (
        len(by_session),
        sum(learners for _start, learners, _amount in by_session.values()),
        sum((amount for _start, _learners, amount in by_session.values()), Decimal("0.00")),
        [
            (
                pk,
                details[pk]["reference"],
                details[pk]["course__title"],
                details[pk]["start_date"],
                details[pk]["end_date"],
                by_session[pk][1],
                by_session[pk][2],
            )
            for pk in first
        ],
    )


def test_underfunded_overview_same_as_before(organization, other_organization):
    """Sessions starting the same day (the id breaks the tie), ended before `since` or not,
    fully funded, of another organisation: the totals and the first ones as computed before."""
    start = datetime.date(2025, 2, 3)
    since = datetime.date(2025, 1, 1)
    for index, (offset, length, learners, funded) in enumerate(
        [(5, 2, 2, 0), (0, 1, 1, 1), (5, 1, 3, 1), (-40, 2, 2, 0), (0, 30, 2, 0), (9, 1, 1, 1)]
    ):
        course = make_course(organization, price=Decimal(f"{1000 + index * 111}.55"))
        session = make_session(
            organization,
            course,
            start_date=start + datetime.timedelta(days=offset),
            end_date=start + datetime.timedelta(days=offset + length),
        )
        for number in range(learners):
            enrollment = make_enrollment(session)
            if number < funded:
                make_allocation(enrollment, amount="250.10")
    make_enrollment(make_session(other_organization, start_date=start, end_date=start))
    for limit in (0, 1, 2, 3, 10):
        overview = underfunded_overview(organization=organization, since=since, limit=limit)
        rows = [
            (
                row["session_id"],
                row["session__reference"],
                row["session__course__title"],
                row["session__start_date"],
                row["session__end_date"],
                row["learners"],
                row["amount"],
            )
            for row in overview.rows
        ]
        assert (overview.sessions, overview.learners, overview.amount, rows) == (
            _underfunded_as_before(organization, since, limit)
        )
    assert underfunded_overview(organization=organization, since=since, limit=3).sessions == 5
