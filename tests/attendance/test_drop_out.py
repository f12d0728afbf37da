"""A drop-out in one step from the grid (issue 15, part 5): absent from every slot after the last
day attended, outcome "dropped out", counted in the BPF with the hours followed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from attendance import drop_out, recording
from attendance.models import Attendance, AttendanceStatus
from attendance.selectors import followed_hours
from bpf.computation import compute_bpf
from tests.attendance.conftest import assign
from training.models import Outcome

pytestmark = pytest.mark.django_db

MONDAY, TUESDAY = datetime.date(2025, 3, 3), datetime.date(2025, 3, 4)


def record(session, enrollment, slot, status):
    recording.attendance_record(
        organization=session.organization,
        session=session,
        entries=[recording.Entry(slot.pk, enrollment.pk, status)],
        user=None,
    )


def statuses(enrollment):
    return list(
        Attendance.objects.filter(enrollment=enrollment)
        .order_by("slot__date", "slot__start_time")
        .values_list("status", flat=True)
    )


def test_drop_out_marks_later_slots_absent_and_counts_the_hours_followed(scheduled):
    """Hand-computed: 4 slots of 3,5 h (Monday and Tuesday, morning and afternoon). The first
    learner came on Monday (present twice), was wrongly marked present on Tuesday morning, and
    has nothing on Tuesday afternoon; dropped out after Monday: 7 h. The two others were present
    throughout: 14 h each (the hours followed, by the attendance app's rule)."""
    session, slots, (gone, second, third) = scheduled
    slots = sorted(slots, key=lambda slot: (slot.date, slot.start_time))
    for slot in slots:
        recording.slot_mark_present(organization=session.organization, slot=slot, user=None)
    Attendance.objects.filter(enrollment=gone, slot=slots[3]).delete()
    written = drop_out.enrollment_drop_out(
        organization=session.organization, enrollment=gone, last_day=MONDAY, user=None
    )
    assert len(written) == 2
    assert statuses(gone) == ["present", "present", "absent", "absent"]
    gone.refresh_from_db()
    assert gone.outcome == Outcome.DROPPED_OUT
    followed = followed_hours(enrollments=[gone, second, third])
    assert [followed[e.pk].hours for e in (gone, second, third)] == [7, 14, 14]
    assert statuses(second) == statuses(third) == ["present"] * 4
    # Still one learner of the BPF, with its money.
    assert compute_bpf(session.organization, 2025).f1["total"].learners == 3


def test_an_excused_absence_after_the_last_day_is_kept(scheduled):
    session, slots, (gone, _second, _third) = scheduled
    slots = sorted(slots, key=lambda slot: (slot.date, slot.start_time))
    record(session, gone, slots[0], AttendanceStatus.PRESENT)
    record(session, gone, slots[3], AttendanceStatus.EXCUSED)
    drop_out.enrollment_drop_out(
        organization=session.organization, enrollment=gone, last_day=MONDAY, user=None
    )
    # Monday afternoon (no entry) is left as it was; Tuesday morning absent; Tuesday afternoon
    # stays excused.
    assert statuses(gone) == ["present", "absent", "excused"]


@pytest.mark.parametrize("last_day", [datetime.date(2025, 3, 2), datetime.date(2025, 3, 5)])
def test_the_last_day_is_within_the_session(scheduled, last_day):
    session, _slots, (gone, _second, _third) = scheduled
    with pytest.raises(Exception, match="within the session"):
        drop_out.enrollment_drop_out(
            organization=session.organization, enrollment=gone, last_day=last_day, user=None
        )
    gone.refresh_from_db()
    assert gone.outcome == Outcome.ENROLLED and statuses(gone) == []


def test_from_the_grid_by_an_administrator(admin_client, scheduled):
    session, _slots, (gone, _second, _third) = scheduled
    grid = reverse("attendance:grid", args=[session.pk])
    assert "Mark dropped out" in admin_client.get(grid).text
    response = admin_client.post(
        reverse("attendance:drop_out", args=[session.pk]),
        {"enrollment": gone.pk, "last_day": "03/03/2025"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == grid
    assert "dropped out after 03/03/2025" in response.text
    gone.refresh_from_db()
    assert gone.outcome == Outcome.DROPPED_OUT
    assert statuses(gone) == ["absent", "absent"]


def test_in_french(admin_client, scheduled, french):
    session, _slots, _enrollments = scheduled
    grid = reverse("attendance:grid", args=[session.pk])
    assert "Marquer l’abandon" in admin_client.get(grid, headers={"Accept-Language": "fr"}).text


def test_trainers_and_other_organisations_cannot(
    client_for, trainer_user, other_admin_user, scheduled
):
    session, _slots, (gone, _second, _third) = scheduled
    assign(session, trainer_user)
    trainer = client_for(trainer_user)
    assert "Mark dropped out" not in trainer.get(reverse("attendance:grid", args=[session.pk])).text
    url = reverse("attendance:drop_out", args=[session.pk])
    data = {"enrollment": gone.pk, "last_day": "2025-03-03"}
    assert trainer.post(url, data).status_code == 403
    assert client_for(other_admin_user).post(url, data).status_code == 404
    gone.refresh_from_db()
    assert gone.outcome == Outcome.ENROLLED


def test_needs_post(admin_client, scheduled):
    session, _slots, _enrollments = scheduled
    assert admin_client.get(reverse("attendance:drop_out", args=[session.pk])).status_code == 405
