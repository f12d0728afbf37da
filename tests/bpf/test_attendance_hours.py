"""The BPF reads attendance (BPF.md, section F): a hand-computed example.

Calendar fiscal years. Slots of 3 h 30 (09:00–12:30, 13:30–17:00) or as said.

P  course A (NSF 326, RNCP 5) 03–05/03/2025, 6 slots of 3,5 h = 21 h, attendance recorded:
   L1 private employee (a), typed 5 h but present everywhere → 21 h (attendance wins)
   L2 private employee (a), drops out: present day 1 (7 h), absent day 2, day 3 left empty → 7 h
      (dropped out: counted with the hours attended; their empty cells are not missing)
   L3 job seeker (c), partly present 90 min in the first slot, present in the other 5 → 19 h
   L4 apprentice (b), absent everywhere, CPF 1 000 approved → not a learner of F (0 h); its
      money counts (line e); check `no_show_funded`: 1
   L12 private employee (a), enrolled, nothing entered → 0 h, not in F; check
      `attendance_not_recorded`: P (1 session)
Q  course B (NSF 312, other) 29/12/2025–02/01/2026, slots 09:00–12:00 (3 h) on 29, 30, 31/12
   and 02/01 = 12 h, 9 h in 2025 (calendar days would say 3/5), attendance recorded:
   L5 private employee (a), present everywhere, OPCO skills plan 1 200 → 2025: 9 h, money
      1 200 × 9/12 = 900; 2026: 3 h, 300
   L6 self-employed (e), present 29/12 only, then dropped out (cells left empty) → 2025: 3 h;
      not a learner of 2026
   L7 job seeker (c), absent in December, present 02/01 → not a learner of 2025; 2026: 3 h
R  course B 30/12/2025–02/01/2026, slots 09:00–13:00 (4 h) on 30, 31/12 and 02/01 = 12 h, 8 h in
   2025, no attendance recorded: shared by scheduled hours, 8/12 (days would say 2/4)
   L8 private employee (a), nothing typed, OPCO skills plan 600 → 2025: 8 h, 400; 2026: 4 h, 200
   L9 self-employed (e), typed 6 h → 2025: 6 × 8/12 = 4 h; 2026: 2 h
S  course A 02–03/06/2025, no schedule, 14 h: L10 (a) 14 h (the session's), L11 (a) typed 10 h

FY 2025
  F-1  a: L1 21 + L2 7 + L5 9 + L8 8 + L10 14 + L11 10 = 6 / 69   b: 0   c: L3 1 / 19   d: 0
       e: L6 3 + L9 4 = 2 / 7                                      total 9 / 95
  F-3  a_5 (course A) L1 L2 L3 L10 L11 = 5 / 71;  d (course B) L5 L6 L8 L9 = 4 / 24;  total 9 / 95
  F-4  326: 5 / 71;  312: 4 / 24;  total 9 / 95
  C    e 1 000 (L4);  h 900 + 400 = 1 300
FY 2026
  F-1  a: L5 3 + L8 4 = 2 / 7;  c: L7 1 / 3;  e: L9 1 / 2;  total 4 / 12;  C h 300 + 200 = 500
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from attendance import recording, schedule_services
from attendance.models import AttendanceStatus
from bpf.computation import compute_bpf
from bpf.drill import enrollment_rows, enrollments_for
from funding.types import FundingType
from learners.models import ProfessionalStatus
from tests.conftest import (
    assert_summaries_current,
    make_allocation,
    make_course,
    make_enrollment,
    make_learner,
    make_session,
)
from training.models import Objective, Outcome

pytestmark = pytest.mark.django_db

PRESENT, ABSENT, PARTIAL = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.ABSENT,
    AttendanceStatus.PARTIAL,
)
STATUS = ProfessionalStatus


def day(month_day: str) -> datetime.date:
    d, m, y = (int(part) for part in month_day.split("/"))
    return datetime.date(y, m, d)


def slots(session, dates, ranges):
    made = []
    for date in dates:
        for start, end in ranges:
            made.append(
                schedule_services.slot_create(
                    organization=session.organization,
                    session=session,
                    date=day(date),
                    start_time=datetime.time(*start),
                    end_time=datetime.time(*end),
                )
            )
    return made


def record(session, entries):
    recording.attendance_record(
        organization=session.organization,
        session=session,
        entries=[
            recording.Entry(slot.pk, enrollment.pk, status, minutes)
            for slot, enrollment, status, minutes in entries
        ],
        user=None,
    )


def enrol(session, status, **fields):
    learner = make_learner(session.organization, professional_status=status)
    return make_enrollment(session, learner, **fields)


HALF_DAYS = [((9, 0), (12, 30)), ((13, 30), (17, 0))]


@pytest.fixture
def example(organization):
    course_a = make_course(organization, nsf_code="326", objective=Objective.RNCP_5)
    course_b = make_course(organization, nsf_code="312", objective=Objective.OTHER)
    e = {}
    p = make_session(
        organization, course_a, start_date=day("03/03/2025"), end_date=day("05/03/2025")
    )
    p_slots = slots(p, ["03/03/2025", "04/03/2025", "05/03/2025"], HALF_DAYS)
    e["L1"] = enrol(p, STATUS.PRIVATE_EMPLOYEE, hours_attended=Decimal(5))
    e["L2"] = enrol(p, STATUS.PRIVATE_EMPLOYEE, outcome=Outcome.DROPPED_OUT)
    e["L3"] = enrol(p, STATUS.JOB_SEEKER)
    e["L4"] = enrol(p, STATUS.APPRENTICE)
    e["L12"] = enrol(p, STATUS.PRIVATE_EMPLOYEE)
    make_allocation(e["L4"], funding_type=FundingType.CPF, amount="1000.00")
    entries = [(slot, e["L1"], PRESENT, None) for slot in p_slots]
    entries += [(slot, e["L2"], PRESENT, None) for slot in p_slots[:2]]
    entries += [(slot, e["L2"], ABSENT, None) for slot in p_slots[2:4]]
    entries += [(p_slots[0], e["L3"], PARTIAL, 90)]
    entries += [(slot, e["L3"], PRESENT, None) for slot in p_slots[1:]]
    entries += [(slot, e["L4"], ABSENT, None) for slot in p_slots]
    record(p, entries)

    q = make_session(
        organization, course_b, start_date=day("29/12/2025"), end_date=day("02/01/2026")
    )
    q_slots = slots(
        q, ["29/12/2025", "30/12/2025", "31/12/2025", "02/01/2026"], [((9, 0), (12, 0))]
    )
    e["L5"] = enrol(q, STATUS.PRIVATE_EMPLOYEE)
    e["L6"] = enrol(q, STATUS.SELF_EMPLOYED, outcome=Outcome.DROPPED_OUT)
    e["L7"] = enrol(q, STATUS.JOB_SEEKER)
    make_allocation(e["L5"], funding_type=FundingType.OPCO_SKILLS_PLAN, amount="1200.00")
    entries = [(slot, e["L5"], PRESENT, None) for slot in q_slots]
    entries += [(q_slots[0], e["L6"], PRESENT, None)]
    entries += [(slot, e["L7"], ABSENT, None) for slot in q_slots[:3]]
    entries += [(q_slots[3], e["L7"], PRESENT, None)]
    record(q, entries)

    r = make_session(
        organization, course_b, start_date=day("30/12/2025"), end_date=day("02/01/2026")
    )
    slots(r, ["30/12/2025", "31/12/2025", "02/01/2026"], [((9, 0), (13, 0))])
    e["L8"] = enrol(r, STATUS.PRIVATE_EMPLOYEE)
    e["L9"] = enrol(r, STATUS.SELF_EMPLOYED, hours_attended=Decimal(6))
    make_allocation(e["L8"], funding_type=FundingType.OPCO_SKILLS_PLAN, amount="600.00")

    s = make_session(
        organization,
        course_a,
        start_date=day("02/06/2025"),
        end_date=day("03/06/2025"),
        hours=Decimal(14),
    )
    e["L10"] = enrol(s, STATUS.PRIVATE_EMPLOYEE)
    e["L11"] = enrol(s, STATUS.PRIVATE_EMPLOYEE, hours_attended=Decimal(10))
    return {"sessions": (p, q, r, s), "enrollments": e}


def figures(mapping):
    return {key: (figure.learners, figure.hours) for key, figure in mapping.items()}


def test_hours_are_the_hours_attended(organization, example):
    p, q, r, _s = example["sessions"]
    e = example["enrollments"]
    e["L1"].refresh_from_db()
    assert e["L1"].hours_recorded == Decimal("21.00")
    report = compute_bpf(organization, 2025)
    assert figures(report.f1) == {
        "a": (6, 69),
        "b": (0, 0),
        "c": (1, 19),
        "d": (0, 0),
        "e": (2, 7),
        "unclassified": (0, 0),
        "total": (9, 95),
    }
    assert report.f1["total"].exact_hours == Decimal(95)
    assert (report.f3["a_5"].learners, report.f3["a_5"].hours) == (5, 71)
    assert (report.f3["d"].learners, report.f3["d"].hours) == (4, 24)
    assert [(s.code, s.figure.learners, s.figure.hours) for s in report.f4] == [
        ("326", 5, 71),
        ("312", 4, 24),
    ]
    for total in (report.f3["total"], report.f4_total):
        assert (total.learners, total.hours) == (9, 95)
    assert report.c["e"].value == 1000  # the no-show's money counts
    assert report.c["h"].value == 1300  # shared by scheduled hours: 900 + 400
    assert_summaries_current(p, q, r)


def test_the_next_year_gets_the_rest_of_the_straddling_sessions(organization, example):
    report = compute_bpf(organization, 2026)
    assert figures(report.f1) == {
        "a": (2, 7),
        "b": (0, 0),
        "c": (1, 3),
        "d": (0, 0),
        "e": (1, 2),
        "unclassified": (0, 0),
        "total": (4, 12),
    }
    assert (report.f3["total"].learners, report.f3["total"].hours) == (4, 12)
    assert (report.f4_total.learners, report.f4_total.hours) == (4, 12)
    assert report.c["h"].value == 500


def test_drill_down_rows_add_up_and_say_where_hours_come_from(organization, example):
    e = example["enrollments"]
    report = compute_bpf(organization, 2025)
    for key in ("F1.a", "F1.c", "F1.e", "F1.total", "F3.d", "F4.312"):
        rows = enrollment_rows(report, enrollments_for(organization, report, key))
        figure = {
            "F1.a": report.f1["a"],
            "F1.c": report.f1["c"],
            "F1.e": report.f1["e"],
            "F1.total": report.f1["total"],
            "F3.d": report.f3["d"],
            "F4.312": report.f4[1].figure,
        }[key]
        assert len(rows) == figure.learners, key
        assert sum(row.hours for row in rows) == figure.exact_hours, key
    rows = enrollment_rows(report, enrollments_for(organization, report, "F1.total"))
    by_enrollment = {row.enrollment.pk: row for row in rows}
    assert e["L4"].pk not in by_enrollment and e["L7"].pk not in by_enrollment
    sources = {
        name: by_enrollment[e[name].pk].source for name in ("L1", "L5", "L8", "L9", "L10", "L11")
    }
    assert sources == {
        "L1": "attendance",
        "L5": "attendance",
        "L8": "session",
        "L9": "typed",
        "L10": "session",
        "L11": "typed",
    }
    assert by_enrollment[e["L5"].pk].hours == Decimal(9)
    assert by_enrollment[e["L9"].pk].hours == Decimal(4)


def test_clearing_every_entry_gives_the_session_its_typed_hours_back(organization, example):
    p = example["sessions"][0]
    e = example["enrollments"]
    cleared = [
        (slot, enrollment, "", None)
        for slot in p.time_slots.all()
        for enrollment in (e["L1"], e["L2"], e["L3"], e["L4"])
    ]
    record(p, cleared)
    e["L1"].refresh_from_db()
    assert e["L1"].hours_recorded is None
    report = compute_bpf(organization, 2025)
    # P: L1 typed 5, L2 L3 L4 L12 the session's 21 each (L4 and L12 are learners again).
    assert report.f3["a_5"].exact_hours == Decimal(5 + 21 * 4 + 14 + 10)
    assert report.f1["total"].learners == 11


def test_drill_page_shows_where_hours_come_from(admin_client, organization, example):
    from django.urls import reverse

    p = example["sessions"][0]
    response = admin_client.get(reverse("bpf:drill", args=[2025, "F1.a"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hours from" in html
    assert reverse("attendance:grid", args=[p.pk]) in html  # attendance links to the grid
    assert "typed on the enrollment" in html and "the session's hours" in html
    assert "8/12 scheduled hours" in html  # R's learner, shared by the slots of the year
    assert "attended on the year's slots" in html  # Q's learner, attendance recorded
    page = admin_client.get(reverse("bpf:report") + "?year=2025").content.decode()
    assert "split by the dates of its slots rather than its days" in page  # the help text


def test_checks_no_show_funded_and_attendance_not_recorded(organization, example):
    from django.urls import reverse

    p = example["sessions"][0]
    checks = {check.code: check for check in compute_bpf(organization, 2025).checks}
    no_show = checks["no_show_funded"]
    assert (no_show.severity, no_show.count) == ("warning", 1)
    assert no_show.message.startswith("1 learner attended none of their session")
    assert no_show.links[0].url == reverse("funding:list") + f"?session={p.pk}"
    gap = checks["attendance_not_recorded"]
    assert (gap.severity, gap.count) == ("warning", 1)  # P (L12); L2 and L6 dropped out
    assert gap.links[0].url == reverse("attendance:grid", args=[p.pk])
    assert "count 0 hours" in gap.message
    assert {"no_show_funded", "attendance_not_recorded"}.isdisjoint(
        check.code for check in compute_bpf(organization, 2026).checks
    )
    # Recording L12's cells (absent) ends the gap; the no-show count follows the funding.
    record(p, [(slot, example["enrollments"]["L12"], ABSENT, None) for slot in p.time_slots.all()])
    codes = {check.code for check in compute_bpf(organization, 2025).checks}
    assert "attendance_not_recorded" not in codes and "no_show_funded" in codes


def test_check_messages_in_french(organization, example, french):
    checks = {check.code: check for check in compute_bpf(organization, 2025).checks}
    assert checks["no_show_funded"].message.startswith("1 stagiaire")
    assert "0 heure" in checks["attendance_not_recorded"].message


def test_a_future_slot_left_empty_is_not_missing(organization):
    from django.utils import timezone

    today = timezone.localdate()
    session = make_session(organization, start_date=today, end_date=today + datetime.timedelta(1))
    first, _second = slots(
        session,
        [f"{d:%d/%m/%Y}" for d in (today, today + datetime.timedelta(1))],
        [((9, 0), (12, 0))],
    )
    learner = enrol(session, STATUS.PRIVATE_EMPLOYEE)
    record(session, [(first, learner, PRESENT, None)])
    codes = {
        check.code for check in compute_bpf(organization, organization.fiscal_year_of(today)).checks
    }
    assert "attendance_not_recorded" not in codes
