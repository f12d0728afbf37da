"""Numbers typed by users, read the French way and the English way (DESIGN.md, "French input
everywhere"). One parser, one family of form fields, used by every number field of every form
(ModelForms through `NumberModelForm`, the admin through `NUMBER_FORMFIELD_OVERRIDES`).

The rules:
- any space (ordinary, non-breaking U+00A0, narrow non-breaking U+202F) separates thousands;
- when both `,` and `.` appear, the last one is the decimal mark and the other one must separate
  groups of three digits (`1,234.56`, `1.234,56`);
- a lone `,` or `.` is the decimal mark — except when exactly three digits follow it and it
  could be a thousands separator (`38,500`, `1.500`): that is ambiguous, refused with both
  readings offered, never guessed;
- a trailing `€` is ignored.
A value that breaks them (`12,345,67`, `1.234,5.6`, `38 50`) is refused with a message that
offers the likely reading when there is one.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import ModelFormMetaclass
from django.utils.translation import gettext_lazy as _

from certeef.formats import MAX_AMOUNT, format_decimal

# Every character a French keyboard or a copied figure may put between thousands.
SPACES = " \u00a0\u202f\u2009\t"
_SPACE_RUN = re.compile(f"[{SPACES}]+")
_DIGITS = re.compile(r"\d+")
MAX_HOURS = Decimal("99999.99")
_GROUPED = re.compile(r"[1-9]\d{0,2}(?:[ ]\d{3})*|0")  # 1 234 567, after normalising the spaces

MESSAGES = {
    "invalid": _("Enter a number such as 38 500 or 38 500,50."),
    "ambiguous": _("%(value)s: did you mean %(first)s or %(second)s?"),
    "did_you_mean": _("%(value)s is not a number: did you mean %(reading)s?"),
    "cents": _("%(value)s has cents: enter whole euros, such as %(whole)s."),
    "fraction": _("Enter a whole number."),
    "two_marks": _("%(value)s is not a number: it has more than one decimal mark."),
}


def _reading(integer: str, fraction: str = "") -> str:
    """A reading offered back to the user, written the French way: 12 345,67 (38,500 → 38,5)."""
    fraction = fraction.rstrip("0")
    return format_decimal(Decimal(f"{integer or '0'}.{fraction}" if fraction else integer))


def _error(code: str, **params: str) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params)


def _grouped(integer: str, separator: str) -> str | None:
    """'1,234,567' with separator ',' → '1234567'; None when the groups are not of three."""
    normalised = integer.replace(separator, " ") if separator else integer
    return normalised.replace(" ", "") if _GROUPED.fullmatch(normalised) else None


def parse_number(text: str) -> Decimal:
    """Read what a user typed as a Decimal, or raise ValidationError (codes: invalid, ambiguous,
    did_you_mean). `38 500,00 €` → Decimal('38500.00'); `38,500` → ambiguous."""
    value = (text or "").strip()
    shown = value
    if value.endswith("€"):
        value = value[:-1].rstrip(SPACES)
    sign = ""
    if value[:1] in ("-", "+"):
        sign, value = ("-" if value[0] == "-" else ""), value[1:]
    value = _SPACE_RUN.sub(" ", value)
    if not value or not re.fullmatch(r"[\d ,.]+", value) or value[0] == " ":
        raise _error("invalid")
    has_spaces = " " in value

    marks = [char for char in value if char in ",."]
    if not marks:
        integer, fraction = value, ""
    elif len(set(marks)) == 2:
        # Both marks: the last is the decimal mark, the other separates groups of three.
        decimal_mark = marks[-1]
        separator = "," if decimal_mark == "." else "."
        integer, _mark, fraction = value.rpartition(decimal_mark)
        if decimal_mark in integer or separator in fraction:
            raise _error("two_marks", value=shown)
        if " " in fraction:
            raise _error("invalid")
        grouped = _grouped(integer, separator)
        if grouped is None or not _DIGITS.fullmatch(fraction):
            raise _error("invalid")
        return _to_decimal(sign, grouped, fraction)
    elif len(marks) == 1:
        integer, _mark, fraction = value.partition(marks[0])
        if " " in fraction or not _DIGITS.fullmatch(fraction):
            raise _error("invalid")
        # '38,500' or '1.500' could be thousands: ambiguous unless the integer part shows it
        # cannot be (spaces already mark the thousands, a leading 0, more than three digits).
        if len(fraction) == 3 and not has_spaces and re.fullmatch(r"[1-9]\d{0,2}", integer):
            raise _error(
                "ambiguous",
                value=shown,
                first=_reading(integer + fraction),
                second=_reading(integer, fraction),
            )
    else:
        # The same mark several times: thousands separators (1.234.567), or a slip such as
        # 12,345,67 whose likely reading is 12 345,67 — offered, never taken.
        separator = marks[0]
        grouped = _grouped(value, separator)
        if grouped is not None:
            return _to_decimal(sign, grouped, "")
        head, _mark, tail = value.rpartition(separator)
        head_grouped = _grouped(head, separator)
        if head_grouped is not None and _DIGITS.fullmatch(tail) and len(tail) != 3:
            raise _error("did_you_mean", value=shown, reading=_reading(head_grouped, tail))
        raise _error("invalid")

    if integer:
        grouped = _grouped(integer, "") if has_spaces else integer
        if grouped is None or not _DIGITS.fullmatch(grouped):
            raise _error("invalid")
    else:
        grouped = "0"
    return _to_decimal(sign, grouped, fraction)


def _to_decimal(sign: str, integer: str, fraction: str) -> Decimal:
    try:
        return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")
    except InvalidOperation as error:  # pragma: no cover - the patterns above only let digits in
        raise _error("invalid") from error


def _number_widget(inputmode: str) -> forms.TextInput:
    # A text input, not type=number: browsers refuse "38 500,00" in a number input.
    return forms.TextInput(attrs={"inputmode": inputmode, "autocomplete": "off"})


class DecimalNumberField(forms.DecimalField):
    """A decimal typed the French or the English way (see the module's rules); shown back the
    French way (38 500,00). `max_digits`/`decimal_places`/`min_value`/`max_value` as Django's."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _number_widget("decimal"))
        kwargs["localize"] = False
        super().__init__(**kwargs)

    # The stubs give DecimalField its parent IntegerField's to_python (-> int); Django's returns
    # a Decimal, as this one does.
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int):
            return Decimal(value)
        return parse_number(str(value))

    def prepare_value(self, value: Any) -> Any:
        return format_decimal(value) if isinstance(value, Decimal | int) else value


