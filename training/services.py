"""Every write to courses, sessions and enrollments. Views, the admin, seed commands and tests
call these.

Each function is keyword-only and runs in one transaction. The enrollment ones check that
everything belongs to the organisation they act for and validate fully; courses and sessions are
validated by their forms. Each one changes sessions' figures, so each goes through the entry
point `training.changes.changing_sessions`: the sessions are locked before anything is written,
and their summaries are refreshed at the end of the write.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from training.changes import changing_sessions
from training.models import Course, Enrollment, Outcome, Session

if TYPE_CHECKING:
    from certeef.models import Organization, OrganizationOwned
    from learners.models import Learner


def _already_enrolled_error() -> ValidationError:
    return ValidationError({"learner": _("This learner is already enrolled in this session.")})


def _check_organization(organization: Organization, *objects: OrganizationOwned) -> None:
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
    outcome: str = Outcome.ENROLLED,
    trainee_type_override: str = "",
    professional_status: str | None = None,
) -> Enrollment:
    """Enrol a learner. Their professional status at the time of the training is the learner's
    current one unless given."""
    _check_organization(organization, session, learner)
    with changing_sessions([session.pk]):
        if Enrollment.objects.filter(session=session, learner=learner).exists():
            raise _already_enrolled_error()
        enrollment = Enrollment(
            organization=organization,
            session=session,
            learner=learner,
            hours_attended=hours_attended,
            outcome=outcome,
            trainee_type_override=trainee_type_override,
            professional_status=(
                learner.professional_status if professional_status is None else professional_status
            ),
        )
        enrollment.full_clean()
        check_drop_out_hours(enrollment)
        try:
            # A savepoint, so that losing a race with a simultaneous enrolment leaves the outer
            # transaction usable and the user gets the same clear message.
            with transaction.atomic():
                enrollment.save()
        except IntegrityError as error:
            raise _already_enrolled_error() from error
    return enrollment


@transaction.atomic
def enrollment_update(
    *,
    organization: Organization,
    enrollment: Enrollment,
    hours_attended: Decimal | None,
    outcome: str,
    trainee_type_override: str,
    professional_status: str | None = None,
) -> Enrollment:
    """Change what the administrator types on an enrollment. A professional status of None keeps
    the one stored."""
    _check_organization(organization, enrollment)
    # Hours, override and outcome all change the session's figures (a cancelled enrollment and
    # its allocations count nowhere; a drop-out counts the hours it followed).
    with changing_sessions([enrollment.session_id]):
        enrollment.hours_attended = hours_attended
        enrollment.outcome = outcome
        enrollment.trainee_type_override = trainee_type_override
        if professional_status is not None:
            enrollment.professional_status = professional_status
        enrollment.full_clean()
        check_drop_out_hours(enrollment)
        enrollment.save(
            update_fields=[
                "hours_attended",
                "outcome",
                "trainee_type_override",
                "professional_status",
            ]
        )
    return enrollment


def has_attendance_record(session_id: int | None) -> bool:
    """Whether any slot of the session has an attendance entry (BPF.md, section F): from then on
    each learner's hours are those recorded. Read through the reverse relations, so that training
    imports nothing of attendance, which sits above it."""
    if session_id is None:
        return False
    return Session.objects.filter(pk=session_id, time_slots__attendances__isnull=False).exists()


def check_drop_out_hours(enrollment: Enrollment) -> None:
    """A drop-out counts the hours it followed: until the session's attendance is recorded, they
    are the hours typed on the enrollment, so they must be typed (else the whole session's hours
    would be counted)."""
    if (
        enrollment.outcome == Outcome.DROPPED_OUT
        and enrollment.hours_attended is None
        and not has_attendance_record(enrollment.session_id)
    ):
        raise ValidationError({"hours_attended": drop_out_hours_message()})


def drop_out_hours_message() -> str:
    return _(
        "A learner who dropped out counts the hours they followed: type them (the session's "
        "attendance is not recorded)."
    )


@transaction.atomic
def enrollment_delete(*, organization: Organization, enrollment: Enrollment) -> None:
    """Un-enrol. Refused while funding is recorded for this learner in this session: the
    allocations would point at an enrollment that no longer exists."""
    _check_organization(organization, enrollment)
    # The session's lock also keeps funding from being added for this learner meanwhile: every
    # allocation write locks its session first.
    with changing_sessions([enrollment.session_id]):
        if has_funding(enrollment):
            raise ValidationError(
                _(
                    "%(learner)s cannot be un-enrolled: funding is recorded for this session. "
                    "Set the enrollment's outcome to Cancelled instead."
                )
                % {"learner": enrollment.learner}
            )
        enrollment.delete()


def has_funding(enrollment: Enrollment) -> bool:
    """Whether funding is recorded for this enrollment (any status).

    Read through the enrollment's reverse relation to its allocations, so that training needs no
    import of funding, which sits above it. The database refuses the deletion too (the
    allocation's foreign key): this check gives the user the reason first."""
    return enrollment.allocations.exists()


@transaction.atomic
def course_save(*, course: Course) -> Course:
    """Save a new or edited course (validated by its form). The BPF over-funding check compares
    with its price: its sessions' summaries follow."""
    sessions = Session.objects.filter(course_id=course.pk) if course.pk else Session.objects.none()
    with changing_sessions(sessions.values_list("pk", flat=True)):
        course.save()
    return course


@transaction.atomic
def session_save(*, session: Session) -> Session:
    """Save a new or edited session (validated by its form). Its course may have changed, and
    with it the price its summaries compare with."""
    # A new session has no figures yet: there is nothing to lock or refresh.
    with changing_sessions([session.pk]):
        session.save()
    return session
