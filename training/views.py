from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certeef.access import get_for_organization, member_required
from certeef.history import changes_of
from certeef.http import OrganizationRequest
from certeef.lists import list_page, paginate, search_query
from training import services
from training.forms import (
    CourseForm,
    EnrollmentCreateForm,
    EnrollmentForm,
    SessionFilterForm,
    SessionForm,
    enrol_suggestions,
)
from training.models import Course, Enrollment, Outcome, Session
from training.session_page import session_sections

# Cancelled enrollments are kept for the record but do not count as enrolled learners.
ENROLLED_COUNT = Count("enrollments", filter=~Q(enrollments__outcome=Outcome.CANCELLED))


def _attach_enrolled_counts(sessions: Sequence[Session]) -> None:
    """Enrolled (not cancelled) learners of one page's sessions, in one query: counting after
    pagination keeps the list's cost independent of the number of sessions."""
    counts = dict(
        Enrollment.objects.filter(session_id__in=[session.pk for session in sessions])
        .not_cancelled()
        .order_by()
        .values("session_id")
        .annotate(count=Count("pk"))
        .values_list("session_id", "count")
    )
    for session in sessions:
        # The name course_detail annotates (mypy's Django plugin then refuses it as a declared
        # attribute of Session): one template reads both.
        session.enrolled_count = counts.get(session.pk, 0)  # type: ignore[attr-defined]


# Courses


@member_required()
def course_list(request: OrganizationRequest) -> HttpResponse:
    query = search_query(request)
    courses = (
        Course.objects.filter(organization=request.organization)
        .search(query)
        .annotate(session_count=Count("sessions"))
        # Meta.ordering does not apply to aggregated queries: order explicitly.
        .order_by("title", "pk")
    )
    return list_page(request, "training/course_list.html", paginate(request, courses), query=query)


@member_required()
def course_detail(request: OrganizationRequest, pk: int) -> HttpResponse:
    course = get_for_organization(request, Course, pk)
    sessions = course.sessions.annotate(enrolled_count=ENROLLED_COUNT).order_by("-start_date", "pk")
    context: dict[str, object] = {"course": course, "sessions": sessions}
    if request.membership.is_administrator:
        context["history"] = changes_of(course)
    return render(request, "training/course_detail.html", context)


@member_required(admin=True)
def course_create(request: OrganizationRequest) -> HttpResponse:
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        course = form.save(commit=False)
        course.organization = request.organization
        services.course_save(course=course)
        messages.success(request, _("Course %(name)s created.") % {"name": course})
        return redirect("training:course_detail", pk=course.pk)
    return render(request, "training/course_form.html", {"form": form})


@member_required(admin=True)
def course_edit(request: OrganizationRequest, pk: int) -> HttpResponse:
    course = get_for_organization(request, Course, pk)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        services.course_save(course=form.save(commit=False))
        messages.success(request, _("Course %(name)s saved.") % {"name": course})
        return redirect("training:course_detail", pk=course.pk)
    return render(request, "training/course_form.html", {"form": form, "course": course})


# Sessions


@member_required()
def session_list(request: OrganizationRequest) -> HttpResponse:
    query = search_query(request)
    period = SessionFilterForm(request.GET)
    sessions = (
        Session.objects.filter(organization=request.organization)
        .select_related("course")
        .search(query)
        .order_by("-start_date", "pk")
    )
    if period.is_valid():
        # Sessions that overlap the period, so one straddling its bounds is listed too.
        if period.cleaned_data["start"]:
            sessions = sessions.filter(end_date__gte=period.cleaned_data["start"])
        if period.cleaned_data["end"]:
            sessions = sessions.filter(start_date__lte=period.cleaned_data["end"])
    page = paginate(request, sessions)
    _attach_enrolled_counts(page)
    return list_page(request, "training/session_list.html", page, query=query, period=period)


