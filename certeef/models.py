"""Organisations (tenants) and who may act in them."""

from __future__ import annotations

import datetime
from typing import Protocol

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from certeef.history import track_history
from certeef.validators import validate_naf, validate_nda, validate_siret


class OrganizationOwned(Protocol):
    """A row that belongs to one organisation (every domain model)."""

    organization_id: int


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    legal_form = models.CharField(_("legal form"), max_length=60, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    naf_code = models.CharField(_("NAF code"), max_length=6, blank=True, validators=[validate_naf])
    nda = models.CharField(
        _("déclaration d'activité number (NDA)"),
        max_length=11,
        blank=True,
        validators=[validate_nda],
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # BPF section A: "Acceptez-vous que cette adresse soit rendue publique : oui / non".
    # Empty until the administrator answers.
    address_public = models.BooleanField(
        _("address may be made public (BPF section A)"), null=True, blank=True
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts (month)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    fiscal_year_start_day = models.PositiveSmallIntegerField(
        _("fiscal year starts (day)"),
        default=1,
        # Up to 28 so that every month, February included, has the day.
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="organization_fiscal_month_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_day__gte=1, fiscal_year_start_day__lte=28),
                name="organization_fiscal_day_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def fiscal_year_bounds(self, year: int) -> tuple[datetime.date, datetime.date]:
        """First and last day of fiscal year `year`: the one that *ends* in calendar year `year`."""
        month, day = self.fiscal_year_start_month, self.fiscal_year_start_day
        if (month, day) == (1, 1):
            return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        start = datetime.date(year - 1, month, day)
        end = datetime.date(year, month, day) - datetime.timedelta(days=1)
        return start, end

    def fiscal_year_of(self, day: datetime.date) -> int:
        """The fiscal year (label) a given day falls in."""
        start_this_year = datetime.date(
            day.year, self.fiscal_year_start_month, self.fiscal_year_start_day
        )
        if (self.fiscal_year_start_month, self.fiscal_year_start_day) == (1, 1):
            return day.year
        return day.year + 1 if day >= start_this_year else day.year

    def fiscal_year_expression(self, date_field: str) -> models.Expression:
        """`fiscal_year_of` in SQL, for a date field: lets the database group by fiscal year."""
        year = ExtractYear(date_field)
        month, day = self.fiscal_year_start_month, self.fiscal_year_start_day
        if (month, day) == (1, 1):
            return year
        on_or_after_start = Q(**{f"{date_field}__month__gt": month}) | Q(
            **{f"{date_field}__month": month, f"{date_field}__day__gte": day}
        )
        return year + Case(
            When(on_or_after_start, then=Value(1)), default=Value(0), output_field=IntegerField()
        )


# The organisation's identity and fiscal year, as its administrator edits them in Settings (the
# settings form's fields, in its order). They fill sections A and B of every BPF, so the history
# keeps them: a change after filing is shown on the filed BPF page.
SETTINGS_FIELDS = (
    "name",
    "legal_form",
    "siret",
    "naf_code",
    "nda",
    "address",
    "postal_code",
    "city",
    "phone",
    "email",
    "address_public",
    "fiscal_year_start_month",
    "fiscal_year_start_day",
)
track_history(Organization, fields=SETTINGS_FIELDS)


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    TRAINER = "trainer", _("Trainer")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_unique_user_organization"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organization} ({self.get_role_display()})"

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR


class UserProfile(models.Model):
    """What a user chooses for themselves. The project keeps Django's own user model, so this
    one-to-one row is created the first time the user chooses something (`language_choose`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="certeef_profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Blank: the browser's language."),
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


class FormSubmission(models.Model):
    """A one-time form token, claimed by the first submission that saved something with it.

    A create form carries a fresh token (a UUID); the view claims it in the same transaction as
    the write (`certeef.once.claim_form_token`). The primary key makes the claim exactly once: of
    N identical submissions sent at the same moment, the first inserts the row and saves, the
    others wait for it on the key and then find it taken ("already saved"). A submission that
    fails validation rolls its claim back, so the corrected form can be sent again."""

    token = models.UUIDField(_("token"), primary_key=True)
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return str(self.token)
