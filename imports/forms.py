from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certeef.forms import form_field
from imports.columns import normalize
from imports.engine import MappingError, check_mapping
from imports.files import MAX_BYTES, FileError, read_table
from imports.registry import KINDS

if TYPE_CHECKING:
    from typing import Any

    from imports.columns import Column
    from imports.files import Table


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (from Excel or elsewhere) or XLSX, at most 20 MB and 100 000 rows."),
    )
    sheet = forms.CharField(
        label=_("Sheet"),
        required=False,
        max_length=100,
        help_text=_("XLSX only: blank for the first sheet."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "kind", forms.ChoiceField).choices = [
            (name, cls.label) for name, cls in KINDS.items()
        ]
        self.table: Table | None = None
        self.data_bytes = b""

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_BYTES:
            self.add_error(
                "file",
                _("The file is larger than %(limit)s MB: split it into smaller files.")
                % {"limit": MAX_BYTES // (1024 * 1024)},
            )
            return cleaned
        self.data_bytes = upload.read()
        try:
            self.table = read_table(self.data_bytes, upload.name, cleaned.get("sheet") or None)
        except FileError as error:
            self.add_error("file", error.message)
        return cleaned


NOT_IMPORTED = ""


class MappingForm(forms.Form):
    """For each column the kind understands, the file's column it is read from (or none)."""

    def __init__(
        self,
        *args: Any,
        columns: list[Column],
        headers: list[str],
        initial_mapping: dict[str, int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        self.headers = headers
        choices = [(NOT_IMPORTED, _("— not imported —"))] + [
            (str(index), header or f"#{index + 1}") for index, header in enumerate(headers)
        ]
        for column in columns:
            self.fields[column.key] = forms.ChoiceField(
                label=column.label,
                choices=choices,
                required=False,
                help_text=column.help,
                initial=str(initial_mapping[column.key])
                if column.key in initial_mapping
                else NOT_IMPORTED,
            )
            if column.required:
                self.fields[column.key].widget.attrs["aria-required"] = "true"

    def mapping(self) -> dict[str, int]:
        return {
            key: int(value)
            for key, value in self.cleaned_data.items()
            if value not in (None, NOT_IMPORTED)
        }

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if not self.errors:
            try:
                check_mapping(self.columns, self.mapping(), self.headers)
            except MappingError as error:
                raise forms.ValidationError(error.message) from error
        return cleaned

    def remembered(self) -> dict[str, str]:
        """What to remember: each column's header, normalised."""
        return {key: normalize(self.headers[index]) for key, index in self.mapping().items()}
