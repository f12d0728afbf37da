"""What the dashboard's "To chase" reads instead of every Approved allocation (funding/chasing.py):
their count and amount per funder, kept per session and added up per organisation.

A funder here is who an Approved allocation waits on, as far as the allocation alone says it
(`funding/chase_summaries.py`): the Caisse des Dépôts, France Travail, Transitions Pro or a FAF
for their types; for an OPCO type, the company (its OPCO is read with the company, as a company's
OPCO may change without touching its allocations); else the company or the individual carrying it.
Neither row depends on the date: whether an allocation is to chase yet (its session ended, or it
has been pending that long) is decided when the dashboard reads them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from certeef.models import Organization


class SessionFunderChase(models.Model):
    """A session's Approved allocations waiting on one funder: how many, how much. Rewritten by
    funding.chase_summaries whenever the session's allocations change; never edited by hand."""

    session = models.ForeignKey(
        "training.Session", on_delete=models.CASCADE, related_name="funder_chases"
    )
    # FunderChase.funder: the organisation's total of this funder.
    funder = models.CharField(max_length=40)
    approved_count = models.PositiveIntegerField()
    approved_amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("session approved funding by funder")
        verbose_name_plural = _("session approved funding by funder")
        constraints = [
            models.UniqueConstraint(fields=["session", "funder"], name="session_funder_chase")
        ]
        # A funder's total added up again from its rows (refresh_summaries's rebuild).
        indexes = [models.Index(fields=["funder"], name="session_funder_chase_funder")]

    def __str__(self) -> str:
        return f"{self.session_id} — {self.funder}"


class FunderChase(models.Model):
    """An organisation's Approved allocations waiting on one funder, all sessions together: the sum
    of its SessionFunderChase rows, kept with them (a row stays at zero once its funder has
    nothing Approved, so that concurrent writers always find it to lock)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="funder_chases"
    )
    # "<kind>:<company id>:<individual id>", e.g. "caisse_des_depots::", "opco:12:", "company:12:",
    # "individual:7:" (FunderKind values; "opco" for any OPCO type, whatever the company's OPCO).
    funder = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    company = models.ForeignKey(
        "companies.Company", null=True, on_delete=models.CASCADE, related_name="+"
    )
    individual = models.ForeignKey(
        "individuals.Individual", null=True, on_delete=models.CASCADE, related_name="+"
    )
    # Never negative, but with no check: a refresh moves the total by one INSERT … ON CONFLICT DO
    # UPDATE whose proposed row holds the change, which may be negative, and PostgreSQL checks a
    # proposed row before it meets the conflict (funding/chase_summaries.py).
    approved_count = models.IntegerField(default=0)
    approved_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("approved funding by funder")
        verbose_name_plural = _("approved funding by funder")
        constraints = [
            models.UniqueConstraint(fields=["organization", "funder"], name="funder_chase_unique")
        ]
        indexes = [
            # The dashboard's carriers owed the most.
            models.Index(fields=["organization", "-approved_amount"], name="funder_chase_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} — {self.funder}"


class SessionStatusTotal(models.Model):
    """A session's allocations of one status, whatever their enrollment: how many, how much. The
    dashboard's fiscal year by status adds up these rows of the year's sessions instead of every
    allocation. Rewritten by funding.chase_summaries whenever the session's allocations change;
    never edited by hand."""

    session = models.ForeignKey(
        "training.Session", on_delete=models.CASCADE, related_name="status_totals"
    )
    status = models.CharField(max_length=20)
    allocations = models.PositiveIntegerField()
    approved_amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("session total by status")
        verbose_name_plural = _("session totals by status")
        constraints = [
            models.UniqueConstraint(fields=["session", "status"], name="session_status_total")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} — {self.status}"


class SessionAllocationTotal(models.Model):
    """A session's allocations of one type and status, whatever their enrollment: how many, how
    much. Its organisation's totals (AllocationTotal) are moved by what these rows gain or lose.
    A table of its own, not a type on SessionStatusTotal: four times its rows, which the
    dashboard's fiscal year by status would add up (70 → 160 ms at 400 000 learners).
    Rewritten by funding.allocation_totals whenever the session's allocations change; never
    edited by hand."""

    session = models.ForeignKey(
        "training.Session", on_delete=models.CASCADE, related_name="allocation_totals"
    )
    funding_type = models.CharField(max_length=30)
    status = models.CharField(max_length=20)
    allocations = models.PositiveIntegerField()
    approved_amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("session total by type and status")
        verbose_name_plural = _("session totals by type and status")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "funding_type", "status"], name="session_allocation_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} — {self.funding_type} {self.status}"


class AllocationTotal(models.Model):
    """An organisation's allocations of one type and status, every session and enrollment
    together (what the Funding page counts without a filter, or filtered on type or status only):
    the sum of its SessionAllocationTotal rows, moved with them by funding.allocation_totals. A
    row stays (at zero) once made, so that there is always a row to add to."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="allocation_totals"
    )
    funding_type = models.CharField(max_length=30)
    status = models.CharField(max_length=20)
    # Never negative, but with no check: the refresh's INSERT … ON CONFLICT DO UPDATE proposes
    # the change, which may be negative, and PostgreSQL checks a proposed row before the conflict.
    allocations = models.IntegerField(default=0)
    approved_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("allocation total by type and status")
        verbose_name_plural = _("allocation totals by type and status")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "funding_type", "status"], name="allocation_total_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} — {self.funding_type} {self.status}"
