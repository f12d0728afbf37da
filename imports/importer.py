"""What every kind of import is: one row validated, then written (created, updated or unchanged).

`Importer` is the contract the engine runs (a row's identity in the file, then `apply`);
`FormImporter` is a kind whose rows are one record each, validated by the form the interface uses
for the same record (same messages, in the user's language) and written through the same save. A
cell left empty keeps the stored value of an existing record (an import completes records, it does
not blank them); a new record gets the form's default. A row whose values are all those stored is
"unchanged" and not written at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.db.models import Model
from django.forms import ModelForm
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from imports.columns import Column, RowErrors

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from certeef.models import Organization

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


class Importer:
    """One kind's rows for one organisation. `key(values)` is the row's identity in the file
    (two rows with the same key are an error); `apply(values)` validates and writes one row and
    says whether it created, updated or left a record unchanged."""

    label: ClassVar[Any] = ""
    columns: ClassVar[list[Column]] = []
    # Whether each row runs in a savepoint, so that a row refused half-way leaves nothing:
    # needed when a row writes more than once; a kind whose row is one save (or none) does
    # without (two statements a row saved).
    row_savepoint: ClassVar[bool] = True

    def __init__(self, organization: Organization, user: User | None = None) -> None:
        self.organization = organization
        self.user = user
        self.notices: list[str] = []

    @classmethod
    def column_list(cls) -> list[Column]:
        return cls.columns

    def key(self, values: dict[str, str]) -> tuple[str, tuple]:
        raise NotImplementedError

    def finish(self) -> None:
        """After the last row: write what was kept for a batch."""

    def apply(self, values: dict[str, str]) -> str:
        raise NotImplementedError


class FormImporter[M: Model](Importer):
    """A kind whose rows are one record each, validated by the interface's form."""

    model: type[M]
    form_class: ClassVar[type[ModelForm[Any]]]
    # The form_class an import validates with (import_form_class), made once per kind.
    _import_form_class: ClassVar[type[ModelForm[Any]]]
    # Form field → the column its value (and its error) comes from.
    fields: ClassVar[dict[str, str]] = {}
    default_column: ClassVar[str] = ""
    # The key's kind (see `key`) → the column it is read from.
    key_columns: ClassVar[dict[str, str]] = {}

    def form_kwargs(self) -> dict:
        return {}

    def find(self, values: dict[str, str]) -> M | None:
        raise NotImplementedError

    def form_values(self, values: dict[str, str]) -> dict[str, Any]:
        """The row's values as form data, by form field (only the cells that are not empty)."""
        return {
            field: values[column] for field, column in self.fields.items() if values.get(column)
        }

    def save(self, instance: M, created: bool) -> None:
        instance.save()

    def remember(self, instance: M) -> None:
        """A record created by this file: later rows of other kinds may look it up."""

    # New records are written in batches at the end (`finish`) instead of one INSERT a row:
    # for kinds whose save is a plain save (no figures of a session change).
    bulk_create: ClassVar[bool] = False
    BATCH = 1000
    # A row is validated, then saved once (or kept for a batch): nothing to undo on refusal.
    row_savepoint = False

    @classmethod
    def import_form_class(cls) -> type[ModelForm[Any]]:
        """The interface's form, minus one step: the model's check constraints are left to the
        database (every one of them is also a rule of the form's fields or of its clean(), and
        Django checks them with one query each, a row)."""
        cached = cls.__dict__.get("_import_form_class")
        if cached is None:
            base = cls.form_class

            def clean(self: ModelForm[Any]) -> dict[str, Any] | None:
                cleaned = base.clean(self)
                # Django's own switch (private, so not in the stubs) for _post_clean.
                self._validate_constraints = False  # type: ignore[attr-defined]
                return cleaned

            # A class made at run time, which a type checker cannot follow.
            cached = cast(
                "type[ModelForm[Any]]", type(f"Import{base.__name__}", (base,), {"clean": clean})
            )
            cls._import_form_class = cached
        return cached

    def apply(self, values: dict[str, str]) -> str:
        instance = self.find(values)
        created = instance is None
        form_class = self.import_form_class()
        names = list(form_class.base_fields)
        # The record's current values (a new one's defaults), then the row's non-empty cells.
        current = model_to_dict(instance if instance is not None else self.model(), fields=names)
        data = {name: "" if current.get(name) is None else current[name] for name in names}
        data.update(self.form_values(values))
        form = self.bound_form(form_class, data, instance)
        if created:
            form.instance.organization = self.organization
        before = model_to_dict(form.instance) if not created else None
        if not form.is_valid():
            errors: list[tuple[str, str]] = []
            for field, messages in form.errors.items():
                column = self.fields.get(field, self.default_column)
                errors.extend((column, str(message)) for message in messages)
            raise RowErrors(errors)
        record = form.save(commit=False)
        if not created and model_to_dict(record) == before:
            return UNCHANGED
        if created and self.bulk_create:
            self.hold(record)
            if len(self.pending) >= self.BATCH:
                self.finish()
            return CREATED
        self.save(record, created)
        self.remember(record)
        return CREATED if created else UPDATED

    def bound_form(
        self, form_class: type[ModelForm[Any]], data: dict[str, Any], instance: Model | None
    ) -> ModelForm[Any]:
        """The form bound to this row. For the kinds whose form does not depend on the record
        (learners, companies), one form is built and bound to each row in turn: Django copies
        every field of a form when it is built, the largest part of the time a row takes."""
        form = self.__dict__.get("_form")
        if not self.bulk_create or form is None:
            form = form_class(data=data, instance=instance, **self.form_kwargs())
            if self.bulk_create:
                self._form = form
            return form
        form.data = data
        form.instance = instance if instance is not None else self.model()
        form._errors = None
        if hasattr(form, "cleaned_data"):
            del form.cleaned_data
        return form

    def hold(self, record: M) -> None:
        """Keep a new record for the next batch; its keys are taken: a later row of the file
        that would match it is refused (it cannot update a record not written yet)."""
        self.pending.append(record)
        values = {
            field.attname: getattr(record, field.attname)
            for field in self.model._meta.concrete_fields
        }
        for name, key_of in self.index_keys().items():
            key = key_of(values)
            if key is not None:
                self.pending_keys.add((name, key))

    def check_not_pending(self, name: str, key: tuple, column: str) -> None:
        if (name, key) in self.pending_keys:
            raise RowErrors([(column, _("Another line of this file creates this record already."))])

    @classmethod
    def index_keys(cls) -> dict:
        return {}

    @property
    def pending_keys(self) -> set:
        if "_pending_keys" not in self.__dict__:
            self._pending_keys: set = set()
        return self._pending_keys

    @property
    def pending(self) -> list[M]:
        if "_pending" not in self.__dict__:
            self._pending: list[M] = []
        return self._pending

    def finish(self) -> None:
        if self.pending:
            self.model._default_manager.bulk_create(self.pending, batch_size=self.BATCH)
            self.pending.clear()
