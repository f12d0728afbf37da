"""History of every change that moves money or a BPF figure: who, when, before → after, why.

Each app registers its own models, right after defining them (the history tables are that app's,
created by its migrations), naming the fields that matter:

    from certeef.history import track_history
    track_history(Session, fields=["start_date", "end_date", "hours", "delivery"])

A field added later joins the history by one more name in that list (then `makemigrations`).
Built on django-simple-history (a historical table per model; works on SQLite and PostgreSQL):
every `save()` and `delete()` writes a row with the tracked fields as they are after it; the user
comes from the request (its middleware, in settings), the reason from `set_change_reason`. Writes
with `QuerySet.update()` record nothing: a service that writes that way records the change itself
with `record_change`.

`changes_of(obj)` reads an object's history back as a list of `Change` rows for its pages
(templates/history/changes.html), newest first.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import simple_history
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from certeef.validators import NOTE_MAX_LENGTH

if TYPE_CHECKING:
    from typing import Any

    from django.contrib.auth.models import User

_records: dict[type[models.Model], HistoricalRecords] = {}
_fields: dict[type[models.Model], tuple[str, ...]] = {}


class _Records(HistoricalRecords):
    """django-simple-history's recorder, remembered per model for `record_change`."""

    def finalize(self, sender: type[models.Model], **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        _records[sender] = self


def track_history(model: type[models.Model], *, fields: Iterable[str]) -> None:
    """Keep the history of these fields of `model` (call it in its models.py, after the class)."""
    tracked = tuple(fields)
    names = {field.name for field in model._meta.concrete_fields}
    unknown = set(tracked) - names
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    primary_key = model._meta.pk.name
    excluded = [name for name in names if name not in tracked and name != primary_key]
    simple_history.register(
        model,
        records_class=_Records,
        excluded_fields=excluded,
        # The reason is a note's length at most (the forms' limit), and a bounded column.
        history_change_reason_field=models.CharField(max_length=NOTE_MAX_LENGTH, null=True),
    )
    _fields[model] = tracked


# django-simple-history reads the reason and the user of the next record from these attributes
# of the instance, which no model declares: set here only.
def set_change_reason(instance: models.Model, reason: str | None) -> None:
    """The reason the next record of this instance keeps (its next `save()`, or `record_change`)."""
    instance._change_reason = reason  # type: ignore[attr-defined]


def set_change_user(instance: models.Model, user: User) -> None:
    """Who the next record of this instance names (else the request's user): for a service that
    may run outside a request."""
    instance._history_user = user  # type: ignore[attr-defined]


def record_change(instance: models.Model, *, user: User | None = None, reason: str = "") -> None:
    """Record the instance as it is now (after a write that sent no signal, e.g. `update()`):
    by `user` (else the request's), because of `reason`."""
    set_change_reason(instance, reason or None)
    if user is not None:
        set_change_user(instance, user)
    _records[type(instance)].create_historical_record(instance, "~")


def history_manager(model_or_instance: type[models.Model] | models.Model) -> Any:
    """django-simple-history's manager: all the records of a model, or those of one instance."""
    model = model_or_instance if isinstance(model_or_instance, type) else type(model_or_instance)
    return getattr(model_or_instance, _records[model].manager_name)


@dataclass(frozen=True)
class Change:
    at: datetime.datetime
    by: object  # the user, or None (a script, a deleted account)
    field: str  # the field's verbose name
    before: str
    after: str
    reason: str
    kind: str  # "+" created, "~" changed, "-" deleted


def concrete_field(model: type[models.Model], name: str) -> models.Field:
    """A field with a column (a tracked field, a historical model's): never a reverse relation."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # track_history checked the names it keeps
    return field


def _display(model: type[models.Model], name: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    field = concrete_field(model, name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        target = field.related_model._default_manager.filter(pk=value).first()
        return str(target) if target is not None else f"#{value}"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, Decimal | int):
        return str(formats.localize(value, use_l10n=True))
    return str(value)


def changes_of(
    obj: models.Model,
    fields: Sequence[str] | None = None,
    *,
    since: datetime.datetime | None = None,
) -> list[Change]:
    """The object's history, newest first: one row per field that changed (the creation's values
    as changes from "—"); with `since`, only the changes made after that moment."""
    model = type(obj)
    tracked = [name for name in _fields[model] if fields is None or name in fields]
    records = list(
        history_manager(obj).select_related("history_user").order_by("history_date", "history_id")
    )
    rows: list[Change] = []
    previous = None
    for record in records:
        for name in tracked:
            attname = concrete_field(model, name).attname
            after = getattr(record, attname)
            before = getattr(previous, attname) if previous is not None else None
            if previous is not None and before == after:
                continue
            if previous is None and after in (None, ""):
                continue
            rows.append(
                Change(
                    at=record.history_date,
                    by=record.history_user,
                    field=str(concrete_field(model, name).verbose_name),
                    before=_display(model, name, before),
                    after=_display(model, name, after),
                    reason=record.history_change_reason or "",
                    kind=record.history_type,
                )
            )
        previous = record
    rows.reverse()
    if since is not None:
        # Filtered here, not in the query: a change's "before" is the record preceding it.
        rows = [row for row in rows if row.at > since]
    return rows
