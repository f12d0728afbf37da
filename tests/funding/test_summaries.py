"""The session summaries the BPF reads (funding/summaries.py) follow every write to their inputs.

Each test makes one kind of write the way the product does (service, page or admin), then checks
both the figure the BPF shows and that the stored summaries equal a recomputation from scratch:
a write path that forgot its refresh fails here."""

from __future__ import annotations

import dataclasses
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from bpf.computation import compute_bpf
from funding import services, status_changes
from funding.models import (
    FundingAllocation,
    FundingStatus,
    SessionEnrollmentTally,
    SessionFundingTotal,
    SessionSummary,
)
from funding.types import FUNDING_CODE_FRANCE_TRAVAIL, FundingType
from learners.models import ProfessionalStatus
from tests.conftest import (
    assert_summaries_current,
    make_allocation,
    make_course,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
    stored_summaries,
)
from training import services as training_services
from training.changes import refresh_sessions
from training.models import Enrollment, Session

pytestmark = pytest.mark.django_db

YEAR = 2025  # the factories' sessions run in March 2025; fiscal years start on 1 January


@pytest.fixture
def individual(organization):
    return make_individual(make_learner(organization, last_name="Martin"))


@pytest.fixture
def session(organization, individual):
    session = make_session(organization)
    make_enrollment(session, individual.learner)
    return session


def cpf(individual, session, amount="1500.00", case="12345678901"):
    return services.allocation_create(
        organization=individual.organization,
        session=session,
        learner=individual.learner,
        individual=individual,
        funding_type=FundingType.CPF,
        approved_amount=Decimal(amount),
        cpf_case_number=case,
    )


def enrollment_of(individual, session) -> Enrollment:
    return Enrollment.objects.get(session=session, learner=individual.learner)


# --- allocation services ---


def test_create_and_status_moves_follow(organization, individual, session, admin_user):
    allocation = cpf(individual, session)
    enrollment = enrollment_of(individual, session)
    assert (enrollment.funding_code, enrollment.pending_allocations) == (None, 1)
    assert compute_bpf(organization, YEAR).c["e"].value == 0
    assert_summaries_current(session)

    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    enrollment.refresh_from_db()
    assert enrollment.counted_funding == Decimal("1500.00") and enrollment.pending_allocations == 0
    report = compute_bpf(organization, YEAR)
    assert report.c["e"].value == 1500
    assert not any(check.code == "pending_allocations" for check in report.checks)
    assert_summaries_current(session)

    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.PENDING, changed_by=admin_user
    )
    assert compute_bpf(organization, YEAR).c["e"].value == 0
    assert_summaries_current(session)


def test_update_moving_an_allocation_follows_in_both_sessions(organization, individual, session):
    other = make_session(
        organization, start_date=datetime.date(2025, 6, 2), end_date=datetime.date(2025, 6, 3)
    )
    make_enrollment(other, individual.learner)
    allocation = cpf(individual, session)
    services.allocation_update(allocation=allocation, expected_version=1, session=other)
    assert enrollment_of(individual, session).pending_allocations == 0
    assert enrollment_of(individual, other).pending_allocations == 1
    assert_summaries_current(session, other)


def test_amount_change_and_delete_follow(organization, individual, session, admin_user):
    allocation = cpf(individual, session)
    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    services.allocation_update(
        allocation=allocation, expected_version=2, approved_amount=Decimal("900.00")
    )
    assert compute_bpf(organization, YEAR).c["e"].value == 900
    assert_summaries_current(session)

    pending = cpf(individual, session, case="99999999999")
    services.allocation_delete(allocation=pending)
    assert enrollment_of(individual, session).pending_allocations == 0
    assert_summaries_current(session)


# --- enrollment services ---


def test_enrol_edit_cancel_and_unenrol_follow(organization, individual, session):
    newcomer = make_learner(organization, professional_status=ProfessionalStatus.JOB_SEEKER)
    enrollment = training_services.enrollment_create(
        organization=organization, session=session, learner=newcomer
    )
    assert compute_bpf(organization, YEAR).f1["c"].learners == 1
    assert_summaries_current(session)

    training_services.enrollment_update(
        organization=organization,
        enrollment=enrollment,
        hours_attended=Decimal("3.5"),
        outcome="enrolled",
        trainee_type_override="e",
    )
    report = compute_bpf(organization, YEAR)
    assert report.f1["c"].learners == 0 and report.f1["e"].exact_hours == Decimal("3.5")
    assert_summaries_current(session)

    training_services.enrollment_delete(organization=organization, enrollment=enrollment)
    assert compute_bpf(organization, YEAR).f1["e"].learners == 0
    assert_summaries_current(session)


