"""History of every change that moves money or a BPF figure (certeef/history.py): who, when,
before → after, why — on the allocation's History and on the session, course and learner pages;
a Paid allocation's amount, type or session changes only with a reason."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from attendance import schedule_services
from attendance.models import Attendance, AttendanceStatus, TimeSlot
from certeef.history import changes_of, track_history
from funding import services, status_changes
from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType
from learners.models import ProfessionalStatus
from learners.services import learner_save
from tests.conftest import (
    make_allocation,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)
from training import services as training_services
from training.changes import refresh_sessions
from training.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def individual(organization):
    return make_individual(make_learner(organization, first_name="Camille", last_name="Martin"))


@pytest.fixture
def enrollment(organization, individual):
    return make_enrollment(make_session(organization, reference="S-HIST"), individual.learner)


def edit_data(allocation, **overrides) -> dict:
    data = {
        "funding_type": allocation.funding_type,
        "approved_amount": str(allocation.approved_amount),
        "session": allocation.session_id,
        "cpf_case_number": allocation.cpf_case_number,
        "funder_reference": allocation.funder_reference,
        "notes": "",
        "version": allocation.version,
    }
    return {**data, **overrides}


def test_an_amount_edited_in_the_page_shows_who_when_before_and_after(
    admin_client, admin_user, individual, enrollment
):
    allocation = make_allocation(enrollment, status=FundingStatus.PENDING, amount="1500.00")
    url = reverse("funding:allocation_edit", args=[allocation.pk])
    admin_client.post(url, edit_data(allocation, approved_amount="1 800,00"))

    change = changes_of(allocation)[0]
    assert (change.field, change.before, change.after) == ("approved amount", "1500.00", "1800.00")
    assert change.by == admin_user
    page = admin_client.get(reverse("funding:allocation_history", args=[allocation.pk])).text
    assert "1500.00" in page and "1800.00" in page and "admin" in page


def test_a_paid_allocation_s_amount_changes_only_with_a_reason_kept_in_its_history(
    admin_client, individual, enrollment
):
    allocation = make_allocation(enrollment, status=FundingStatus.PAID, amount="1500.00")
    url = reverse("funding:allocation_edit", args=[allocation.pk])
    assert "Reason for the change" in admin_client.get(url).text

    refused = admin_client.post(url, edit_data(allocation, approved_amount="1200"))
    assert "This allocation is paid: say why" in refused.text
    allocation.refresh_from_db()
    assert allocation.approved_amount == Decimal("1500.00")

    # A change of its notes alone needs no reason.
    admin_client.post(url, edit_data(allocation, funder_reference="REF-9"))
    allocation.refresh_from_db()
    assert allocation.funder_reference == "REF-9"

    admin_client.post(
        url, edit_data(allocation, approved_amount="1200", reason="Partial refund to the OPCO")
    )
    allocation.refresh_from_db()
    assert allocation.approved_amount == Decimal("1200.00")
    page = admin_client.get(reverse("funding:allocation_history", args=[allocation.pk])).text
    assert "Partial refund to the OPCO" in page


def test_the_service_refuses_a_paid_allocation_s_move_without_a_reason(enrollment, organization):
    allocation = make_allocation(enrollment, status=FundingStatus.PAID)
    other = make_enrollment(make_session(organization), enrollment.learner)
    with pytest.raises(Exception, match="say why"):
        services.allocation_update(
            allocation=allocation, expected_version=allocation.version, session=other.session
        )


def test_a_status_move_is_in_the_history_with_its_note(admin_user, individual, enrollment):
    allocation = services.allocation_create(
        organization=enrollment.organization,
        session=enrollment.session,
        learner=individual.learner,
        individual=individual,
        funding_type=FundingType.SELF_FUNDED,
        approved_amount=Decimal("300.00"),
    )
    status_changes.allocation_set_status(
        allocation=allocation,
        to_status=FundingStatus.APPROVED,
        changed_by=admin_user,
        note="Quote signed",
    )
    status = [c for c in changes_of(allocation) if c.field == "status"]
    assert (status[0].before, status[0].after) == ("Pending", "Approved")
    assert status[0].by == admin_user and status[0].reason == "Quote signed"


def test_session_course_and_learner_pages_show_their_changes(
    admin_client, client_for, trainer_user, organization, enrollment
):
    session = enrollment.session
    session.hours = Decimal("21")
    training_services.session_save(session=session)
    course = session.course
    course.price = Decimal("1500.00")
    training_services.course_save(course=course)
    learner = enrollment.learner
    learner.professional_status = ProfessionalStatus.JOB_SEEKER
    learner_save(learner=learner)

    session_page = admin_client.get(reverse("training:session_detail", args=[session.pk])).text
    assert "<td>14.00</td>" in session_page and "<td>21.00</td>" in session_page
    assert [(c.field, c.after) for c in changes_of(session)][:1] == [("hours", "21.00")]
    assert changes_of(course)[0].after == "1500.00"
    assert changes_of(learner)[0].after == str(ProfessionalStatus.JOB_SEEKER.label)
    course_page = admin_client.get(reverse("training:course_detail", args=[course.pk])).text
    learner_page = admin_client.get(reverse("learners:detail", args=[learner.pk])).text
    assert "1500.00" in course_page and str(ProfessionalStatus.JOB_SEEKER.label) in learner_page
    # Trainers see the pages, not who changed what.
    trainer_page = client_for(trainer_user).get(
        reverse("training:session_detail", args=[session.pk])
    )
    assert trainer_page.status_code == 200 and "<td>21.00</td>" not in trainer_page.text


def test_enrollment_slot_and_attendance_changes_are_kept(organization, enrollment):
    training_services.enrollment_update(
        organization=organization,
        enrollment=enrollment,
        hours_attended=Decimal("7"),
        outcome="cancelled",
        trainee_type_override="",
    )
    fields: dict[str, str] = {}
    for change in changes_of(enrollment):  # newest first: the latest value of each field
        fields.setdefault(change.field, change.after)
    assert fields["hours attended"] == "7.00" or fields["hours attended"] == "7"
    assert fields["outcome"] == "Cancelled"
    slot = TimeSlot.objects.create(
        organization=organization,
        session=enrollment.session,
        date=datetime.date(2025, 3, 3),
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )
    Attendance.objects.create(
        organization=organization,
        slot=slot,
        enrollment=enrollment,
        status=AttendanceStatus.PRESENT,
        minutes=180,
    )
    refresh_sessions([enrollment.session_id])  # written around the services: summaries follow
    assert slot.history.count() == 1
    assert Attendance.history.count() == 1
    assert Enrollment.history.filter(id=enrollment.pk).count() == 2
    assert FundingAllocation.history.count() == 0


def test_a_field_is_tracked_only_if_the_model_has_it():
    with pytest.raises(ValueError, match="no field"):
        track_history(FundingAllocation, fields=["no_such_field"])


def test_enrollment_and_slot_pages_show_their_changes(admin_client, organization, enrollment):
    training_services.enrollment_update(
        organization=organization,
        enrollment=enrollment,
        hours_attended=Decimal("7"),
        outcome="cancelled",
        trainee_type_override="",
    )
    slot = TimeSlot.objects.create(
        organization=organization,
        session=enrollment.session,
        date=datetime.date(2025, 3, 3),
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )
    refresh_sessions([enrollment.session_id])
    schedule_services.slot_update(
        organization=organization,
        slot=slot,
        date=datetime.date(2025, 3, 4),
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )

    enrollment_page = admin_client.get(reverse("training:enrollment_edit", args=[enrollment.pk]))
    slot_page = admin_client.get(reverse("attendance:slot_edit", args=[slot.pk]))

    assert "<td>Cancelled</td>" in enrollment_page.text
    assert "<td>03/03/2025</td>" in slot_page.text and "<td>04/03/2025</td>" in slot_page.text
