"""The attendance grid: every status, partial minutes, the whole grid posted without JavaScript,
one cell posted by htmx, "all present", and who may use it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from attendance.models import Attendance
from tests.attendance.conftest import assign
from tests.conftest import make_organization, make_session, make_user
from training.changes import refresh_sessions

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def cell(enrollment, slot) -> str:
    return f"s-{enrollment.pk}-{slot.pk}"


def minutes_field(enrollment, slot) -> str:
    return f"m-{enrollment.pk}-{slot.pk}"


def stored(enrollment, slot):
    entry = Attendance.objects.filter(enrollment=enrollment, slot=slot).first()
    return None if entry is None else (entry.status, entry.minutes)


def test_grid_shows_learners_by_slots(admin_client, scheduled, django_assert_max_num_queries):
    session, slots, enrollments = scheduled
    url = reverse("attendance:grid", args=[session.pk])
    with django_assert_max_num_queries(15):
        response = admin_client.get(url)
    page = response.content.decode()
    for enrollment in enrollments:
        assert enrollment.learner.last_name in page
        for slot in slots:
            assert f'id="{cell(enrollment, slot)}"' in page
    assert page.count("All present") == len(slots)
    # The cells' saves are queued: an earlier, slower answer cannot overwrite a later total.
    assert 'hx-sync="closest table:queue all"' in page


def test_whole_grid_posted_without_javascript_records_every_status(
    admin_client, admin_user, scheduled
):
    session, slots, (first, second, third) = scheduled
    url = reverse("attendance:grid", args=[session.pk])
    data = {
        cell(first, slots[0]): "present",
        cell(second, slots[0]): "absent",
        cell(third, slots[0]): "excused",
        cell(first, slots[1]): "partial",
        minutes_field(first, slots[1]): "1h30",
        cell(second, slots[1]): "partial",
        minutes_field(second, slots[1]): "45",
        cell(third, slots[1]): "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert stored(first, slots[0]) == ("present", 210)
    assert stored(second, slots[0]) == ("absent", 0)
    assert stored(third, slots[0]) == ("excused", 0)
    assert stored(first, slots[1]) == ("partial", 90)
    assert stored(second, slots[1]) == ("partial", 45)
    assert stored(third, slots[1]) is None
    assert Attendance.objects.get(enrollment=first, slot=slots[0]).recorded_by == admin_user
    page = admin_client.get(url).content.decode()
    assert f'id="r-{first.pk}">5' in page  # 3,5 h + 1,5 h
    # Cleared again: the entry goes.
    admin_client.post(url, {cell(second, slots[1]): ""})
    assert stored(second, slots[1]) is None


def test_refused_cells_are_shown_with_what_was_typed_and_nothing_is_saved(admin_client, scheduled):
    session, slots, (first, second, _third) = scheduled
    url = reverse("attendance:grid", args=[session.pk])
    response = admin_client.post(
        url,
        {
            cell(first, slots[0]): "present",
            cell(second, slots[0]): "partial",
            minutes_field(second, slots[0]): "300",  # the slot lasts 210 minutes
            cell(first, slots[1]): "partial",
            minutes_field(first, slots[1]): "une heure",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "from 1 to 209" in page
    assert "such as 90 or 1h30" in page
    assert 'value="une heure"' in page
    assert not Attendance.objects.exists()


def test_one_cell_by_htmx_is_saved_at_once_and_swapped_back_with_the_total(admin_client, scheduled):
    session, slots, (first, _second, _third) = scheduled
    url = reverse("attendance:grid", args=[session.pk])
    response = admin_client.post(url, {cell(first, slots[2]): "present"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<td id="t-{first.pk}-{slots[2].pk}" class="cell present"')
    assert '<option value="present" selected>' in html
    assert f'<td class="num" id="r-{first.pk}" hx-swap-oob="true">3,5</td>' in html
    assert stored(first, slots[2]) == ("present", 210)
    # "Partly present" chosen: nothing saved until the minutes come.
    html = admin_client.post(url, {cell(first, slots[2]): "partial"}, **HTMX).content.decode()
    assert "Type the minutes attended" in html
    assert stored(first, slots[2]) == ("present", 210)
    admin_client.post(
        url,
        {cell(first, slots[2]): "partial", minutes_field(first, slots[2]): "2:00"},
        **HTMX,
    )
    assert stored(first, slots[2]) == ("partial", 120)


def test_all_present_fills_the_empty_cells_of_a_slot(admin_client, scheduled):
    session, slots, (first, second, third) = scheduled
    url = reverse("attendance:grid", args=[session.pk])
    admin_client.post(url, {cell(second, slots[3]): "absent"})
    response = admin_client.post(url, {"all_present": slots[3].pk}, **HTMX)
    html = response.content.decode()
    assert html.count('hx-swap-oob="true"') == 4  # two cells, two totals
    assert stored(first, slots[3]) == stored(third, slots[3]) == ("present", 210)
    assert stored(second, slots[3]) == ("absent", 0)  # a recorded absence is kept
    # Without JavaScript, the same button of the grid's form.
    admin_client.post(url, {"all_present": slots[2].pk})
    assert Attendance.objects.filter(slot=slots[2], status="present").count() == 3


def test_a_slot_not_yet_begun_cannot_be_marked_present(admin_client, organization):
    today = datetime.date.today()
    session = make_session(organization, start_date=today, end_date=today + datetime.timedelta(9))
    from tests.attendance.conftest import schedule
    from tests.conftest import make_enrollment

    slots = schedule(session, weekdays=range(7))
    enrollment = make_enrollment(session)
    future = slots[-1]
    url = reverse("attendance:grid", args=[session.pk])
    response = admin_client.post(url, {cell(enrollment, future): "present"})
    assert response.status_code == 422
    assert "has not taken place yet" in response.content.decode()
    # An absence may be known in advance.
    admin_client.post(url, {cell(enrollment, future): "excused"})
    assert stored(enrollment, future) == ("excused", 0)


def test_cancelled_learner_is_not_in_the_grid(admin_client, scheduled):
    session, slots, (first, _second, _third) = scheduled
    first.outcome = "cancelled"
    first.save()
    refresh_sessions([session.pk])  # saved around the services: the summaries follow
    url = reverse("attendance:grid", args=[session.pk])
    assert first.learner.last_name not in admin_client.get(url).content.decode()
    response = admin_client.post(url, {cell(first, slots[0]): "present"})
    assert response.status_code == 422
    assert stored(first, slots[0]) is None


def test_trainer_records_only_the_sessions_assigned_to_them(
    client_for, trainer_user, organization, scheduled
):
    session, slots, (first, _second, _third) = scheduled
    trainer = client_for(trainer_user)
    url = reverse("attendance:grid", args=[session.pk])
    assert trainer.get(url).status_code == 403
    assert trainer.post(url, {cell(first, slots[0]): "present"}).status_code == 403
    assert stored(first, slots[0]) is None
    assign(session, trainer_user)
    assert trainer.get(url).status_code == 200
    assert trainer.post(url, {cell(first, slots[0]): "present"}).status_code == 302
    assert stored(first, slots[0]) == ("present", 210)
    # Nothing else changes for a trainer.
    for name in ("funding:list", "individuals:list", "bpf:report"):
        assert trainer.get(reverse(name)).status_code == 403
    schedule = reverse("attendance:schedule_generate", args=[session.pk])
    assert trainer.post(schedule, {}).status_code == 403


def test_another_organisations_session_is_404(client_for, other_admin_user, scheduled):
    session, slots, (first, _second, _third) = scheduled
    other = client_for(other_admin_user)
    url = reverse("attendance:grid", args=[session.pk])
    assert other.get(url).status_code == 404
    assert other.post(url, {cell(first, slots[0]): "present"}).status_code == 404
    assert stored(first, slots[0]) is None


def test_cells_of_another_session_are_refused(admin_client, organization, scheduled):
    _session, slots, (first, _second, _third) = scheduled
    other_session = make_session(organization)
    url = reverse("attendance:grid", args=[other_session.pk])
    response = admin_client.post(url, {cell(first, slots[0]): "present"})
    assert response.status_code == 422
    assert stored(first, slots[0]) is None


def test_assigning_trainers(client_for, admin_user, trainer_user, organization, scheduled):
    session, _slots, _enrollments = scheduled
    admin = client_for(admin_user)
    trainer_membership = trainer_user.memberships.get()
    url = reverse("attendance:trainers", args=[session.pk])
    admin.post(url, {"trainers": [trainer_membership.pk]})
    assert list(session.trainer_assignments.values_list("membership", flat=True)) == [
        trainer_membership.pk
    ]
    page = client_for(trainer_user).get(reverse("training:session_detail", args=[session.pk]))
    assert "Record attendance" in page.content.decode()
    # An administrator, or another organisation's trainer, is not a choice.
    outsider = make_user(make_organization(), role="trainer")
    response = admin.post(url, {"trainers": [outsider.memberships.get().pk]}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    assert client_for(trainer_user).post(url, {"trainers": []}).status_code == 403
    admin.post(url, {"trainers": []})
    assert not session.trainer_assignments.exists()
