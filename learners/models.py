"""The people being trained."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from certeef.history import track_history
from certeef.lists import words_matching
from certeef.models import Organization
from certeef.validators import ADDRESS_MAX_LENGTH, bounded_text_field, max_length_constraint


class ProfessionalStatus(models.TextChoices):
    """Used to classify the learner in BPF section F-1 when funding does not decide it."""

    PRIVATE_EMPLOYEE = "private_employee", _("Private-sector employee")
    APPRENTICE = "apprentice", _("Apprentice")
    JOB_SEEKER = "job_seeker", _("Job seeker")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    PUBLIC_AGENT = "public_agent", _("Public-sector agent")
    OTHER = "other", _("Other")


class LearnerQuerySet(models.QuerySet["Learner"]):
    def search(self, query: str) -> LearnerQuerySet:
        """Every word of the query in the first name, last name or email."""
        return self.filter(words_matching(query, "first_name", "last_name", "email"))


class Learner(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="learners"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = bounded_text_field(_("address"), ADDRESS_MAX_LENGTH, blank=True)
    employer = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("employer"),
    )
    professional_status = models.CharField(
        _("professional status"), max_length=20, choices=ProfessionalStatus.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LearnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("learner")
        verbose_name_plural = _("learners")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(
                fields=["organization", "last_name", "first_name"], name="learner_org_name"
            )
        ]
        constraints = [
            max_length_constraint("address", ADDRESS_MAX_LENGTH, name="learner_address_length"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# Who changed what, when (certeef/history.py): the status classifies the learner in BPF F-1.
track_history(Learner, fields=["professional_status"])