def _session_page(
    request: OrganizationRequest, session: Session, enroll_form: EnrollmentCreateForm | None = None
) -> HttpResponse:
    enrollments = session.enrollments.select_related("learner")
    context: dict[str, object] = {"session": session, "enrollments": enrollments}
    if request.membership.is_administrator:
        context["enroll_form"] = enroll_form or EnrollmentCreateForm(session=session)
        context["learner_query"] = learner_query = search_query(request, "learner_q")
        context["suggestions"] = enrol_suggestions(session, learner_query)
    # What the apps above training add (the funding of each learner): only the sections this
    # member may see are computed (training/session_page.py).
    context["sections"] = session_sections.rendered(request, request.membership, session)
    if request.membership.is_administrator:
        context["history"] = changes_of(session)
    return render(request, "training/session_detail.html", context)


@member_required()
def session_detail(request: OrganizationRequest, pk: int) -> HttpResponse:
    session = get_for_organization(request, Session.objects.select_related("course"), pk)
    return _session_page(request, session)


@member_required(admin=True)
def session_create(request: OrganizationRequest) -> HttpResponse:
    form = SessionForm(
        request.POST or None,
        organization=request.organization,
        initial={"course": request.GET.get("course")},
    )
    if request.method == "POST" and form.is_valid():
        session = form.save(commit=False)
        session.organization = request.organization
        services.session_save(session=session)
        messages.success(request, _("Session %(name)s created.") % {"name": session})
        return redirect("training:session_detail", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form})


@member_required(admin=True)
def session_edit(request: OrganizationRequest, pk: int) -> HttpResponse:
    session = get_for_organization(request, Session.objects.select_related("course"), pk)
    form = SessionForm(request.POST or None, instance=session, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        services.session_save(session=form.save(commit=False))
        messages.success(request, _("Session %(name)s saved.") % {"name": session})
        return redirect("training:session_detail", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form, "session": session})


# Enrollments


@member_required(admin=True)
def enrollment_suggestions(request: OrganizationRequest, pk: int) -> HttpResponse:
    """As the administrator types a learner's name on the session page: who can be enrolled."""
    session = get_for_organization(request, Session, pk)
    learner_query = search_query(request, "learner_q")
    context = {
        "session": session,
        "learner_query": learner_query,
        "suggestions": enrol_suggestions(session, learner_query),
    }
    return render(request, "training/session_detail.html#enrol_suggestions", context)


@member_required(admin=True)
@require_POST
def enrollment_create(request: OrganizationRequest, pk: int) -> HttpResponse:
    session = get_for_organization(request, Session.objects.select_related("course"), pk)
    form = EnrollmentCreateForm(request.POST, session=session)
    if form.is_valid():
        try:
            enrollment = services.enrollment_create(
                organization=request.organization,
                session=session,
                learner=form.cleaned_data["learner"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(learner)s enrolled.") % {"learner": enrollment.learner})
            return redirect("training:session_detail", pk=session.pk)
    return _session_page(request, session, enroll_form=form)


@member_required(admin=True)
def enrollment_edit(request: OrganizationRequest, pk: int) -> HttpResponse:
    enrollment = get_for_organization(
        request, Enrollment.objects.select_related("learner", "session__course"), pk
    )
    form = EnrollmentForm(request.POST or None, instance=enrollment)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_update(
                organization=request.organization,
                enrollment=enrollment,
                **{name: form.cleaned_data[name] for name in EnrollmentForm.Meta.fields},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Enrollment of %(learner)s saved.") % {"learner": enrollment.learner}
            )
            return redirect("training:session_detail", pk=enrollment.session_id)
    context = {"form": form, "enrollment": enrollment, "history": changes_of(enrollment)}
    return render(request, "training/enrollment_form.html", context)


@member_required(admin=True)
@require_POST
def enrollment_delete(request: OrganizationRequest, pk: int) -> HttpResponse:
    enrollment = get_for_organization(request, Enrollment.objects.select_related("learner"), pk)
    try:
        services.enrollment_delete(organization=request.organization, enrollment=enrollment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(learner)s un-enrolled.") % {"learner": enrollment.learner})
    return redirect("training:session_detail", pk=enrollment.session_id)
