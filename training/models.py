"""What is taught (Course), when (Session), and who attends (Enrollment)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from certeef.history import track_history
from certeef.lists import words_matching
from certeef.models import Organization
from learners.models import ProfessionalStatus
from training.nsf import nsf_choices, nsf_labels, validate_nsf_code


class Objective(models.TextChoices):
    """BPF section F-3 "objectif général des prestations dispensées"."""

    RNCP_6_8 = "rncp_6_8", _("RNCP certification, level 6 to 8")
    RNCP_5 = "rncp_5", _("RNCP certification, level 5")
    RNCP_4 = "rncp_4", _("RNCP certification, level 4")
    RNCP_3 = "rncp_3", _("RNCP certification, level 3")
    RNCP_2 = "rncp_2", _("RNCP certification, level 2")
    RNCP_CQP = "rncp_cqp", _("CQP registered at the RNCP without level")
    RS = "rs", _("Certification or habilitation registered at the RS")
    CQP = "cqp", _("CQP not registered at the RNCP or RS")
    OTHER = "other", _("Other professional training")
    SKILLS_ASSESSMENT = "skills_assessment", _("Skills assessment (bilan de compétences)")
    VAE = "vae", _("VAE support")


class Delivery(models.TextChoices):
    DIRECT = "direct", _("Delivered by us")
    SUBCONTRACTED_OUT = "subcontracted_out", _("Subcontracted to another organisation")
    SUBCONTRACTED_IN = "subcontracted_in", _("Subcontracted to us by another organisation")


class TraineeType(models.TextChoices):
    """BPF section F-1 lines."""

    PRIVATE_EMPLOYEE = "a", _("a — Private-sector employees (excluding apprentices)")
    APPRENTICE = "b", _("b — Apprentices")
    JOB_SEEKER = "c", _("c — Job seekers")
    SELF_FUNDED = "d", _("d — Individuals at their own expense")
    OTHER = "e", _("e — Other trainees")


class Outcome(models.TextChoices):
    """What became of an enrollment (BPF.md, "Period and amounts"): enrolled and completed count;
    dropped out counts with the hours followed; cancelled (never started, or withdrawn before the
    start) counts nowhere, its money neither."""

    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    DROPPED_OUT = "dropped_out", _("Dropped out")
    CANCELLED = "cancelled", _("Cancelled")


non_negative_hours = MinValueValidator(Decimal("0"), message=_("Hours cannot be negative."))


class CourseQuerySet(models.QuerySet["Course"]):
    def search(self, query: str) -> CourseQuerySet:
        """Every word of the query in the title or the reference."""
        return self.filter(words_matching(query, "title", "reference"))


class Course(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="courses")
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    nsf_code = models.CharField(
        _("NSF speciality"),
        max_length=3,
        blank=True,
        choices=nsf_choices,
        validators=[validate_nsf_code],
    )
    objective = models.CharField(
        _("objective (BPF F-3)"), max_length=20, choices=Objective.choices, blank=True
    )
    duration_hours = models.DecimalField(
        _("duration (hours)"), max_digits=7, decimal_places=2, validators=[non_negative_hours]
    )
    price = models.DecimalField(
        _("price per learner (HT)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message=_("A price cannot be negative."))],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["organization", "title"], name="course_org_title")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_hours__gte=0), name="course_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                name="course_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}" if self.reference else self.title

    @property
    def nsf_label(self) -> str:
        return nsf_labels().get(self.nsf_code, "")


class SessionQuerySet(models.QuerySet["Session"]):
    def search(self, query: str) -> SessionQuerySet:
        """Every word of the query in the reference, the course's title or the location."""
        return self.filter(words_matching(query, "reference", "course__title", "location"))


class Session(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sessions"
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course")
    )
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=7,
        decimal_places=2,
        validators=[non_negative_hours],
        help_text=_("Per learner. Leave blank to use the course's duration."),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    distance = models.BooleanField(_("partly or fully at a distance"), default=False)
    delivery = models.CharField(
        _("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.DIRECT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-start_date", "pk"]
        indexes = [
            models.Index(fields=["organization", "start_date"], name="session_org_start"),
            models.Index(fields=["organization", "end_date"], name="session_org_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="session_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gte=0), name="session_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(delivery__in=Delivery.values), name="session_delivery_valid"
            ),
        ]

    def __str__(self) -> str:
        label = self.reference or self.course.title
        return f"{label} ({self.start_date:%d/%m/%Y} – {self.end_date:%d/%m/%Y})"


