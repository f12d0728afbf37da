"""A year of many sessions, summed by groups in the database (bpf/session_groups.py) and checked
without reading each session (bpf/session_findings.py), gives what each session gives.

The year holds sessions inside it and straddling both of its ends, more sessions flagged by each
check than a check links to, more courses without an NSF speciality or an objective than a check
links to, and sessions starting on the same day (the order of the links). Every figure equals the
sum of its drill-down rows; every session check's count and links equal those of a reference
computed here session by session, latest first.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from bpf.check_links import MAX_LINKS
from bpf.computation import compute_bpf
from bpf.drill import (
    allocation_rows,
    allocations_for,
    c_lines_of,
    drill_targets,
    enrollment_rows,
    enrollments_for,
    is_allocation_key,
)
from bpf.report import Amount
from funding.models import COUNTED_STATUSES, FundingAllocation, FundingStatus
from funding.types import FundingType
from tests.conftest import make_allocation, make_course, make_enrollment, make_session
from training.models import Delivery, Objective, Outcome, Session

pytestmark = pytest.mark.django_db

DELIVERIES = (
    Delivery.DIRECT,
    Delivery.SUBCONTRACTED_OUT,
    Delivery.DIRECT,
    Delivery.SUBCONTRACTED_IN,
)


def build_year(organization) -> None:
    courses = [
        make_course(organization, nsf_code="326", objective=Objective.OTHER),
        make_course(organization, nsf_code="312", objective=Objective.RS),
        make_course(organization, nsf_code="100", objective=Objective.RNCP_5),
        # Seven courses without NSF speciality nor objective: more than a check links to.
        *(make_course(organization, nsf_code="", objective="") for _ in range(7)),
    ]
    for index in range(40):
        # Six start dates: many sessions start on the same day.
        start = datetime.date(2025, 3 + index % 6, 10)
        end = start + datetime.timedelta(days=2)
        if index % 9 == 0:  # straddling the start of FY 2025
            start, end = datetime.date(2024, 12, 20), datetime.date(2025, 1, 10)
        elif index % 9 == 4:  # straddling its end
            start, end = datetime.date(2025, 12, 20), datetime.date(2026, 1, 5)
        delivery = DELIVERIES[index % len(DELIVERIES)]
        session = make_session(
            organization,
            courses[index % len(courses)],
            start_date=start,
            end_date=end,
            delivery=delivery,
            distance=index % 3 == 0,
            hours=Decimal(0) if index % 6 == 5 else Decimal("14.5"),
        )
        funded = make_enrollment(session, hours_attended=Decimal("3.25") if index % 2 else None)
        # Over the course's price every third session; another training organisation's money on
        # a session that is not sub-contracted to us every fifth (a mismatch), and on those
        # sub-contracted to us otherwise.
        kind = (
            FundingType.TRAINING_ORGANISATION
            if (delivery == Delivery.SUBCONTRACTED_IN) != (index % 5 == 0)
            else FundingType.CPF
        )
        make_allocation(funded, funding_type=kind, amount="1500.00" if index % 3 else "999.99")
        pending = make_enrollment(session)
        make_allocation(pending, status=FundingStatus.PENDING)
        if index % 4 == 1:
            cancelled = make_enrollment(session, outcome=Outcome.CANCELLED)
            make_allocation(cancelled, amount="10.00")


def session_link(session: Session) -> str:
    return reverse("training:session_detail", args=[session.pk])


def funding_link(session: Session) -> str:
    return reverse("funding:list") + "?" + urlencode({"session": session.pk})


def reference_checks(organization, start, end) -> dict[str, tuple[int, list[str]]]:
    """Each session check's count and links, from each session of the year, latest first. Every
    session here has days in the year, so it counts its learners."""
    sessions = list(
        Session.objects.filter(organization=organization, start_date__lte=end, end_date__gte=start)
        .select_related("course", "summary")
        .order_by("-start_date", "pk")
    )
    found: dict[str, list[tuple[Session, int]]] = {}

    def add(code: str, session: Session, count: int) -> None:
        if count:
            found.setdefault(code, []).append((session, count))

    for session in sessions:
        summary = session.summary
        in_f = session.delivery != Delivery.SUBCONTRACTED_IN
        add("pending_allocations", session, summary.pending_allocations)
        add("unfunded_enrollments", session, summary.unfunded_learners)
        add("missing_nsf", session, int(in_f and not session.course.nsf_code))
        add("missing_objective", session, int(in_f and not session.course.objective))
        add("overfunded", session, summary.overfunded_learners)
        add("no_hours", session, int(not session.hours))
        counted = FundingAllocation.objects.filter(
            session=session, status__in=COUNTED_STATUSES
        ).exclude(enrollment__outcome=Outcome.CANCELLED)
        other_organisation = counted.filter(funding_type=FundingType.TRAINING_ORGANISATION)
        mismatch = (
            counted.exclude(
                funding_type__in=[FundingType.TRAINING_ORGANISATION, FundingType.OTHER_PRODUCTS]
            ).exists()
            if not in_f
            else other_organisation.exists()
        )
        add("subcontracting_mismatch", session, int(mismatch))
        cancelled = FundingAllocation.objects.filter(
            session=session, status__in=COUNTED_STATUSES, enrollment__outcome=Outcome.CANCELLED
        )
        add("cancelled_funded", session, cancelled.count())

    def courses(flagged: list[tuple[Session, int]]) -> list[str]:
        urls: list[str] = []
        for session, _count in flagged:
            url = reverse("training:course_detail", args=[session.course_id])
            if url not in urls:
                urls.append(url)
        return urls[:MAX_LINKS]

    def first(flagged: list[tuple[Session, int]], link, n: int = MAX_LINKS) -> list[str]:
        return [link(session) for session, _count in flagged[:n]]

    links = {
        "pending_allocations": lambda flagged: first(flagged, funding_link, MAX_LINKS - 1),
        "unfunded_enrollments": lambda flagged: first(flagged, session_link),
        "missing_nsf": courses,
        "missing_objective": courses,
        "overfunded": lambda flagged: first(flagged, funding_link),
        "no_hours": lambda flagged: first(flagged, session_link),
        "subcontracting_mismatch": lambda flagged: first(flagged, funding_link),
        "cancelled_funded": lambda flagged: first(flagged, funding_link),
    }
    return {
        code: (sum(count for _session, count in flagged), links[code](flagged))
        for code, flagged in found.items()
    }


def test_a_large_year_gives_what_each_session_gives(organization):
    build_year(organization)
    report = compute_bpf(organization, 2025)
    assert report.f1["total"].learners > 40  # straddling sessions count in both years

    for key, target in drill_targets(report).items():
        if is_allocation_key(key):
            assert isinstance(target, Amount)
            rows = allocation_rows(
                report, allocations_for(organization, report, c_lines_of(key.split(".")[1]))
            )
            exact = sum((row.counted for row in rows), Decimal(0))
            assert abs(exact - target.exact) < Decimal("1e-20"), key
            continue
        rows = enrollment_rows(report, enrollments_for(organization, report, key))
        assert len(rows) == target.learners, key
        hours = sum((row.hours for row in rows), Decimal(0))
        assert abs(hours - target.exact_hours) < Decimal("1e-20"), key

    expected = reference_checks(organization, report.start, report.end)
    checks = {
        check.code: (check.count, [link.url for link in check.links]) for check in report.checks
    }
    for code, (count, urls) in expected.items():
        found_count, found_urls = checks[code]
        if code == "pending_allocations":  # first, the Funding page of every pending allocation
            found_urls = found_urls[1:]
        assert (found_count, found_urls) == (count, urls), code
    # Enough of each for the links to be a choice, and ties on the start date.
    counts = {code: count for code, (count, _urls) in expected.items()}
    assert len(counts) == 8 and min(counts.values()) > MAX_LINKS, counts
