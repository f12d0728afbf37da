"""Validators for French identifiers shared by several models."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


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


def normalize_digits(value: str) -> str:
    """Remove spaces (people type SIRET and case numbers in groups)."""
    return re.sub(r"\s+", "", value or "")
