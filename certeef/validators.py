"""Validators shared by several models: French identifiers, and the length of free texts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Every free text has a maximum length: a longer one is refused with a form error next to the
# field ("at most N characters"), keeping what was typed; it is never cut. A French postal
# address is at most 6 lines of 38 characters (AFNOR NF Z10-011): 500 leaves room for notes
# like "c/o" or a building; notes get a long paragraph.
ADDRESS_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 2000


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits passing the Luhn check (INSEE's own rule)."""
    if not re.fullmatch(r"\d{14}", value or ""):
        raise ValidationError(_("A SIRET has exactly 14 digits."), code="siret_format")
    # La Poste's establishments are numbered outside the Luhn rule; INSEE documents this exception.
    if value.startswith("356000000"):
        if sum(int(c) for c in value) % 5 != 0:
            raise ValidationError(_("This SIRET is not valid (check digit)."), code="siret_luhn")
        return
    if not luhn_is_valid(value):
        raise ValidationError(
            _("This SIRET is not valid: its check digit is wrong (typing error?)."),
            code="siret_luhn",
        )


def validate_nda(value: str) -> None:
    """The déclaration d'activité number is 11 digits."""
    if not re.fullmatch(r"\d{11}", value or ""):
        raise ValidationError(
            _("The déclaration d'activité number (NDA) has exactly 11 digits."), code="nda_format"
        )


def validate_naf(value: str) -> None:
    """NAF/APE code: four digits and a letter, e.g. 8559A or 85.59A."""
    if not re.fullmatch(r"\d{2}\.?\d{2}[A-Za-z]", value or ""):
        raise ValidationError(
            _("A NAF code is four digits and a letter, e.g. 8559A."), code="naf_format"
        )


def normalize_digits(value: str | None) -> str:
    """Remove spaces (people type SIRET and case numbers in groups)."""
    return re.sub(r"\s+", "", value or "")


def bounded_text_field(
    verbose_name: StrOrPromise, max_length: int, **kwargs: Any
) -> models.TextField:
    """A multi-line text with a maximum length that the model validates too (a TextField's
    max_length alone only reaches its form field)."""
    return models.TextField(
        verbose_name, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


def max_length_constraint(field_name: str, max_length: int, *, name: str) -> models.CheckConstraint:
    """The same limit in the database (a TextField column has none), on SQLite and PostgreSQL."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field_name), max_length), name=name
    )