def test_cancelling_takes_the_funding_out_of_section_c_and_back(organization, individual):
    session = make_session(organization)
    enrollment = make_enrollment(session, individual.learner)
    make_allocation(enrollment, amount="800.00")
    assert compute_bpf(organization, YEAR).c["e"].value == 800

    def cancel(cancelled: bool) -> None:
        training_services.enrollment_update(
            organization=organization,
            enrollment=enrollment,
            hours_attended=None,
            outcome="cancelled" if cancelled else "enrolled",
            trainee_type_override="",
        )

    cancel(True)
    assert compute_bpf(organization, YEAR).c["e"].value == 0
    assert not SessionFundingTotal.objects.filter(session=session).exists()
    cancel(False)
    assert compute_bpf(organization, YEAR).c["e"].value == 800
    assert_summaries_current(session)


# --- learners, courses and sessions saved from their pages ---


def test_learner_status_edited_on_its_page_keeps_last_years_f1_line(
    admin_client, organization, session
):
    """F-1 reads the status at the time of the training, stored on the enrollment: a learner
    employed in 2025 who is a job seeker today stays on line a of the 2025 BPF; the status
    corrected on the enrollment itself moves them."""
    learner = make_learner(organization, professional_status=ProfessionalStatus.PRIVATE_EMPLOYEE)
    enrollment = services_enrol(organization, session, learner)
    assert enrollment.professional_status == ProfessionalStatus.PRIVATE_EMPLOYEE
    before = compute_bpf(organization, YEAR).f1
    a, c = before["a"].learners, before["c"].learners
    assert a >= 1
    response = admin_client.post(
        reverse("learners:edit", args=[learner.pk]),
        {
            "first_name": learner.first_name,
            "last_name": learner.last_name,
            "email": learner.email,
            "professional_status": ProfessionalStatus.JOB_SEEKER,
        },
    )
    assert response.status_code == 302
    after = compute_bpf(organization, YEAR).f1
    assert (after["a"].learners, after["c"].learners) == (a, c)
    enrollment.refresh_from_db()
    assert enrollment.professional_status == ProfessionalStatus.PRIVATE_EMPLOYEE
    # Enrolled again today, the learner brings today's status.
    learner.refresh_from_db()
    later = make_session(
        organization, start_date=datetime.date(2026, 3, 2), end_date=datetime.date(2026, 3, 3)
    )
    assert services_enrol(organization, later, learner).professional_status == "job_seeker"
    # The status at the time of the training, corrected on the enrollment's page, moves the line.
    response = admin_client.post(
        reverse("training:enrollment_edit", args=[enrollment.pk]),
        {"outcome": "enrolled", "professional_status": ProfessionalStatus.JOB_SEEKER},
    )
    assert response.status_code == 302
    corrected = compute_bpf(organization, YEAR).f1
    assert (corrected["a"].learners, corrected["c"].learners) == (a - 1, c + 1)
    assert_summaries_current(session, later)


def services_enrol(organization, session, learner):
    return training_services.enrollment_create(
        organization=organization, session=session, learner=learner
    )


def test_course_price_edited_on_its_page_updates_the_overfunding_check(
    admin_client, organization, individual
):
    course = make_course(organization, price=Decimal("2000.00"))
    session = make_session(organization, course)
    make_allocation(make_enrollment(session, individual.learner), amount="1500.00")
    assert not any(check.code == "overfunded" for check in compute_bpf(organization, YEAR).checks)
    response = admin_client.post(
        reverse("training:course_edit", args=[course.pk]),
        {
            "title": course.title,
            "reference": course.reference,
            "nsf_code": course.nsf_code,
            "objective": course.objective,
            "duration_hours": "14",
            "price": "1 000,00",
        },
    )
    assert response.status_code == 302
    overfunded = [c for c in compute_bpf(organization, YEAR).checks if c.code == "overfunded"]
    assert overfunded and overfunded[0].count == 1
    assert_summaries_current(session)


def test_session_moved_to_another_course_on_its_page_follows(
    admin_client, organization, individual
):
    session = make_session(organization, make_course(organization, price=Decimal("2000.00")))
    make_allocation(make_enrollment(session, individual.learner), amount="1500.00")
    cheaper = make_course(organization, price=Decimal("500.00"))
    response = admin_client.post(
        reverse("training:session_edit", args=[session.pk]),
        {
            "course": cheaper.pk,
            "reference": session.reference,
            "start_date": "2025-03-03",
            "end_date": "2025-03-04",
            "hours": "14",
            "location": "Lyon",
            "delivery": "direct",
        },
    )
    assert response.status_code == 302
    assert SessionSummary.objects.get(session=session).overfunded_learners == 1
    assert_summaries_current(session)


# --- the admin ---


def test_admin_learner_edit_keeps_the_f1_line(superuser_client, organization, session):
    learner = make_learner(organization, professional_status=ProfessionalStatus.PRIVATE_EMPLOYEE)
    make_enrollment(session, learner)
    before = compute_bpf(organization, YEAR).f1
    response = superuser_client.post(
        reverse("admin:learners_learner_change", args=[learner.pk]),
        {
            "organization": organization.pk,
            "first_name": learner.first_name,
            "last_name": learner.last_name,
            "email": learner.email,
            "professional_status": ProfessionalStatus.APPRENTICE,
        },
    )
    assert response.status_code == 302
    after = compute_bpf(organization, YEAR).f1
    assert (after["a"].learners, after["b"].learners) == (before["a"].learners, 0)
    assert_summaries_current(session)


