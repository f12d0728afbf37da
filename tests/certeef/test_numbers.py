"""French input everywhere (DESIGN.md): one parser for every number field."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from certeef.formats import format_decimal
from certeef.numbers import (
    AmountField,
    DecimalNumberField,
    WholeNumberField,
    parse_number,
)

SPACES = [" ", "\u00a0", "\u202f"]


def group(integer: int, separator: str) -> str:
    text = str(integer)
    groups: list[str] = []
    while text:
        groups.insert(0, text[-3:])
        text = text[:-3]
    return separator.join(groups)


def refused(text: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_number(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("38 500", "38500"),
        ("38 500,00", "38500.00"),
        ("38500,5", "38500.5"),
        ("38 500,00 €", "38500.00"),
        ("38\u00a0500,00", "38500.00"),
        ("38\u202f500,00\u00a0€", "38500.00"),
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1 234 567,89", "1234567.89"),
        ("1.234.567", "1234567"),
        ("1,234,567", "1234567"),
        ("0,500", "0.500"),
        ("1 234,567", "1234.567"),
        ("1234,567", "1234.567"),
        ("-12,5", "-12.5"),
        ("  7  ", "7"),
    ],
)
def test_reads_french_and_english_spellings(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("38,500", ("38 500", "38,5")),
        ("1.500", ("1 500", "1,5")),
        ("999.001", ("999 001", "999,001")),
    ],
)
def test_a_lone_mark_before_three_digits_is_ambiguous_and_both_readings_are_offered(text, readings):
    error = refused(text)
    assert error.code == "ambiguous"
    message = error.messages[0]
    assert text in message
    assert all(reading in message for reading in readings)


def test_ambiguous_message_in_french():
    with translation.override("fr"):
        # French typography: a non-breaking space before the colon and the question mark.
        assert refused("38,500").messages == [
            "38,500\u00a0: voulez-vous dire 38 500 ou 38,5\u00a0?"
        ]


@pytest.mark.parametrize(
    "text", ["12,345,67", "1.234,5.6", "38 50", "abc", "5,", "1,2,3", "3-4", ""]
)
def test_malformed_values_are_refused_never_guessed(text):
    refused(text)


def test_a_misplaced_separator_offers_its_likely_reading():
    error = refused("12,345,67")
    assert error.code == "did_you_mean"
    assert "12 345,67" in error.messages[0]
    with translation.override("fr"):
        assert "voulez-vous dire 12 345,67" in refused("12,345,67").messages[0]


def test_two_decimal_marks_are_refused_with_a_reason():
    assert refused("1.234,5.6").code == "two_marks"


amounts = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2)


@given(amount=amounts, space=st.sampled_from(SPACES), euro=st.booleans())
@example(amount=Decimal("38500.00"), space=" ", euro=True)
def test_french_spellings_read_back_exactly(amount, space, euro):
    integer, _dot, cents = f"{amount:f}".partition(".")
    text = group(int(integer), space) + ("," + cents if cents else "")
    if euro:
        text += f"{space}€"
    assert parse_number(text) == amount


@given(amount=amounts)
def test_english_spellings_read_back_exactly(amount):
    integer, _dot, cents = f"{amount:f}".partition(".")
    assert parse_number(group(int(integer), ",") + "." + cents) == amount
    assert parse_number(integer + "." + cents) == amount


@given(amount=amounts)
def test_a_number_shown_the_french_way_reads_back(amount):
    assert parse_number(format_decimal(amount)) == amount
    assert parse_number(group(int(amount), ".") + "," + f"{amount:f}".partition(".")[2]) == amount


@given(integer=st.integers(min_value=1, max_value=999), thousandths=st.integers(0, 999))
def test_every_lone_mark_before_three_digits_is_ambiguous(integer, thousandths):
    for mark in ",.":
        with pytest.raises(ValidationError) as caught:
            parse_number(f"{integer}{mark}{thousandths:03d}")
        assert caught.value.code == "ambiguous"


@given(number=st.integers(min_value=0, max_value=10**9), space=st.sampled_from(SPACES))
def test_whole_euros_accept_zero_cents_and_refuse_others(number, space):
    field = WholeNumberField(euros=True)
    assert field.clean(group(number, space) + ",00") == number
    assert field.clean(group(number, space)) == number
    with pytest.raises(ValidationError) as caught:
        field.clean(group(number, space) + ",50")
    assert caught.value.code == "cents"


def test_whole_number_fields_refuse_fractions():
    with pytest.raises(ValidationError) as caught:
        WholeNumberField().clean("3,5")
    assert caught.value.code == "fraction"


def test_cents_message_in_french():
    with translation.override("fr"):
        with pytest.raises(ValidationError) as caught:
            WholeNumberField(euros=True).clean("38 500,50")
        assert (
            "38 500,50 a des centimes\u00a0: saisissez des euros entiers"
            in (caught.value.messages[0])
        )


def test_fields_show_values_back_the_french_way():
    assert AmountField().prepare_value(Decimal("38500.00")) == "38 500,00"
    assert WholeNumberField().prepare_value(38500) == "38 500"
    # A text input: a browser's number input would refuse "38 500,00".
    assert AmountField().widget.input_type == "text"


def test_amounts_keep_their_bounds_and_decimals():
    field = AmountField()
    assert field.clean("38 500,00 €") == Decimal("38500.00")
    for bad in ["0", "-5", "10 000 000", "12,345"]:
        with pytest.raises(ValidationError):
            field.clean(bad)
    with pytest.raises(ValidationError):
        DecimalNumberField(max_digits=9, decimal_places=2).clean("1,5555")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_dates_are_day_first_in_both_languages(language):
    with translation.override(language):
        assert forms.DateField().clean("05/03/2025") == datetime.date(2025, 3, 5)
        assert forms.DateField().clean("2025-03-05") == datetime.date(2025, 3, 5)
        with pytest.raises(ValidationError):
            forms.DateField().clean("03/25/2025")  # month first is never read
