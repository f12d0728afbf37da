"""Sign-in sheets and certificates of completion: PDFs whose text names the learners and their
hours, in French whatever the interface's language, for the session's administrators and
trainers only."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PageObject, PdfReader

from attendance import recording
from attendance.models import AttendanceStatus
from tests.attendance.conftest import assign
from tests.conftest import make_company, make_enrollment, make_learner
from training.models import Objective

pytestmark = pytest.mark.django_db


def pdf_text(response) -> tuple[str, Sequence[PageObject]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), reader.pages


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


@pytest.fixture
def documented(organization, scheduled):
    organization.nda = "11755555575"
    organization.city = "Lyon"
    organization.save()
    session, slots, enrollments = scheduled
    first, second, third = (e.learner for e in enrollments)
    first.last_name, first.first_name = "Martin", "Léa"
    first.employer = make_company(organization, name="Boulangerie Durand")
    second.last_name, second.first_name = "Petit", "Hugo"
    third.last_name, third.first_name = "Roux", "Inès"
    for learner in (first, second, third):
        learner.save()
    return session, slots, enrollments


def test_blank_sign_in_sheet_before_attendance(admin_client, documented):
    session, _slots, _enrollments = documented
    url = reverse("attendance:sign_in_sheet", args=[session.pk]) + "?day=2025-03-03"
    response = admin_client.get(url)
    text, pages = pdf_text(response)
    assert "FEUILLE D'ÉMARGEMENT" in text.upper()
    assert session.course.title in text
    for name in ("MARTIN Léa", "PETIT Hugo", "ROUX Inès"):
        assert name in text
    assert "Matin" in text and "Après-midi" in text
    assert "09:00–12:30" in text and "13:30–17:00" in text
    assert "Signature du formateur" in text
    assert "Présent" not in text  # blank: to be signed
    width, height = pages[0].mediabox.width, pages[0].mediabox.height
    assert (round(float(width) * 25.4 / 72), round(float(height) * 25.4 / 72)) == (210, 297)
    assert 'filename="emargement-' in response["Content-Disposition"]


def test_week_sheet_with_recorded_attendance_and_hours(admin_client, documented):
    session, slots, (first, second, third) = documented
    record(
        session,
        [
            (slots[0], first, AttendanceStatus.PRESENT, None),
            (slots[1], first, AttendanceStatus.PRESENT, None),
            (slots[0], second, AttendanceStatus.PARTIAL, 90),
            (slots[1], second, AttendanceStatus.ABSENT, None),
            (slots[0], third, AttendanceStatus.EXCUSED, None),
        ],
    )
    url = reverse("attendance:sign_in_sheet", args=[session.pk]) + "?week=2025-03-05"
    text, pages = pdf_text(admin_client.get(url))
    assert "du 03/03/2025 au 09/03/2025" in text
    assert "Présent(e) en partie : 1 h 30" in text
    assert "Absent(e)" in text and "Absence excusée" in text
    # Each learner's hours over the week.
    assert "MARTIN Léa Présent(e) Présent(e) 7 h" in text
    assert "1,5 h" in text
    # Four half-days: landscape.
    assert float(pages[0].mediabox.width) > float(pages[0].mediabox.height)


def test_certificates_of_completion(admin_client, documented, settings):
    session, slots, (first, second, _third) = documented
    record(
        session,
        [(slot, first, AttendanceStatus.PRESENT, None) for slot in slots]
        + [(slots[0], second, AttendanceStatus.PRESENT, None)]
        + [(slots[1], second, AttendanceStatus.PARTIAL, 60)],
    )
    url = reverse("attendance:certificates", args=[session.pk])
    text, pages = pdf_text(admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert len(pages) == 3  # one per learner
    for expected in (
        "CERTIFICAT DE RÉALISATION",
        "représentant légal du dispensateur de l'action concourant au développement des "
        "compétences",
        "11755555575",
        "Léa MARTIN",
        "salarié(e) de l'entreprise Boulangerie Durand",
        f"a suivi l'action {session.course.title}",
        "article L. 6313-1",
        "☒ action de formation",
        "qui s'est déroulée du 03/03/2025 au 04/03/2025",
        "pour une durée de 14 heures",
        "Hugo PETIT",
        "pour une durée de 4,5 heures",
        "Inès ROUX",
        "pour une durée de 0 heures",  # attendance recorded, none for her
        "conserver l'ensemble des pièces justificatives",
        "Fait à : Lyon",
    ):
        assert expected in text, expected


def test_certificate_of_one_learner_hours_typed_or_from_the_session(admin_client, organization):
    from tests.conftest import make_course, make_session

    course = make_course(organization, objective=Objective.SKILLS_ASSESSMENT)
    session = make_session(organization, course=course, hours=Decimal("24"))
    typed = make_enrollment(session, make_learner(organization), hours_attended=Decimal("12.5"))
    whole = make_enrollment(session)
    text, _pages = pdf_text(admin_client.get(reverse("attendance:certificate", args=[typed.pk])))
    assert "pour une durée de 12,5 heures" in text
    assert "☒ bilan de compétences" in text
    text, _pages = pdf_text(admin_client.get(reverse("attendance:certificate", args=[whole.pk])))
    assert "pour une durée de 24 heures" in text


def test_documents_for_administrators_and_the_sessions_trainers_only(
    client_for, trainer_user, other_admin_user, documented
):
    session, _slots, (first, _second, _third) = documented
    urls = [
        reverse("attendance:sign_in_sheet", args=[session.pk]) + "?day=2025-03-03",
        reverse("attendance:certificates", args=[session.pk]),
        reverse("attendance:certificate", args=[first.pk]),
    ]
    trainer, other = client_for(trainer_user), client_for(other_admin_user)
    for url in urls:
        assert trainer.get(url).status_code == 403
        assert other.get(url).status_code == 404
    assign(session, trainer_user)
    for url in urls:
        assert trainer.get(url).status_code == 200


def test_links_on_the_session_and_learner_pages(client_for, admin_user, trainer_user, documented):
    session, _slots, (first, _second, _third) = documented
    admin = client_for(admin_user)
    page = admin.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert reverse("attendance:certificates", args=[session.pk]) in page
    assert reverse("attendance:sign_in_sheet", args=[session.pk]) in page
    learner_page = reverse("learners:detail", args=[first.learner_id])
    assert (
        reverse("attendance:certificate", args=[first.pk])
        in admin.get(learner_page).content.decode()
    )
    # A trainer sees the links of their own sessions only.
    trainer = client_for(trainer_user)
    assert (
        reverse("attendance:certificate", args=[first.pk])
        not in trainer.get(learner_page).content.decode()
    )
    assign(session, trainer_user)
    assert (
        reverse("attendance:certificate", args=[first.pk])
        in trainer.get(learner_page).content.decode()
    )


def test_hours_followed_come_from_attendance_then_typed_then_the_session(organization, scheduled):
    from attendance.selectors import FROM_ATTENDANCE, FROM_SESSION, FROM_TYPED, followed_hours
    from tests.conftest import make_session

    session, slots, (first, second, _third) = scheduled
    other = make_session(organization, hours=Decimal("10"))
    typed = make_enrollment(other, hours_attended=Decimal("4"))
    whole = make_enrollment(other)
    hours = followed_hours(enrollments=[first, second, typed, whole])
    assert hours[first.pk].source == hours[second.pk].source == FROM_SESSION  # nothing recorded
    assert hours[first.pk].hours == Decimal("14.00")  # the schedule's hours
    record(session, [(slots[0], first, AttendanceStatus.PARTIAL, 100)])
    hours = followed_hours(enrollments=[first, second, typed, whole])
    # Once anything is recorded, a slot without an entry counts 0.
    assert hours[first.pk] == type(hours[first.pk])(Decimal("1.67"), FROM_ATTENDANCE, 100)
    assert hours[second.pk].hours == 0 and hours[second.pk].source == FROM_ATTENDANCE
    assert hours[typed.pk].hours == Decimal("4") and hours[typed.pk].source == FROM_TYPED
    assert hours[whole.pk].hours == Decimal("10") and hours[whole.pk].source == FROM_SESSION
