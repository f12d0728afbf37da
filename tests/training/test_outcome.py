"""An enrollment's outcome (BPF.md): enrolled and completed count; a drop-out counts its money,
one learner and only the hours it followed; a cancelled enrollment counts nowhere. Marking a
learner dropped out asks for the hours they followed until the session's attendance exists."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from attendance import recording
from attendance.models import AttendanceStatus
from bpf.computation import compute_bpf
from tests.attendance.conftest import schedule
from tests.conftest import make_allocation, make_enrollment, make_session
from training import services
from training.models import Outcome

pytestmark = pytest.mark.django_db


def test_each_outcome_in_the_bpf(organization):
    """Hand-computed: a 14-hour session, 1 000 € per learner (CPF, line e).
    Enrolled 14 h + completed 14 h + dropped out after 5 h = 3 learners, 33 hours, 3 000 €;
    the cancelled one and its 1 000 € count nowhere."""
    session = make_session(organization, hours=Decimal("14"))
    outcomes = {
        Outcome.ENROLLED: None,
        Outcome.COMPLETED: None,
        Outcome.DROPPED_OUT: Decimal("5"),
        Outcome.CANCELLED: None,
    }
    for outcome, hours in outcomes.items():
        enrollment = make_enrollment(session, outcome=outcome, hours_attended=hours)
        make_allocation(enrollment, amount="1000.00")
    report = compute_bpf(organization, 2025)
    assert (report.f1["total"].learners, report.f1["total"].hours) == (3, 33)
    assert (report.f3["total"].learners, report.f3["total"].hours) == (3, 33)
    assert report.c["e"].value == 3000
    assert report.c["total"].value == 3000


def test_dropping_out_asks_for_the_hours_followed(admin_client, organization):
    enrollment = make_enrollment(make_session(organization))
    url = reverse("training:enrollment_edit", args=[enrollment.pk])
    response = admin_client.post(url, {"hours_attended": "", "outcome": "dropped_out"})
    assert response.status_code == 200
    assert "type them" in response.context["form"].errors["hours_attended"][0]
    enrollment.refresh_from_db()
    assert enrollment.outcome == Outcome.ENROLLED
    response = admin_client.post(url, {"hours_attended": "5,5", "outcome": "dropped_out"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.outcome, enrollment.hours_attended) == (Outcome.DROPPED_OUT, Decimal("5.5"))


def test_the_service_refuses_a_drop_out_without_hours(organization):
    enrollment = make_enrollment(make_session(organization))
    with pytest.raises(ValidationError) as error:
        services.enrollment_update(
            organization=organization,
            enrollment=enrollment,
            hours_attended=None,
            outcome=Outcome.DROPPED_OUT,
            trainee_type_override="",
        )
    assert "hours_attended" in error.value.message_dict


def test_with_attendance_recorded_a_drop_out_needs_no_typed_hours(admin_client, organization):
    """Attendance gives the hours: 1 slot of 3,5 h present, then absent → 3,5 hours in F."""
    session = make_session(
        organization, start_date=datetime.date(2025, 3, 3), end_date=datetime.date(2025, 3, 4)
    )
    slots = schedule(session)
    enrollment = make_enrollment(session)
    entries = [recording.Entry(slots[0].pk, enrollment.pk, AttendanceStatus.PRESENT)]
    entries += [
        recording.Entry(slot.pk, enrollment.pk, AttendanceStatus.ABSENT) for slot in slots[1:]
    ]
    recording.attendance_record(
        organization=organization, session=session, entries=entries, user=None
    )
    url = reverse("training:enrollment_edit", args=[enrollment.pk])
    response = admin_client.post(url, {"hours_attended": "", "outcome": "dropped_out"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.outcome == Outcome.DROPPED_OUT and enrollment.hours_attended is None


def test_session_and_learner_pages_show_the_outcome(admin_client, organization):
    session = make_session(organization)
    enrollment = make_enrollment(session, outcome=Outcome.DROPPED_OUT, hours_attended=Decimal(3))
    for url in (
        reverse("training:session_detail", args=[session.pk]),
        reverse("learners:detail", args=[enrollment.learner_id]),
    ):
        assert "Dropped out" in admin_client.get(url).text


@pytest.mark.django_db(transaction=True)
@pytest.mark.summaries_may_drift  # rows written by the migration's historical models
def test_migrations_turn_the_cancelled_flag_into_the_outcome_and_copy_the_status():
    """Existing enrollments: cancelled → outcome "cancelled", the others "enrolled"; each takes
    its learner's professional status as its status at the time of the training."""
    executor = MigrationExecutor(connection)
    executor.migrate([("training", "0002_enrollment_funding_summary")])
    old = (
        MigrationExecutor(connection)
        .loader.project_state([("training", "0002_enrollment_funding_summary")])
        .apps
    )
    org = old.get_model("certeef", "Organization").objects.create(name="O", slug="o")
    course = old.get_model("training", "Course").objects.create(
        organization=org, title="C", duration_hours=7
    )
    session = old.get_model("training", "Session").objects.create(
        organization=org,
        course=course,
        start_date=datetime.date(2025, 1, 6),
        end_date=datetime.date(2025, 1, 6),
        hours=7,
    )
    Learner = old.get_model("learners", "Learner")
    Enrollment = old.get_model("training", "Enrollment")
    for n, (cancelled, status) in enumerate(((True, "job_seeker"), (False, "apprentice"))):
        learner = Learner.objects.create(
            organization=org, first_name=f"A{n}", last_name="B", professional_status=status
        )
        Enrollment.objects.create(
            organization=org, session=session, learner=learner, cancelled=cancelled
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
    rows = new.get_model("training", "Enrollment").objects.values_list(
        "learner__first_name", "outcome", "professional_status"
    )
    assert {row[0]: row[1:] for row in rows} == {
        "A0": ("cancelled", "job_seeker"),
        "A1": ("enrolled", "apprentice"),
    }
