"""Every write to individual records. Views, the admin and tests call these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from individuals.models import Individual

if TYPE_CHECKING:
    from certeef.models import Organization
    from learners.models import Learner

# Fields `individual_update` may change: the learner is fixed once the record exists.
EDITABLE_FIELDS = ("billing_name", "billing_email", "billing_address", "notes")


def _already_has_record_error(learner: Learner) -> ValidationError:
    return ValidationError(
        {"learner": _("%(name)s already has an individual record.") % {"name": learner}},
        code="learner_taken",
    )


@transaction.atomic
def individual_create(
    *,
    organization: Organization,
    learner: Learner,
    billing_name: str = "",
    billing_email: str = "",
    billing_address: str = "",
    notes: str = "",
) -> Individual:
    """Record that a learner pays (part of) their training themselves. One record per learner."""
    if learner.organization_id != organization.pk:
        raise ValidationError(
            {
                "learner": _(
                    "Select a valid choice. That choice is not one of the available choices."
                )
            }
        )
    if Individual.objects.filter(learner=learner).exists():
        raise _already_has_record_error(learner)
    individual = Individual(
        organization=organization,
        learner=learner,
        billing_name=billing_name.strip(),
        billing_email=billing_email.strip(),
        billing_address=billing_address.strip(),
        notes=notes,
    )
    # Uniqueness is checked above with a clearer message; the database constraint still guards
    # two requests racing for the same learner.
    individual.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            individual.save()
    except IntegrityError as error:
        raise _already_has_record_error(learner) from error
    return individual


@transaction.atomic
def individual_update(*, individual: Individual, **changes: str) -> Individual:
    """Change an individual's billing details or notes."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(individual, field, value.strip() if field != "notes" else value)
    individual.full_clean(validate_unique=False)
    individual.save(update_fields=[*changes, "updated_at"])
    return individual


@transaction.atomic
def individual_archive(*, individual: Individual) -> Individual:
    """Hide an individual from the Active list. Their allocations stay, and still count."""
    if individual.archived_at is None:
        individual.archived_at = timezone.now()
        individual.save(update_fields=["archived_at", "updated_at"])
    return individual


@transaction.atomic
def individual_unarchive(*, individual: Individual) -> Individual:
    if individual.archived_at is not None:
        individual.archived_at = None
        individual.save(update_fields=["archived_at", "updated_at"])
    return individual
