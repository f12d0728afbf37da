"""Stored BPF inputs the data cannot give, and filed snapshots."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from certeef.history import track_history
from certeef.models import Organization


class BpfInputs(models.Model):
    """Sections D, E, H and the share of turnover, typed by an administrator for one fiscal year."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="bpf_inputs"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    total_costs = models.PositiveIntegerField(
        _("total costs of the training activity (€)"), null=True, blank=True
    )
    trainer_salaries = models.PositiveIntegerField(
        _("of which trainer salaries (€)"), null=True, blank=True
    )
    training_purchases = models.PositiveIntegerField(
        _("of which purchases of training services and fees (€)"), null=True, blank=True
    )
    own_trainers_count = models.PositiveIntegerField(
        _("own trainers: number"), null=True, blank=True
    )
    own_trainers_hours = models.PositiveIntegerField(
        _("own trainers: hours of training given"), null=True, blank=True
    )
    external_trainers_count = models.PositiveIntegerField(
        _("external trainers (subcontracting): number"), null=True, blank=True
    )
    external_trainers_hours = models.PositiveIntegerField(
        _("external trainers (subcontracting): hours of training given"), null=True, blank=True
    )
    turnover_share = models.PositiveSmallIntegerField(
        _("share of turnover from training (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    signatory_name = models.CharField(_("signatory: name"), max_length=200, blank=True)
    signatory_title = models.CharField(_("signatory: title"), max_length=200, blank=True)
    signature_place = models.CharField(_("signed at (place)"), max_length=200, blank=True)
    signature_date = models.DateField(_("signed on (date)"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("BPF inputs")
        verbose_name_plural = _("BPF inputs")
        ordering = ["organization", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"], name="bpf_inputs_unique_year"
            ),
            models.CheckConstraint(
                condition=models.Q(turnover_share__isnull=True) | models.Q(turnover_share__lte=100),
                name="bpf_inputs_turnover_share_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.fiscal_year}"


# What an administrator types for a year (the inputs form's fields, in its order), and what the
# history keeps: a change after filing is shown on the filed BPF page.
TYPED_FIELDS = (
    "turnover_share",
    "total_costs",
    "trainer_salaries",
    "training_purchases",
    "own_trainers_count",
    "own_trainers_hours",
    "external_trainers_count",
    "external_trainers_hours",
    "signatory_name",
    "signatory_title",
    "signature_place",
    "signature_date",
)
track_history(BpfInputs, fields=TYPED_FIELDS)


class BpfFiling(models.Model):
    """The figures as they were when an administrator marked the fiscal year as filed.

    Never edited: filing again adds a new row, and the latest one is the filed version.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="bpf_filings"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    snapshot = models.JSONField(_("snapshot"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("BPF filing")
        verbose_name_plural = _("BPF filings")
        ordering = ["-filed_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "fiscal_year"], name="bpf_filing_org_year"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.fiscal_year} ({self.filed_at:%d/%m/%Y})"