def test_admin_enrollment_edit_goes_through_the_service(superuser_client, organization, individual):
    session = make_session(organization)
    enrollment = make_enrollment(session, individual.learner)
    make_allocation(enrollment, amount="700.00")
    response = superuser_client.post(
        reverse("admin:training_enrollment_change", args=[enrollment.pk]),
        {"hours_attended": "", "outcome": "cancelled", "trainee_type_override": ""},
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.is_cancelled and enrollment.session == session
    assert compute_bpf(organization, YEAR).c["e"].value == 0
    assert_summaries_current(session)


def test_admin_enrollment_cannot_be_moved_to_another_session(superuser_client, organization):
    session, other = make_session(organization), make_session(organization)
    enrollment = make_enrollment(session)
    superuser_client.post(
        reverse("admin:training_enrollment_change", args=[enrollment.pk]),
        {"session": other.pk, "hours_attended": "", "trainee_type_override": ""},
    )
    enrollment.refresh_from_db()
    assert enrollment.session == session


# --- the refresh itself ---


@pytest.mark.parametrize("learners", [3, 30])
def test_refresh_runs_a_fixed_number_of_queries(
    organization, django_assert_max_num_queries, learners
):
    session = make_session(organization)
    for _ in range(learners):
        enrollment = make_enrollment(session)
        make_allocation(enrollment, funding_type=FundingType.FRANCE_TRAVAIL)
    # Lock, the scheduled hours (attendance/summaries.py: one sum of the slots), the hours
    # recorded (one sum of the attendance, one update: none recorded; its gaps deleted),
    # enrollments, three summaries (delete, read, insert each), the savepoint; the dashboard's
    # summaries (funding/chase_summaries.py: totals by status, delete, read, insert; by funder,
    # the stored rows, delete, read, insert; and when a funder's figures moved, its total
    # created if new, locked and added up again).
    with django_assert_max_num_queries(27):
        refresh_sessions([session.pk])
    tally = SessionEnrollmentTally.objects.get(session=session)
    assert (tally.learners, tally.funding_code) == (learners, FUNDING_CODE_FRANCE_TRAVAIL)


def test_organization_rebuild_restores_summaries_written_around(organization, individual):
    session = make_session(organization)
    make_allocation(make_enrollment(session, individual.learner), amount="450.00")
    expected = stored_summaries([session.pk])
    SessionFundingTotal.objects.all().delete()
    SessionEnrollmentTally.objects.all().delete()
    SessionSummary.objects.all().delete()
    Enrollment.objects.update(funding_code=None, counted_funding=0)
    refresh_sessions(Session.objects.filter(organization=organization).values_list("pk", flat=True))
    assert stored_summaries([session.pk]) == expected
    assert compute_bpf(organization, YEAR).c["e"].value == 450


def test_paid_allocation_counts_like_an_approved_one(organization, individual, session):
    allocation = cpf(individual, session)
    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=None
    )
    status_changes.allocation_set_status(
        allocation=allocation,
        to_status=FundingStatus.PAID,
        changed_by=None,
        paid_on=timezone.localdate(),
    )
    assert compute_bpf(organization, YEAR).c["e"].value == 1500
    assert_summaries_current(session)


def test_command_rebuilds_summaries_after_a_write_around_the_services(
    organization, other_organization, individual
):
    session = make_session(organization)
    make_allocation(make_enrollment(session, individual.learner), amount="450.00")
    # Changed by hand, as a script or SQL would: the summaries fall behind...
    FundingAllocation.objects.update(approved_amount=Decimal("600.00"))
    assert compute_bpf(organization, YEAR).c["e"].value == 450
    out = io.StringIO()
    call_command("refresh_summaries", "--organization", organization.slug, stdout=out)
    # ...and the command brings them back.
    assert compute_bpf(organization, YEAR).c["e"].value == 600
    assert out.getvalue() == f"Refreshed the summaries of {organization.slug}.\n"
    call_command("refresh_summaries", stdout=out)
    assert other_organization.slug in out.getvalue()
    with pytest.raises(CommandError, match="Unknown organisation"):
        call_command("refresh_summaries", "--organization", "nobody")


def test_previous_year_figures_without_checks_are_the_same_figures(organization, individual):
    session = make_session(organization)
    make_allocation(make_enrollment(session, individual.learner), amount="450.00")
    full = compute_bpf(organization, YEAR)
    figures = compute_bpf(organization, YEAR, with_checks=False)
    assert full.checks and figures.checks == ()
    assert dataclasses.replace(full, checks=()) == figures


def test_admin_unenrolment_follows(superuser_client, organization, session):
    enrollment = make_enrollment(session)
    assert compute_bpf(organization, YEAR).f1["total"].learners == 2
    url = reverse("admin:training_enrollment_delete", args=[enrollment.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 302
    assert not Enrollment.objects.filter(pk=enrollment.pk).exists()
    assert compute_bpf(organization, YEAR).f1["total"].learners == 1
    assert_summaries_current(session)
