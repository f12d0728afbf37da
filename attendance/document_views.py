"""Downloads of a session's sign-in sheets and certificates of completion (administrators, and
the trainers assigned to the session)."""

from __future__ import annotations

import datetime

from django.http import Http404, HttpResponse

from attendance.access import get_enrollment_to_record, get_session_to_record
from attendance.documents import (
    CONTENT_TYPE,
    certificate_name,
    certificates,
    certificates_name,
    certificates_pdf,
    sign_in_sheet,
    sign_in_sheet_name,
    sign_in_sheet_pdf,
)
from attendance.selectors import grid_enrollments
from certeef.access import member_required
from certeef.http import OrganizationRequest
from training.models import Session


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    # inline: it opens in the browser's viewer, from which it prints or downloads.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise Http404("Not a date") from error


@member_required()
def sign_in_sheet_view(request: OrganizationRequest, pk: int) -> HttpResponse:
    """?day=2025-09-14 for a day, ?week=2025-09-14 for the week (Monday to Sunday) of a date."""
    session = get_session_to_record(
        request, pk, Session.objects.select_related("course", "organization")
    )
    if request.GET.get("week"):
        day = _date(request.GET["week"])
        first = day - datetime.timedelta(days=day.weekday())
        last = first + datetime.timedelta(days=6)
    elif request.GET.get("day"):
        first = last = _date(request.GET["day"])
    else:
        first, last = session.start_date, session.end_date
    sheet = sign_in_sheet(session, first, last)
    if not sheet.columns:
        raise Http404("No slot in this period")
    return _pdf(sign_in_sheet_pdf(sheet), sign_in_sheet_name(sheet))


@member_required()
def certificates_view(request: OrganizationRequest, pk: int) -> HttpResponse:
    """One certificate per learner of the session (cancelled enrollments have none), one PDF."""
    session = get_session_to_record(
        request, pk, Session.objects.select_related("course", "organization")
    )
    enrollments = grid_enrollments(session=session)
    for enrollment in enrollments:
        enrollment.session = session
    if not enrollments:
        raise Http404("No learner")
    content = certificates_pdf(session, certificates(enrollments))
    return _pdf(content, certificates_name(session))


@member_required()
def certificate_view(request: OrganizationRequest, pk: int) -> HttpResponse:
    enrollment = get_enrollment_to_record(request, pk)
    if enrollment.is_cancelled:
        raise Http404("Cancelled enrollment")
    content = certificates_pdf(enrollment.session, certificates([enrollment]))
    return _pdf(content, certificate_name(enrollment))
