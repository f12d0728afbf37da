"""Template filters for French display of money, numbers and dates (loaded as builtins)."""

from __future__ import annotations

from django import template

from certeef import formats

register = template.Library()


@register.filter
def euros(value):
    """{{ amount|euros }} → 1 234,56 €"""
    return formats.format_euros(value)


@register.filter
def number(value):
    """{{ hours|number }} → 12 345"""
    return formats.format_number(value)


@register.filter
def frdate(value):
    """{{ day|frdate }} → 31/12/2025"""
    return formats.format_date(value)


@register.filter
def minutes_as_hours(value):
    """{{ 210|minutes_as_hours }} → 3,5 (hours, French decimal comma, no useless zeros)"""
    return formats.format_minutes_as_hours(value)
