"""The columns an import understands: their names in French and English, and reading a cell.

Header names are compared without case, accents or punctuation ("Prénom", "PRENOM", "prénom :"
are one name); each column lists the names people give it in both languages.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    """'Employeur (SIRET)' → 'employeur siret'; 'Prénom' → 'prenom'."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", plain.casefold()).strip()


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    names: tuple[str, ...]
    required: bool = False
    help: StrOrPromise = ""

    def matches(self, header: str) -> bool:
        wanted = normalize(header)
        return bool(wanted) and wanted in {normalize(name) for name in self.names}


class CellError(Exception):
    """A cell's value is refused; `column` is the column's key."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


class RowErrors(Exception):
    """One row's errors: (column key or "", message)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def from_validation_error(
        cls, error: ValidationError, fields: dict[str, str], default: str = ""
    ) -> RowErrors:
        """A form's or a service's error, each field named by the column it comes from."""
        errors = []
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                for message in messages:
                    errors.append((fields.get(field, default), message))
        else:
            errors = [(default, message) for message in error.messages]
        return cls(errors)


@functools.cache
def choice_lookup(choices: type[TextChoices]) -> dict[str, str]:
    """Every way to write a choice — its code, its English and its French label — normalised,
    to its code. (Built once: the labels of both languages do not change while running.)"""
    lookup: dict[str, str] = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for value, label in choices.choices:
                lookup[normalize(str(label))] = value
    for value in choices.values:
        lookup[normalize(value)] = value
    return lookup


def read_choice(column: str, text: str, choices: type[TextChoices]) -> str:
    code = choice_lookup(choices).get(normalize(text))
    if code is None:
        raise CellError(
            column,
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(str(label) for label in choices.labels)},
        )
    return code


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d/%m/%Y %H:%M")


def read_date(column: str, text: str) -> datetime.date:
    text = text.strip()
    for date_format in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise CellError(column, _("“%(value)s” is not a date: write it dd/mm/yyyy.") % {"value": text})


_TRUE = {"1", "oui", "yes", "vrai", "true", "x", "o", "y"}
_FALSE = {"0", "non", "no", "faux", "false", "n"}


def read_boolean(column: str, text: str) -> bool:
    word = normalize(text)
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellError(column, _("“%(value)s”: write yes or no (oui or non).") % {"value": text})


def casefold_key(*parts: str) -> tuple[str, ...]:
    return tuple(" ".join(part.split()).casefold() for part in parts)


def auto_map(columns: Iterable[Column], headers: list[str]) -> dict[str, int]:
    """Each column → the index of the first header that names it."""
    mapping: dict[str, int] = {}
    taken: set[int] = set()
    for column in columns:
        for index, header in enumerate(headers):
            if index not in taken and column.matches(header):
                mapping[column.key] = index
                taken.add(index)
                break
    return mapping


def form_columns(form_class: type[forms.BaseForm], names: Iterable[str]) -> list[Column]:
    """Columns for a form's fields, named by their labels in both languages and their code."""
    columns = []
    form = form_class()
    for name in names:
        field = form.fields[name]
        labels = [name]
        for language in ("en", "fr"):
            with translation.override(language):
                labels.append(str(field.label or name))
        columns.append(Column(name, field.label or name, tuple(labels)))
    return columns


def read_form_value(field: forms.Field, column: str, text: str) -> Any:
    """A cell for a form field: yes/no for a checkbox, a code or label for a choice."""
    if isinstance(field, forms.BooleanField):
        return read_boolean(column, text)
    choices = getattr(field, "choices", None)
    if choices and not isinstance(field, forms.ModelChoiceField):
        lookup: dict[str, str] = {}
        for language in ("en", "fr"):
            with translation.override(language):
                for value, label in choices:
                    if value not in ("", None):
                        lookup[normalize(str(label))] = value
                        # "a — Private-sector employees": the letter alone too.
                        lookup.setdefault(normalize(str(label).split(" — ")[0]), value)
        for value, _label in choices:
            if value not in ("", None):
                lookup[normalize(str(value))] = value
        code = lookup.get(normalize(text))
        if code is None:
            raise CellError(
                column,
                _("“%(value)s” is not one of: %(choices)s.")
                % {
                    "value": text,
                    "choices": ", ".join(str(label) for value, label in choices if value),
                },
            )
        return code
    return text
