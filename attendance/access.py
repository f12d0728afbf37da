"""Who may record attendance and print a session's documents.

Administrators: every session of their organisation. Trainers: the sessions they are assigned to.
Another organisation's session is a 404 (certeef.access: existence is not leaked). A session of
the trainer's own organisation that is not theirs is a 403: the trainer may read that session's
page (every member reads sessions), so its existence is no secret — they may not act on it, which
is what 403 says everywhere else in Certeef (a trainer on an administrators-only page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from attendance.models import SessionTrainer
from certeef.access import get_for_organization
from training.models import Enrollment, Session

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from certeef.http import OrganizationRequest
    from certeef.models import Membership


def is_assigned(membership: Membership, session_id: int) -> bool:
    return SessionTrainer.objects.filter(membership=membership, session_id=session_id).exists()


def may_record(membership: Membership, session_id: int) -> bool:
    """Whether this member may record the session's attendance and print its documents."""
    return membership.is_administrator or is_assigned(membership, session_id)


def assigned_session_ids(membership: Membership, session_ids: list[int]) -> set[int]:
    """Among these sessions, those this member may record (one query for a trainer)."""
    if membership.is_administrator:
        return set(session_ids)
    return set(
        SessionTrainer.objects.filter(
            membership=membership, session_id__in=session_ids
        ).values_list("session_id", flat=True)
    )


def get_session_to_record(
    request: OrganizationRequest, pk: int, queryset: QuerySet[Session] | None = None
) -> Session:
    """The session, if this member may record its attendance: else 404 (another organisation's)
    or 403 (a trainer not assigned to it)."""
    session = get_for_organization(request, queryset if queryset is not None else Session, pk)
    if not may_record(request.membership, session.pk):
        raise PermissionDenied
    return session


def get_enrollment_to_record(request: OrganizationRequest, pk: int) -> Enrollment:
    enrollment = get_for_organization(
        request,
        Enrollment.objects.select_related(
            "learner__employer", "session__course", "session__organization"
        ),
        pk,
    )
    if not may_record(request.membership, enrollment.session_id):
        raise PermissionDenied
    return enrollment
