"""Who pays how much for one learner in one session, and the history of its status."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from certeef.formats import MAX_AMOUNT
from certeef.history import track_history
from certeef.models import Organization
from certeef.validators import NOTE_MAX_LENGTH, bounded_text_field, max_length_constraint
from funding.types import BPF_LINE, FundingType

if TYPE_CHECKING:
    from companies.models import Company
    from funding.row_views import RowMove
    from individuals.models import Individual


class FundingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


# The allowed status moves (DESIGN.md), each with the button that offers it, in the users' words.
# Anything else is refused: the service checks a move against this table, the forms label it.
STATUS_MOVES: dict[tuple[str, str], Promise] = {
    (FundingStatus.PENDING, FundingStatus.APPROVED): _("Approve"),
    (FundingStatus.PENDING, FundingStatus.REJECTED): _("Reject"),
    (FundingStatus.APPROVED, FundingStatus.PAID): _("Mark as paid"),
    (FundingStatus.APPROVED, FundingStatus.REJECTED): _("Reject"),
    (FundingStatus.APPROVED, FundingStatus.PENDING): _("Back to pending"),
    (FundingStatus.REJECTED, FundingStatus.PENDING): _("Back to pending"),
    (FundingStatus.PAID, FundingStatus.APPROVED): _("Reverse payment"),
}


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses an allocation can move to from `status`, in the table's order."""
    return tuple(to_status for from_status, to_status in STATUS_MOVES if from_status == status)


REMITTANCE_MAX_LENGTH = 100

# Only these statuses count in totals, exports and the BPF.
COUNTED_STATUSES: tuple[str, ...] = (FundingStatus.APPROVED, FundingStatus.PAID)


class AllocationQuerySet(models.QuerySet["FundingAllocation"]):
    def counted(self) -> AllocationQuerySet:
        return self.filter(status__in=COUNTED_STATUSES)

    def for_list(self) -> AllocationQuerySet:
        """Everything a list row shows, in one query."""
        return self.select_related("learner", "session__course", "individual__learner", "company")


positive_amount = MinValueValidator(Decimal("0.01"), message=_("The amount must be positive."))
at_most_max_amount = MaxValueValidator(
    MAX_AMOUNT, message=_("The amount cannot exceed 9 999 999,99 €.")
)


