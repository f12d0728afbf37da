"""Who records a session's attendance: the trainers an administrator assigns to it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attendance.models import SessionTrainer
from attendance.service_checks import check_organization
from certeef.models import Role
from training.changes import changing_sessions

if TYPE_CHECKING:
    from certeef.models import Membership, Organization
    from training.models import Session


@transaction.atomic
def session_trainers_set(
    *, organization: Organization, session: Session, memberships: Iterable[Membership]
) -> None:
    """Assign exactly these trainers to the session (members of its organisation with the trainer
    role; administrators record every session already)."""
    check_organization(organization, session)
    memberships = list(memberships)
    for membership in memberships:
        check_organization(organization, membership)
        if membership.role != Role.TRAINER:
            raise ValidationError(
                {
                    "trainers": _("%(user)s is not a trainer of this organisation.")
                    % {"user": membership.user}
                }
            )
    wanted = {membership.pk for membership in memberships}
    # Assignments decide who records the session: lock it like any other write to it.
    with changing_sessions([session.pk]):
        current = set(
            SessionTrainer.objects.filter(session=session).values_list("membership_id", flat=True)
        )
        for assignment in SessionTrainer.objects.filter(
            session=session, membership_id__in=current - wanted
        ):
            assignment.delete()
        for membership_id in sorted(wanted - current):
            SessionTrainer.objects.create(
                organization=organization, session=session, membership_id=membership_id
            )
