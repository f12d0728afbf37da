from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from certeef.models import SETTINGS_FIELDS, Organization
from certeef.numbers import NumberModelForm
from certeef.validators import normalize_digits

# The one placeholder of an empty choice, in every form (Django's own "---------" is rendered the
# same by templates/django/forms/widgets/select_option.html).
EMPTY_CHOICE_LABEL = _("— choose —")


def form_field[F: forms.Field](form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """The form's field of this name, as the kind of field it is (a form's `fields` are plain
    `Field`s to a type checker), to set what only that kind has: a queryset, choices."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


class DigitsField(forms.CharField):
    """A number people type in groups (SIRET, NDA, case numbers): spaces are dropped before
    validation, so '732 829 320 00074' is read as '73282932000074'."""

    def to_python(self, value: object) -> str:
        return normalize_digits(super().to_python(value))


class OrganizationSettingsForm(NumberModelForm):
    class Meta:
        model = Organization
        fields = SETTINGS_FIELDS
        field_classes = {"siret": DigitsField, "nda": DigitsField}

    def clean_naf_code(self) -> str:
        return self.cleaned_data["naf_code"].upper()
