"""A session's schedule: slots from a pattern (public holidays skipped), one by one, the rules of
a slot (same day, within the session, no overlap) and the session's hours following them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attendance import recording, schedule_services
from attendance.models import AttendanceStatus, TimeSlot
from attendance.schedule import Pattern, TimeRange, half_days_of, pattern_slots
from tests.attendance.conftest import AFTERNOON, MORNING, schedule
from tests.conftest import make_session
from training.models import Session

pytestmark = pytest.mark.django_db

d = datetime.date
t = datetime.time


def test_every_weekday_morning_and_afternoon_skipping_french_public_holidays():
    # 2026: Ascension is Thursday 14 May, and 8 May (Victoire) a Friday.
    pattern = Pattern(
        first=d(2026, 5, 4),
        last=d(2026, 5, 15),
        weekdays=frozenset(range(5)),
        ranges=(MORNING, AFTERNOON),
    )
    slots, skipped = pattern_slots(pattern)
    days = sorted({slot.date for slot in slots})
    assert d(2026, 5, 8) not in days and d(2026, 5, 14) not in days
    assert d(2026, 5, 9) not in days  # a Saturday
    assert len(days) == 8  # 10 weekdays less two public holidays
    assert len(slots) == 16  # a morning and an afternoon each day
    assert skipped == {d(2026, 5, 8): "Fête de la Victoire", d(2026, 5, 14): "Ascension"}
    # Without the skip the holidays are days like the others.
    slots, skipped = pattern_slots(Pattern(**{**pattern.__dict__, "skip_public_holidays": False}))
    assert len(slots) == 20 and skipped == {}


def test_moving_holidays_come_from_the_library_for_each_year():
    slots, skipped = pattern_slots(
        Pattern(d(2025, 4, 21), d(2025, 4, 21), frozenset(range(7)), (MORNING,))
    )
    assert slots == [] and skipped == {d(2025, 4, 21): "Lundi de Pâques"}


def test_half_days():
    assert half_days_of(t(9), t(12, 30)) == ("morning",)
    assert half_days_of(t(13, 30), t(17)) == ("afternoon",)
    assert half_days_of(t(9), t(17)) == ("morning", "afternoon")
    assert half_days_of(t(18), t(21)) == ("afternoon",)


def test_generated_schedule_gives_the_session_its_hours(organization):
    session = make_session(
        organization, start_date=d(2025, 9, 15), end_date=d(2025, 9, 26), hours=Decimal("1")
    )
    created = schedule(session)
    assert len(created) == 20
    session.refresh_from_db()
    assert session.hours == Decimal("70.00")  # 10 days × 7 h
    # Half-days only: the afternoon range left out.
    other = make_session(organization, start_date=d(2025, 9, 15), end_date=d(2025, 9, 19))
    schedule(other, ranges=[MORNING])
    other.refresh_from_db()
    assert other.hours == Decimal("17.50")


def test_a_slot_across_midnight_is_refused(organization):
    session = make_session(organization, start_date=d(2025, 9, 15), end_date=d(2025, 9, 16))
    with pytest.raises(ValidationError) as error:
        schedule_services.slot_create(
            organization=organization,
            session=session,
            date=d(2025, 9, 15),
            start_time=t(22),
            end_time=t(2),
        )
    assert "across midnight" in str(error.value)
    with pytest.raises(ValidationError):
        schedule_services.schedule_generate(
            organization=organization,
            session=session,
            pattern=Pattern(
                d(2025, 9, 15), d(2025, 9, 16), frozenset(range(5)), (TimeRange(t(20), t(1)),)
            ),
        )
    assert not TimeSlot.objects.exists()


def test_the_form_refuses_a_slot_across_midnight_an_overlap_and_a_date_outside(
    admin_client, organization
):
    session = make_session(organization, start_date=d(2025, 9, 15), end_date=d(2025, 9, 16))
    url = reverse("attendance:slot_create", args=[session.pk])
    data = {"date": "2025-09-15", "start_time": "22:00", "end_time": "02:00"}
    response = admin_client.post(url, data)
    assert response.status_code == 422
    assert "across midnight" in response.content.decode()
    assert admin_client.post(url, {**data, "end_time": "23:30"}).status_code == 302
    response = admin_client.post(url, {**data, "start_time": "23:00", "end_time": "23:45"})
    assert response.status_code == 422
    assert "overlaps the slot of 15/09/2025 22:00–23:30" in response.content.decode()
    response = admin_client.post(url, {**data, "date": "2025-09-20", "end_time": "23:00"})
    assert response.status_code == 422
    assert "a slot must be within these dates" in response.content.decode()
    assert TimeSlot.objects.count() == 1
    session.refresh_from_db()
    assert session.hours == Decimal("1.50")


def test_generating_over_existing_slots_is_refused_whole(organization):
    session = make_session(organization, start_date=d(2025, 9, 15), end_date=d(2025, 9, 19))
    schedule(session, first=d(2025, 9, 17), last=d(2025, 9, 17))
    with pytest.raises(ValidationError) as error:
        schedule(session)
    assert "overlaps" in str(error.value)
    assert TimeSlot.objects.filter(session=session).count() == 2


def test_generate_page(admin_client, organization):
    session = make_session(organization, start_date=d(2026, 5, 11), end_date=d(2026, 5, 15))
    url = reverse("attendance:schedule_generate", args=[session.pk])
    data = {
        "first": "2026-05-11",
        "last": "2026-05-15",
        "weekdays": ["0", "1", "2", "3", "4"],
        "morning_start": "09:00",
        "morning_end": "12:30",
        "afternoon_start": "13:30",
        "afternoon_end": "17:00",
        "skip_public_holidays": "on",
    }
    response = admin_client.post(url, data, follow=True)
    assert "8 slots added to the schedule" in response.content.decode()
    assert "Ascension (14/05/2026)" in response.content.decode()
    session.refresh_from_db()
    assert session.hours == Decimal("28.00")
    # A range with its end only is an error next to it; nothing else is created.
    response = admin_client.post(url, {**data, "morning_start": ""})
    assert response.status_code == 422
    assert "Give both times, or neither." in response.content.decode()


def test_editing_a_slot_moves_present_entries_and_refuses_a_partial_that_no_longer_fits(
    organization, scheduled
):
    session, slots, enrollments = scheduled
    slot = slots[0]
    recording.attendance_record(
        organization=organization,
        session=session,
        entries=[
            recording.Entry(slot.pk, enrollments[0].pk, AttendanceStatus.PRESENT),
            recording.Entry(slot.pk, enrollments[1].pk, AttendanceStatus.PARTIAL, 150),
        ],
        user=None,
    )
    with pytest.raises(ValidationError) as error:
        schedule_services.slot_update(
            organization=organization,
            slot=slot,
            date=slot.date,
            start_time=t(9),
            end_time=t(11),
        )
    assert "1 learner is recorded partly present" in str(error.value)
    schedule_services.slot_update(
        organization=organization, slot=slot, date=slot.date, start_time=t(9), end_time=t(12)
    )
    assert slot.attendances.get(enrollment=enrollments[0]).minutes == 180
    session.refresh_from_db()
    assert session.hours == Decimal("13.50")
    schedule_services.slot_delete(organization=organization, slot=slot)
    session.refresh_from_db()
    assert session.hours == Decimal("10.50")


def test_session_form_shows_scheduled_hours_and_keeps_its_dates_around_the_slots(
    admin_client, organization, scheduled
):
    session, _slots, _enrollments = scheduled
    url = reverse("training:session_edit", args=[session.pk])
    data = {
        "course": session.course_id,
        "reference": session.reference,
        "start_date": "2025-03-03",
        "end_date": "2025-03-04",
        "hours": "99",
        "location": "",
        "delivery": "direct",
    }
    assert admin_client.post(url, data).status_code == 302
    assert Session.objects.get(pk=session.pk).hours == Decimal("14.00")  # typed hours ignored
    response = admin_client.post(url, {**data, "end_date": "2025-03-03"})
    assert response.status_code == 200
    assert "The schedule has slots from 03/03/2025 to 04/03/2025" in response.content.decode()


def test_schedule_pages_access(client_for, admin_user, trainer_user, other_admin_user, scheduled):
    session, slots, _enrollments = scheduled
    page = reverse("attendance:schedule", args=[session.pk])
    admin, trainer, other = (client_for(u) for u in (admin_user, trainer_user, other_admin_user))
    assert admin.get(page).status_code == 200
    assert trainer.get(page).status_code == 200  # read-only: no form
    assert "Add slots from a pattern" not in trainer.get(page).content.decode()
    assert other.get(page).status_code == 404
    generate = reverse("attendance:schedule_generate", args=[session.pk])
    assert trainer.post(generate, {}).status_code == 403
    assert other.post(generate, {}).status_code == 404
    edit = reverse("attendance:slot_edit", args=[slots[0].pk])
    assert trainer.get(edit).status_code == 403
    assert other.get(edit).status_code == 404
    assert trainer.post(reverse("attendance:slot_delete", args=[slots[0].pk])).status_code == 403
    assert TimeSlot.objects.filter(session=session).count() == 4