class WholeNumberField(forms.IntegerField):
    """A whole number (a count, hours, whole euros) read by the same parser: `38 500,00` is
    38 500; `38 500,50` is refused — with `euros=True` the message says cents are not asked."""

    def __init__(self, *, euros: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _number_widget("numeric"))
        kwargs["localize"] = False
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        super().__init__(**kwargs)
        self.euros = euros

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        number = parse_number(str(value))
        if number != number.to_integral_value():
            if self.euros:
                raise _error("cents", value=str(value).strip(), whole=format_decimal(int(number)))
            raise _error("fraction")
        return int(number)

    def prepare_value(self, value: Any) -> Any:
        return format_decimal(value) if isinstance(value, int) else value


def number_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """The form field of a model field, with this module's fields for numbers: the
    `formfield_callback` of `NumberModelForm` and the idea behind the admin's overrides."""
    if not db_field.choices:
        if isinstance(db_field, models.DecimalField):
            kwargs.setdefault("form_class", DecimalNumberField)
        elif isinstance(db_field, models.IntegerField) and not isinstance(
            db_field, models.AutoField
        ):
            kwargs.setdefault("form_class", WholeNumberField)
    return db_field.formfield(**kwargs)


class _NumberModelFormMetaclass(ModelFormMetaclass):
    # Django reads `formfield_callback` from the form's own Meta only: give every Meta ours.
    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> type:
        meta = attrs.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(number_formfield)
        return super().__new__(mcs, name, bases, attrs)


class NumberModelForm(forms.ModelForm, metaclass=_NumberModelFormMetaclass):
    """The project's ModelForm: its number fields read French input."""


# ModelAdmin.formfield_overrides: the admin's number fields read French input too (a text input
# replaces the admin's number widgets, which a browser would not let take "38 500,00").
_DECIMAL_ADMIN: dict[str, Any] = {"form_class": DecimalNumberField, "widget": forms.TextInput}
_WHOLE_ADMIN: dict[str, Any] = {"form_class": WholeNumberField, "widget": forms.TextInput}
NUMBER_FORMFIELD_OVERRIDES: dict[type[models.Field], dict[str, Any]] = {
    models.DecimalField: _DECIMAL_ADMIN,
    models.IntegerField: _WHOLE_ADMIN,
    models.SmallIntegerField: _WHOLE_ADMIN,
    models.BigIntegerField: _WHOLE_ADMIN,
    models.PositiveIntegerField: _WHOLE_ADMIN,
    models.PositiveSmallIntegerField: _WHOLE_ADMIN,
    models.PositiveBigIntegerField: _WHOLE_ADMIN,
}


# The presets the forms use: the family above with the bounds and messages of their unit.


class AmountField(DecimalNumberField):
    """A euro amount: positive, two decimals at most, at most 9 999 999,99 €."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("max_value", MAX_AMOUNT)
        super().__init__(**kwargs)
        self.error_messages["min_value"] = _("The amount must be positive.")
        self.error_messages["max_value"] = _("The amount cannot exceed 9 999 999,99 €.")
        self.error_messages["max_decimal_places"] = _("Use at most 2 decimals (cents).")


class PriceField(AmountField):
    """A price in euros HT: free courses (0) are allowed, negative prices are not."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)
        self.error_messages["min_value"] = _("A price cannot be negative.")


class HoursField(DecimalNumberField):
    """A number of hours, typed "3,5" or "3.5"; zero allowed, never negative."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 7)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_value", MAX_HOURS)
        super().__init__(**kwargs)
        self.error_messages["min_value"] = _("Hours cannot be negative.")
        self.error_messages["max_value"] = _("At most 99 999 hours.")
        self.error_messages["max_decimal_places"] = _("Use at most 2 decimals.")
        self.error_messages["max_digits"] = _("At most 99 999 hours.")
        self.error_messages["max_whole_digits"] = _("At most 99 999 hours.")
