"""Every write to courses, sessions and enrollments. Views, the admin, seed commands and tests
call these.

Each function is keyword-only and runs in one transaction. The enrollment ones check that
everything belongs to the organisation they act for and validate fully; courses and sessions are
validated by their forms. Each keeps the BPF summaries of the sessions it touches current
(funding/summaries.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from funding.models import FundingAllocation
from funding.summaries import refresh_course_summaries, refresh_session_summaries
from training.models import Course, Enrollment, Session

if TYPE_CHECKING:
    from certeef.models import Organization
    from learners.models import Learner


def _already_enrolled_error() -> ValidationError:
    return ValidationError({"learner": _("This learner is already enrolled in this session.")})


def _check_organization(organization: Organization, *objects) -> None:
    # A programming error, not a user error: views only hand over objects of their organisation.
    for obj in objects:
        if obj.organization_id != organization.pk:
            raise ValidationError(_("This object belongs to another organisation."))


@transaction.atomic
def enrollment_create(
    *,
    organization: Organization,
    session: Session,
    learner: Learner,
    hours_attended: Decimal | None = None,
    cancelled: bool = False,
    trainee_type_override: str = "",
) -> Enrollment:
    _check_organization(organization, session, learner)
    if Enrollment.objects.filter(session=session, learner=learner).exists():
        raise _already_enrolled_error()
    enrollment = Enrollment(
        organization=organization,
        session=session,
        learner=learner,
        hours_attended=hours_attended,
        cancelled=cancelled,
        trainee_type_override=trainee_type_override,
    )
    enrollment.full_clean()
    try:
        # A savepoint, so that losing a race with a simultaneous enrolment leaves the outer
        # transaction usable and the user gets the same clear message.
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as error:
        raise _already_enrolled_error() from error
    refresh_session_summaries([session.pk])
    return enrollment


@transaction.atomic
def enrollment_update(
    *,
    organization: Organization,
    enrollment: Enrollment,
    hours_attended: Decimal | None,
    cancelled: bool,
    trainee_type_override: str,
) -> Enrollment:
    _check_organization(organization, enrollment)
    enrollment.hours_attended = hours_attended
    enrollment.cancelled = cancelled
    enrollment.trainee_type_override = trainee_type_override
    enrollment.full_clean()
    enrollment.save(update_fields=["hours_attended", "cancelled", "trainee_type_override"])
    # Hours, override and cancellation all change the session's BPF summaries (a cancelled
    # enrollment and its allocations count nowhere).
    refresh_session_summaries([enrollment.session_id])
    return enrollment


@transaction.atomic
def enrollment_delete(*, organization: Organization, enrollment: Enrollment) -> None:
    """Un-enrol. Refused while funding is recorded for this learner in this session: the
    allocations would point at an enrollment that no longer exists."""
    _check_organization(organization, enrollment)
    # Lock the enrollment so that it cannot be removed while funding is being added for it.
    Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
    if FundingAllocation.objects.filter(
        session_id=enrollment.session_id, learner_id=enrollment.learner_id
    ).exists():
        raise ValidationError(
            _(
                "%(learner)s cannot be un-enrolled: funding is recorded for this session. "
                "Mark the enrollment as cancelled instead."
            )
            % {"learner": enrollment.learner}
        )
    enrollment.delete()
    refresh_session_summaries([enrollment.session_id])


@transaction.atomic
def course_save(*, course: Course) -> Course:
    """Save a new or edited course (validated by its form). The BPF over-funding check compares
    with its price: its sessions' summaries follow."""
    course.save()
    refresh_course_summaries(course)
    return course


@transaction.atomic
def session_save(*, session: Session) -> Session:
    """Save a new or edited session (validated by its form). Its course may have changed, and
    with it the price its summaries compare with."""
    session.save()
    refresh_session_summaries([session.pk])
    return session
