"""Moving a hand-made change log into the history (certeef/history.py), for the migrations that
replace one (`OrganizationChange`, `BpfInputsChange`): every recorded change is kept — who,
when, each field's value before and after — and the history then shows the same changes.

An old log row is `{field name: [before, after]}`, the values as text (None when empty), with
its author and time. The history instead keeps each state of the object (a row per save) and
shows a change as the difference between two states that follow each other. So:

- the state before the first recorded change is worked out backwards from the object as it is
  now, undoing each recorded change (its "before" values), and kept as the object's first
  history row (created, by nobody, at `baseline_at`): unchanged objects get it too, so that
  their next save shows only what it changes;
- each recorded change then becomes a history row: that state with the change's "after" values,
  by its author, at its time;
- where a recorded "before" is not the state the previous rows leave (the value was changed in a
  way the old log did not record, e.g. in the Django admin), a row by nobody with the reason
  `UNRECORDED` is put first, dated at the latest moment it could have happened, so that no value
  the old log kept is lost; the same at the end if the object now differs from the last change.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from certeef.history import concrete_field

# Stored as data (a migration has no user language to translate into): both languages.
UNRECORDED = (
    "Changé sans trace dans l’ancien journal, au plus tard à cette date. "
    "Changed without a record in the former log, at the latest on this date."
)


@dataclass(frozen=True)
class LoggedChange:
    at: datetime.datetime
    user_id: int | None
    changes: dict[str, list[str | None]]  # {field name: [before, after]} as text


def _value(field: models.Field, text: str | None) -> object:
    if text is None:
        return None if field.null else ""
    return field.to_python(text)


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def history_rows(
    *,
    historical_model: type[models.Model],
    instance: models.Model,
    fields: Sequence[str],
    log: Iterable[LoggedChange],
    baseline_at: datetime.datetime,
) -> list[models.Model]:
    """The history rows (unsaved) that tell `instance`'s logged changes, oldest first."""
    entries = sorted(log, key=lambda entry: entry.at)
    model_fields = {name: concrete_field(historical_model, name) for name in fields}

    def before_and_after(entry: LoggedChange) -> tuple[dict, dict]:
        befores = {n: _value(model_fields[n], b) for n, (b, _a) in entry.changes.items()}
        afters = {n: _value(model_fields[n], a) for n, (_b, a) in entry.changes.items()}
        return befores, afters

    current = {name: getattr(instance, model_fields[name].attname) for name in fields}
    state = dict(current)
    for entry in reversed(entries):
        state.update(before_and_after(entry)[0])

    rows: list[models.Model] = []

    def add(kind: str, at: datetime.datetime, user_id: int | None, reason: str | None) -> None:
        rows.append(
            historical_model(
                id=instance.pk,
                **{model_fields[name].attname: value for name, value in state.items()},
                history_type=kind,
                history_date=at,
                history_user_id=user_id,
                history_change_reason=reason,
            )
        )

    add("+", min([baseline_at, *(entry.at for entry in entries)]), None, None)
    for entry in entries:
        befores, afters = before_and_after(entry)
        gaps = {name: value for name, value in befores.items() if state[name] != value}
        if gaps:
            state.update(gaps)
            add("~", entry.at, None, UNRECORDED)
        state.update(afters)
        add("~", entry.at, entry.user_id, None)
    if state != current:
        state = dict(current)
        add("~", timezone.now(), None, UNRECORDED)
    return rows


def logged_changes(
    records: Iterable[Any], fields: Sequence[str], *, with_creation: bool
) -> list[LoggedChange]:
    """Back the other way (a migration's reverse): one log row per history row that changed a
    field; the first row's values as changes from nothing if the old log recorded creations."""
    entries = []
    previous = None
    for record in sorted(records, key=lambda record: (record.history_date, record.history_id)):
        if previous is None and not with_creation:
            previous = record
            continue
        changes = {}
        for name in fields:
            before = _text(getattr(previous, name)) if previous is not None else None
            after = _text(getattr(record, name))
            if before != after:
                changes[name] = [before, after]
        if changes:
            entries.append(LoggedChange(record.history_date, record.history_user_id, changes))
        previous = record
    return entries
