"""A learner acting as their own payer (CPF, France Travail, self-funded)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from certeef.models import Organization
from certeef.validators import (
    ADDRESS_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    bounded_text_field,
    max_length_constraint,
)

if TYPE_CHECKING:
    from decimal import Decimal

    from django_stubs_ext import StrOrPromise


class IndividualQuerySet(models.QuerySet["Individual"]):
    def active(self) -> IndividualQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> IndividualQuerySet:
        return self.filter(archived_at__isnull=False)


class Individual(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="individuals"
    )
    learner = models.OneToOneField(
        "learners.Learner",
        on_delete=models.PROTECT,
        related_name="individual",
        verbose_name=_("learner"),
    )
    billing_name = models.CharField(
        _("billing name"), max_length=200, blank=True, help_text=_("Blank: the learner's name.")
    )
    billing_email = models.EmailField(
        _("billing email"), blank=True, help_text=_("Blank: the learner's email.")
    )
    billing_address = bounded_text_field(
        _("billing address"),
        ADDRESS_MAX_LENGTH,
        blank=True,
        help_text=_("Blank: the learner's address."),
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    notes = bounded_text_field(_("notes"), NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = IndividualQuerySet.as_manager()

    # Not stored: set on the individuals of a list page (individuals.views), their funding.
    allocation_count: int
    approved_total: Decimal
    status_summary: list[tuple[str, StrOrPromise, int]]

    class Meta:
        verbose_name = _("individual")
        verbose_name_plural = _("individuals")
        ordering = ["learner__last_name", "learner__first_name", "pk"]
        indexes = [
            models.Index(fields=["organization", "archived_at"], name="individual_org_archived")
        ]
        constraints = [
            max_length_constraint(
                "billing_address", ADDRESS_MAX_LENGTH, name="individual_billing_address_length"
            ),
            max_length_constraint("notes", NOTE_MAX_LENGTH, name="individual_notes_length"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.billing_name or self.learner.full_name

    @property
    def display_email(self) -> str:
        return self.billing_email or self.learner.email

    @property
    def display_address(self) -> str:
        return self.billing_address or self.learner.address

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None
