"""The attendance grid with the keyboard only: Tab into the grid, letters choose a status, arrows
move, each change saved at once, "partly present" asks for the minutes."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from attendance.models import Attendance
from tests.attendance.conftest import schedule
from tests.conftest import make_enrollment, make_learner, make_session
from tests.e2e.conftest import htmx_settled

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def status_of(enrollment, slot):
    entry = Attendance.objects.filter(enrollment=enrollment, slot=slot).first()
    return None if entry is None else (entry.status, entry.minutes)


def test_attendance_recorded_with_the_keyboard_only(page, log_in, organization, admin_user):
    session = make_session(
        organization,
        reference="S-CLAVIER",
        start_date=datetime.date(2025, 3, 3),
        end_date=datetime.date(2025, 3, 4),
    )
    slots = schedule(session)
    alice = make_enrollment(session, make_learner(organization, last_name="Arnaud"))
    bruno = make_enrollment(session, make_learner(organization, last_name="Blanc"))
    log_in("admin")
    page.goto(f"/attendance/sessions/{session.pk}/")
    # Tab until the first cell of the grid has the focus.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == f"s-{alice.pk}-{slots[0].pk}":
            break
    else:
        pytest.fail("the grid's first cell is not reachable with Tab")
    page.keyboard.press("p")  # Present
    expect(page.locator(f"#t-{alice.pk}-{slots[0].pk}")).to_have_class("cell present")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("a")  # Absent
    expect(page.locator(f"#t-{alice.pk}-{slots[1].pk}")).to_have_class("cell absent")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("e")  # Excused absence
    expect(page.locator(f"#t-{bruno.pk}-{slots[1].pk}")).to_have_class("cell excused")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("p")
    expect(page.locator(f"#t-{bruno.pk}-{slots[0].pk}")).to_have_class("cell present")
    page.keyboard.press("p")  # again: the next status starting with P, partly present
    expect(page.locator(f"#t-{bruno.pk}-{slots[0].pk} .hint")).to_be_visible()
    htmx_settled(page)  # the minutes field was just swapped in: as a person, read the hint first
    page.keyboard.press("Tab")
    page.keyboard.type("1h30")
    page.keyboard.press("Tab")
    expect(page.locator(f"#t-{bruno.pk}-{slots[0].pk}")).to_have_class("cell partial")
    expect(page.locator(f"#r-{bruno.pk}")).to_have_text("1,5")
    expect(page.locator(f"#r-{alice.pk}")).to_have_text("3,5")
    assert status_of(alice, slots[0]) == ("present", 210)
    assert status_of(alice, slots[1]) == ("absent", 0)
    assert status_of(bruno, slots[1]) == ("excused", 0)
    assert status_of(bruno, slots[0]) == ("partial", 90)
    # Each cell's menu is named by its learner and its slot, for a screen reader.
    expect(page.get_by_role("combobox", name=re.compile(r"Prénom\d* Arnaud")).first).to_be_visible()
    # Delete clears a cell.
    page.locator(f"#s-{alice.pk}-{slots[1].pk}").focus()
    page.keyboard.press("Delete")
    expect(page.locator(f"#t-{alice.pk}-{slots[1].pk}")).to_have_class(re.compile(r"^cell\s*$"))
    assert status_of(alice, slots[1]) is None


def test_attendance_recorded_with_the_keyboard_changes_the_bpf_hours(
    page, log_in, organization, admin_user
):
    """Before any entry the BPF counts the session's 14 hours; after a morning and an afternoon
    present and two half-days absent, the hours attended: 7."""
    session = make_session(
        organization,
        reference="S-BPF-EMARGEMENT",
        start_date=datetime.date(2025, 3, 3),
        end_date=datetime.date(2025, 3, 4),
    )
    slots = schedule(session)
    learner = make_enrollment(session, make_learner(organization, last_name="Carré"))
    log_in("admin")
    hours = page.locator('tr[data-key="F1.a"] a.figure').nth(1)
    page.goto("/bpf/?year=2025")
    expect(hours).to_have_text("14")
    page.goto(f"/attendance/sessions/{session.pk}/")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == f"s-{learner.pk}-{slots[0].pk}":
            break
    else:
        pytest.fail("the grid's first cell is not reachable with Tab")
    for index, key in enumerate("ppaa"):
        if index:
            page.keyboard.press("ArrowRight")
        page.keyboard.press(key)
        status = "present" if key == "p" else "absent"
        expect(page.locator(f"#t-{learner.pk}-{slots[index].pk}")).to_have_class(f"cell {status}")
    expect(page.locator(f"#r-{learner.pk}")).to_have_text("7")
    page.goto("/bpf/?year=2025")
    expect(hours).to_have_text("7")
    hours.click()  # the drill-down says where the hours come from
    expect(page.locator("#drill-panel .hours-source")).to_have_text("attendance")
