"""How money and dates are read from users and shown to them (French conventions)."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

# The largest amount one allocation may carry (DESIGN.md: at most 9 999 999,99 €).
MAX_AMOUNT = Decimal("9999999.99")


def format_euros(value: Decimal | int | None, *, decimals: int = 2) -> str:
    """1234.5 → '1 234,50 €' (decimals=0 → '1 235 €', rounded half-up)."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    amount = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    whole, _dot, fraction = f"{abs(amount):f}".partition(".")
    grouped = re.sub(r"(?<=\d)(?=(\d{3})+$)", " ", whole)
    return f"{sign}{grouped},{fraction} €" if fraction else f"{sign}{grouped} €"


def format_number(value: Decimal | int | None) -> str:
    """Whole numbers with French grouping: 12345 → '12 345'."""
    if value is None:
        return ""
    rounded = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return re.sub(r"(?<=\d)(?=(\d{3})+$)", " ", f"{rounded:f}")


def format_date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def parse_amount(text: str) -> Decimal:
    """Read '1 234,56', '1234.56', '1 234,56 €' as Decimal('1234.56'). Raises ValueError."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    if "," in cleaned and "." in cleaned:
        raise ValueError("ambiguous separators")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError("not a number")
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError("not a number") from error


class AmountField(forms.DecimalField):
    """A euro amount typed the French or the English way: positive, 2 decimals at most."""

    default_error_messages = {
        "invalid": _("Enter an amount such as 1 234,56 or 1234.56."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("max_value", MAX_AMOUNT)
        kwargs.setdefault("localize", False)
        super().__init__(**kwargs)
        self.error_messages["min_value"] = _("The amount must be positive.")
        self.error_messages["max_value"] = _("The amount cannot exceed 9 999 999,99 €.")
        self.error_messages["max_decimal_places"] = _("Use at most 2 decimals (cents).")
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(str(value))
        except ValueError as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error

    def prepare_value(self, value):
        # Show a stored amount as the user would type it: 1234,56.
        if isinstance(value, Decimal):
            return f"{value:f}".replace(".", ",")
        return value
