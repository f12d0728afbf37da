"""How money, numbers and dates are shown to users (French conventions). Reading what users
type is `certeef.numbers`."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

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


def format_decimal(value: Decimal | int) -> str:
    """A number as typed back into a form, French way, its own decimals kept:
    Decimal('38500.00') → '38 500,00', 38500 → '38 500', Decimal('-0.5') → '-0,5'."""
    number = Decimal(value)
    whole, _dot, fraction = f"{abs(number):f}".partition(".")
    grouped = re.sub(r"(?<=\d)(?=(\d{3})+$)", " ", whole)
    sign = "-" if number < 0 else ""
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_minutes_as_hours(minutes: int | None) -> str:
    """210 → '3,5'; 200 → '3,33' (hours rounded half-up to two decimals); 0 → '0'."""
    if minutes is None:
        return ""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"{hours:f}".rstrip("0").rstrip(".") if "." in f"{hours:f}" else f"{hours:f}"
    return text.replace(".", ",")


def format_date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
