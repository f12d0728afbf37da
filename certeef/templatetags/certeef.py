"""Template filters for French display of money, numbers and dates (loaded as builtins)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from certeef import formats

if TYPE_CHECKING:
    import datetime
    from decimal import Decimal

register = template.Library()


@register.filter
def euros(value: Decimal | int | None) -> str:
    """{{ amount|euros }} → 1 234,56 €"""
    return formats.format_euros(value)


@register.filter
def number(value: Decimal | int | None) -> str:
    """{{ hours|number }} → 12 345"""
    return formats.format_number(value)


@register.filter
def frdate(value: datetime.date | None) -> str:
    """{{ day|frdate }} → 31/12/2025"""
    return formats.format_date(value)


@register.filter
def minutes_as_hours(value: int | None) -> str:
    """{{ 210|minutes_as_hours }} → 3,5 (hours, French decimal comma, no useless zeros)"""
    return formats.format_minutes_as_hours(value)
