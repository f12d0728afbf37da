"""How a row finds the record it is about, among the organisation's records only.

Each model is read once into an `Index` (its rows by id, and by each of its keys); a key names a
record in a cell: a company by SIRET or name, a learner by email or names, a course by reference or
title, a session by reference or course + start date. A key matching several records is an error
naming them ("ambiguous"), never a guess.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from imports.columns import CellError, RowErrors, casefold_key
from training.models import Course


def digits(text: str) -> str:
    """A SIRET or a number as typed ("123 456 789 00012") → its digits only."""
    return "".join(text.split())


# A key of a record (its field values by attname), or None when the record has none.
type KeyOf = Callable[[dict[str, Any]], tuple[Any, ...] | None]
type Keys = dict[str, KeyOf]


class Index[M: Model]:
    """An organisation's records of one model, found by a key (several may share one)."""

    def __init__(self, model: type[M], queryset: QuerySet[M], keys: Keys) -> None:
        self.model = model
        self.field_names = [field.attname for field in model._meta.concrete_fields]
        self.rows: dict[int, tuple] = {}
        self.by_key: dict[str, dict[tuple, list[int]]] = {name: defaultdict(list) for name in keys}
        pk_index = self.field_names.index("id")
        for values in queryset.values_list(*self.field_names):
            pk = values[pk_index]
            self.rows[pk] = values
            record = dict(zip(self.field_names, values, strict=True))
            for name, key_of in keys.items():
                key = key_of(record)
                if key is not None:
                    self.by_key[name][key].append(pk)

    def find(self, name: str, key: tuple[Any, ...]) -> list[int]:
        return self.by_key[name].get(key, [])

    def instance(self, pk: int) -> M:
        return self.model.from_db("default", self.field_names, self.rows[pk])

    def add(self, instance: M, keys: Keys) -> None:
        values = tuple(getattr(instance, name) for name in self.field_names)
        self.rows[instance.pk] = values
        record = dict(zip(self.field_names, values, strict=True))
        for name, key_of in keys.items():
            key = key_of(record)
            if key is not None and instance.pk not in self.by_key[name][key]:
                self.by_key[name][key].append(instance.pk)


def one_match[M: Model](
    found: list[int], index: Index[M], column: str, what: str, key_text: str
) -> M | None:
    """The one record a key found (None when none); several are an error naming them."""
    if not found:
        return None
    if len(found) > 1:
        raise RowErrors(
            [
                (
                    column,
                    _("Ambiguous: %(count)s %(what)s match “%(key)s” (#%(ids)s): fix them first.")
                    % {
                        "count": len(found),
                        "what": what,
                        "key": key_text,
                        "ids": ", #".join(str(pk) for pk in sorted(found)),
                    },
                )
            ]
        )
    return index.instance(found[0])


def company_keys() -> Keys:
    return {
        "siret": lambda record: (record["siret"],) if record["siret"] else None,
        "name": lambda record: casefold_key(record["name"]),
    }


def learner_keys() -> Keys:
    return {
        "email": lambda record: (record["email"].casefold(),) if record["email"] else None,
        "name": lambda record: casefold_key(record["last_name"], record["first_name"]),
    }


def course_keys() -> Keys:
    return {
        "reference": lambda record: (
            casefold_key(record["reference"]) if record["reference"] else None
        ),
        "title": lambda record: casefold_key(record["title"]),
    }


def session_keys() -> Keys:
    return {
        "reference": lambda record: (
            casefold_key(record["reference"]) if record["reference"] else None
        ),
        "course_start": lambda record: (record["course_id"], record["start_date"]),
    }


def find_course(index: Index[Course], column: str, text: str) -> Course:
    """A course named in a cell by its reference, else its title (within the organisation)."""
    key = casefold_key(text)
    found = index.find("reference", key) or index.find("title", key)
    course = one_match(found, index, column, _("courses"), text)
    if course is None:
        raise CellError(
            column,
            _("No course of yours has the reference or title “%(course)s”.") % {"course": text},
        )
    return course