class EnrollmentQuerySet(models.QuerySet["Enrollment"]):
    def not_cancelled(self) -> EnrollmentQuerySet:
        """The enrollments that count (enrolled, completed, dropped out): cancelled ones are kept
        for the record only."""
        return self.exclude(outcome=Outcome.CANCELLED)


class Enrollment(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="enrollments"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("session")
    )
    learner = models.ForeignKey(
        "learners.Learner",
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("learner"),
    )
    hours_attended = models.DecimalField(
        _("hours attended"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[non_negative_hours],
        help_text=_("Leave blank if the learner attended the whole session."),
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=Outcome.choices,
        default=Outcome.ENROLLED,
        help_text=_(
            "Dropped out: counted with the hours followed. Cancelled (never started, or withdrawn "
            "before the start): counted nowhere, its funding neither."
        ),
    )
    # F-1 rule 5 reads the status the learner had when trained, not today's: changing a learner's
    # status later does not rewrite past years' BPF.
    professional_status = models.CharField(
        _("professional status at the time of the training"),
        max_length=20,
        choices=ProfessionalStatus.choices,
        blank=True,
        help_text=_(
            "Filled from the learner's status when enrolled. The BPF (F-1) reads this one: "
            "changing the learner's status later does not change it."
        ),
    )
    trainee_type_override = models.CharField(
        _("BPF F-1 line (override)"),
        max_length=1,
        choices=TraineeType.choices,
        blank=True,
        help_text=_("Leave blank to derive it from the funding and the learner's status."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The enrollment's funding in three figures, rewritten by funding.summaries on every write
    # to its allocations or to its cancellation (never by hand): the BPF and the dashboard read
    # these instead of totalling every allocation on each visit.
    funding_code = models.PositiveSmallIntegerField(
        _("funding code (BPF F-1)"),
        null=True,
        editable=False,
        help_text=_("Highest code of its Approved and Paid allocations; empty when it has none."),
    )
    counted_funding = models.DecimalField(
        _("counted funding"), max_digits=14, decimal_places=2, default=0, editable=False
    )
    pending_allocations = models.PositiveIntegerField(
        _("pending allocations"), default=0, editable=False
    )
    # The hours the session's attendance record gives this learner (the minutes attended over
    # every slot, to the cent: what the certificate of completion states), rewritten by
    # attendance.summaries on every write; empty while the session has no attendance record.
    # BPF section F counts these before the hours typed above (BPF.md).
    hours_recorded = models.DecimalField(
        _("hours recorded"), max_digits=7, decimal_places=2, null=True, editable=False
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["learner__last_name", "learner__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "learner"],
                name="enrollment_unique_session_learner",
                violation_error_message=_("This learner is already enrolled in this session."),
            ),
            models.CheckConstraint(
                condition=models.Q(hours_attended__isnull=True) | models.Q(hours_attended__gte=0),
                name="enrollment_hours_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome__in=Outcome.values), name="enrollment_outcome_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "learner"], name="enrollment_org_learner"),
            # A session's cancelled enrollments still funded (BPF check `cancelled_funded`, read
            # for each session of the year, several times): usually none, so the index is all but
            # empty, where the session's whole enrollments are scanned otherwise.
            models.Index(
                fields=["session"],
                condition=models.Q(outcome=Outcome.CANCELLED, funding_code__isnull=False),
                name="enrollment_cancelled_funded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} — {self.session}"

    @property
    def is_cancelled(self) -> bool:
        return self.outcome == Outcome.CANCELLED

    @property
    def effective_hours(self) -> Decimal:
        return self.session.hours if self.hours_attended is None else self.hours_attended


# Who changed what, when (certeef/history.py): what moves a session's BPF figures.
track_history(Course, fields=["nsf_code", "objective", "price"])
track_history(Session, fields=["start_date", "end_date", "hours", "delivery"])
track_history(
    Enrollment,
    fields=["hours_attended", "outcome", "trainee_type_override", "professional_status"],
)