class FundingAllocation(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="allocations"
    )
    session = models.ForeignKey(
        "training.Session",
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("session"),
    )
    learner = models.ForeignKey(
        "learners.Learner",
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("learner"),
    )
    # The enrollment funded: the learner enrolled in this session (the same session and learner as
    # the two fields above, resolved by the services under the session's lock). PROTECT, and the
    # database's foreign key: a funded enrollment cannot be deleted, so no money counts for a
    # learner who is not enrolled.
    enrollment = models.ForeignKey(
        "training.Enrollment",
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("enrollment"),
    )
    individual = models.ForeignKey(
        "individuals.Individual",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("individual"),
    )
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("company"),
    )
    funding_type = models.CharField(_("type"), max_length=30, choices=FundingType.choices)
    approved_amount = models.DecimalField(
        _("approved amount"),
        max_digits=9,
        decimal_places=2,
        validators=[positive_amount, at_most_max_amount],
        help_text=_("The approved amount, not the requested one, feeds exports and the BPF."),
    )
    requested_amount = models.DecimalField(
        _("requested amount"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[positive_amount, at_most_max_amount],
    )
    # Its rules (CPF only, required, 8 to 15 digits, unique) are funding/case_numbers.py's; the
    # constraints below hold them in the database.
    cpf_case_number = models.CharField(_("CPF case number"), max_length=15, blank=True)
    funder_reference = models.CharField(
        _("funder reference"),
        max_length=100,
        blank=True,
        help_text=_("France Travail quote, OPCO file number…"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FundingStatus.choices, default=FundingStatus.PENDING
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # The funder's reference of the transfer that paid it (one transfer often pays many
    # allocations): set with Paid, cleared when the payment is reversed; kept in the history.
    remittance_reference = models.CharField(
        _("remittance reference"),
        max_length=REMITTANCE_MAX_LENGTH,
        blank=True,
        help_text=_("The reference of the funder's transfer (remittance advice)."),
    )
    notes = bounded_text_field(_("notes"), NOTE_MAX_LENGTH, blank=True)
    # Incremented by every write: a form carries the version it was built from, and a save
    # made on an older version is refused (someone else changed the allocation meanwhile).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AllocationQuerySet.as_manager()

    # Not stored: set on the allocations of a page, the moves each row offers
    # (funding.carrier_views, funding.row_views) and the funding page of its carrier
    # (funding.learner_section, funding.row_views).
    moves: list[tuple[str, Promise]]
    row_moves: list[RowMove]
    carrier_url: str

    class Meta:
        verbose_name = _("funding allocation")
        verbose_name_plural = _("funding allocations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(individual__isnull=False, company__isnull=True)
                    | models.Q(individual__isnull=True, company__isnull=False)
                ),
                name="allocation_exactly_one_carrier",
                violation_error_message=_(
                    "An allocation is carried by an individual or a company, not both."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(approved_amount__gt=0), name="allocation_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(requested_amount__isnull=True)
                | models.Q(requested_amount__gt=0),
                name="allocation_requested_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=FundingStatus.values), name="allocation_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(funding_type__in=FundingType.values),
                name="allocation_type_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=FundingStatus.PAID) | models.Q(paid_on__isnull=False),
                name="allocation_paid_has_date",
            ),
            models.CheckConstraint(
                condition=(models.Q(funding_type=FundingType.CPF) & ~models.Q(cpf_case_number=""))
                | (~models.Q(funding_type=FundingType.CPF) & models.Q(cpf_case_number="")),
                name="allocation_case_number_iff_cpf",
            ),
            models.UniqueConstraint(
                fields=["organization", "cpf_case_number"],
                condition=models.Q(funding_type=FundingType.CPF)
                & ~models.Q(status=FundingStatus.REJECTED),
                name="allocation_unique_cpf_case_number",
            ),
            max_length_constraint("notes", NOTE_MAX_LENGTH, name="allocation_notes_length"),
        ]
        indexes = [
            # Also the dashboard's oldest pending allocations, read in order from the index.
            models.Index(
                fields=["organization", "status", "created_at"], name="allocation_org_status_at"
            ),
            # PostgreSQL also has `allocation_totals` (organisation, status, type) INCLUDE
            # (amount), made by migration 0013 and not declared here (SQLite must not have it):
            # the Funding page's totals of a type and/or status filter are read from it alone.
            models.Index(fields=["organization", "session"], name="allocation_org_session"),
            # The Funding page's remittance filter: the allocations one transfer paid.
            models.Index(
                fields=["organization", "remittance_reference"], name="allocation_org_remittance"
            ),
            # The BPF and the session page look up an enrollment's allocations by this pair.
            # Type and amount are in the index too, so that the BPF reads a year's allocations
            # from it alone: on SQLite, its two queries take 35 to 50 % less time.
            models.Index(
                fields=["session", "learner", "status", "funding_type", "approved_amount"],
                name="allocation_session_learner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_funding_type_display()} — {self.learner} — {self.approved_amount} €"

    @property
    def carrier(self) -> Individual | Company | None:
        return self.individual if self.individual_id else self.company

    @property
    def bpf_line(self) -> str:
        return BPF_LINE[self.funding_type]

    @property
    def allowed_next_statuses(self) -> tuple[str, ...]:
        return next_statuses(self.status)


class FundingStatusChange(models.Model):
    """One status move of an allocation. Written only by `allocation_set_status`; never edited."""

    allocation = models.ForeignKey(
        FundingAllocation, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=10, choices=FundingStatus.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=FundingStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changed_at = models.DateTimeField(_("at"), auto_now_add=True)
    # A move to Paid: the payment date and the transfer's reference, as they were then.
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    remittance_reference = models.CharField(
        _("remittance reference"), max_length=REMITTANCE_MAX_LENGTH, blank=True
    )
    note = bounded_text_field(_("note"), NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("funding status change")
        verbose_name_plural = _("funding status changes")
        ordering = ["-changed_at", "-pk"]
        constraints = [
            max_length_constraint("note", NOTE_MAX_LENGTH, name="status_change_note_length"),
        ]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class SessionFundingTotal(models.Model):
    """A session's counted funding of one type: the sum of the Approved and Paid allocations of its
    non-cancelled enrollments. BPF section C reads these few rows instead of every allocation.
    Rewritten by funding.summaries on every write to the session's allocations or enrollments;
    never edited by hand."""

    session = models.ForeignKey(
        "training.Session", on_delete=models.CASCADE, related_name="funding_totals"
    )
    funding_type = models.CharField(_("type"), max_length=30, choices=FundingType.choices)
    counted_amount = models.DecimalField(_("counted amount"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("session funding total")
        verbose_name_plural = _("session funding totals")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "funding_type"], name="session_funding_unique_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} — {self.get_funding_type_display()} — {self.counted_amount} €"


class SessionSummary(models.Model):
    """A session's non-cancelled enrollments in a few figures: BPF sections F-2 to G and the
    checks, and the dashboard, read one row per session. Rewritten by funding.summaries whenever
    an input changes; never edited by hand. A session without enrollments has none."""

    session = models.OneToOneField(
        "training.Session", on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    learners = models.PositiveIntegerField()
    # Hours: the learners with their own attended hours, and those hours; the others attended
    # the whole session (its hours are read with the session, so editing them needs no refresh).
    learners_with_hours = models.PositiveIntegerField()
    hours_attended = models.DecimalField(max_digits=12, decimal_places=2)
    # Learners without any counted allocation (the BPF check "unfunded enrollments").
    unfunded_learners = models.PositiveIntegerField()
    # Learners whose counted funding is above the course price (BPF check), or below it, and by
    # how much in all (the dashboard).
    overfunded_learners = models.PositiveIntegerField()
    underfunded_learners = models.PositiveIntegerField()
    funding_shortfall = models.DecimalField(max_digits=14, decimal_places=2)
    pending_allocations = models.PositiveIntegerField()
    # Learners whose attendance is recorded with 0 hours while counted money funds them (the BPF
    # check `no_show_funded`).
    no_show_funded = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("session summary")
        verbose_name_plural = _("session summaries")

    def __str__(self) -> str:
        return f"{self.session_id} — {self.learners}"


class SessionEnrollmentTally(models.Model):
    """A session's non-cancelled enrollments that share what classifies them in BPF section F-1
    (their override, their funding code, their learner's professional status), counted with
    their hours: section F-1 reads these few rows instead of every enrollment. Rewritten by
    funding.summaries whenever an input changes; never edited by hand."""

    session = models.ForeignKey(
        "training.Session", on_delete=models.CASCADE, related_name="enrollment_tallies"
    )
    trainee_type_override = models.CharField(max_length=1, blank=True)
    funding_code = models.PositiveSmallIntegerField(null=True)
    professional_status = models.CharField(max_length=20, blank=True)
    learners = models.PositiveIntegerField()
    # As on SessionSummary: the learners with their own attended hours, and those hours.
    learners_with_hours = models.PositiveIntegerField()
    hours_attended = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("session enrollment tally")
        verbose_name_plural = _("session enrollment tallies")

    def __str__(self) -> str:
        return f"{self.session_id} — {self.learners}"


# Who changed what, when, and why (certeef/history.py): every field that moves money or a BPF
# figure. Status moves are also kept, with their payment details, as FundingStatusChange rows.
track_history(
    FundingAllocation,
    fields=[
        "approved_amount",
        "funding_type",
        "session",
        "cpf_case_number",
        "funder_reference",
        "status",
    ],
)


# The chasing summaries live in their own module; imported here so that Django registers them.
from funding.chase_models import (  # noqa: E402, F401
    AllocationTotal,
    FunderChase,
    SessionAllocationTotal,
    SessionFunderChase,
    SessionStatusTotal,
)
