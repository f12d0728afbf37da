"""Client employers: the companies whose funding (OPCO, direct payment, public funds) we record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from certeef.lists import words_matching
from certeef.models import Organization
from certeef.validators import (
    ADDRESS_MAX_LENGTH,
    bounded_text_field,
    max_length_constraint,
    validate_siret,
)


class CompanyKind(models.TextChoices):
    PRIVATE_EMPLOYER = "private_employer", _("Private employer")
    PUBLIC_EMPLOYER = "public_employer", _("Public body")
    TRAINING_ORGANISATION = "training_organisation", _("Training organisation")


class Opco(models.TextChoices):
    """The eleven opérateurs de compétences."""

    AFDAS = "afdas", "AFDAS"
    AKTO = "akto", "AKTO"
    ATLAS = "atlas", "ATLAS"
    CONSTRUCTYS = "constructys", "Constructys"
    OCAPIAT = "ocapiat", "OCAPIAT"
    OPCO_2I = "opco_2i", "OPCO 2i"
    OPCO_COMMERCE = "opco_commerce", "L'Opcommerce"
    OPCO_EP = "opco_ep", "OPCO EP"
    OPCO_MOBILITES = "opco_mobilites", "OPCO Mobilités"
    OPCO_SANTE = "opco_sante", "OPCO Santé"
    UNIFORMATION = "uniformation", "Uniformation"


class CompanyQuerySet(models.QuerySet["Company"]):
    def search(self, query: str) -> CompanyQuerySet:
        """Every word of the query in the name or billing e-mail, or the SIRET's first digits
        (typed with or without its spaces)."""
        if not query.strip():
            return self
        return self.filter(
            words_matching(query, "name", "billing_email")
            | models.Q(siret__startswith=query.replace(" ", ""))
        )


class Company(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="companies"
    )
    name = models.CharField(_("name"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    kind = models.CharField(
        _("kind"), max_length=30, choices=CompanyKind.choices, default=CompanyKind.PRIVATE_EMPLOYER
    )
    opco = models.CharField(_("OPCO"), max_length=20, choices=Opco.choices, blank=True)
    billing_address = bounded_text_field(_("billing address"), ADDRESS_MAX_LENGTH, blank=True)
    billing_email = models.EmailField(_("billing email"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["organization", "name"], name="company_org_name")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=CompanyKind.values), name="company_kind_valid"
            ),
            max_length_constraint(
                "billing_address", ADDRESS_MAX_LENGTH, name="company_billing_address_length"
            ),
        ]

    def __str__(self) -> str:
        return self.name
