"""Every free text has a maximum length: a longer one is refused with a form error next to the
field, the text kept whole; the model and the database refuse it too."""

from __future__ import annotations

import html
import importlib
import inspect
import pkgutil
import uuid
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.urls import reverse

from certeef.forms import DigitsField
from certeef.validators import ADDRESS_MAX_LENGTH, NOTE_MAX_LENGTH
from companies.models import Company
from funding import services
from funding.models import FundingAllocation, FundingStatus, FundingStatusChange
from funding.types import FundingType
from individuals.models import Individual
from learners.models import Learner
from tests.conftest import (
    make_company,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)

PRODUCT_APPS = [
    *("certeef", "learners", "companies", "training", "individuals", "funding", "bpf", "dashboard"),
]
# 10 000 characters that end recognisably (a cut text would lose "Fin.").
TEN_THOUSAND = ("Une note très longue. " * 500)[: 10_000 - 4] + "Fin."


def product_models() -> list[type[models.Model]]:
    return [model for label in PRODUCT_APPS for model in apps.get_app_config(label).get_models()]


def text_fields() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, field)
        for model in product_models()
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and field.editable
    ]


@pytest.mark.parametrize(
    ("model", "field"), text_fields(), ids=lambda value: getattr(value, "name", str(value))
)
def test_every_text_field_of_a_model_has_a_maximum_length(model, field):
    assert field.max_length is not None, f"{model.__name__}.{field.name}"
    assert any(
        isinstance(validator, MaxLengthValidator) and validator.limit_value == field.max_length
        for validator in field.validators
    ), f"{model.__name__}.{field.name}: the model does not validate its length"


@pytest.mark.parametrize(
    ("model", "field"),
    [(model, field) for model, field in text_fields() if isinstance(field, models.TextField)],
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_every_multi_line_text_is_limited_in_the_database_too(model, field):
    # A TextField column has no length of its own, on SQLite or PostgreSQL: a check does it.
    checks = [
        constraint
        for constraint in model._meta.constraints
        if isinstance(constraint, models.CheckConstraint)
        and field.name in str(constraint.condition)
    ]
    assert checks, f"{model.__name__}.{field.name} has no length check in the database"


def product_form_classes() -> list[type[forms.BaseForm]]:
    classes = set()
    for label in PRODUCT_APPS:
        package = apps.get_app_config(label).module
        assert package is not None
        for module_info in pkgutil.iter_modules(package.__path__):
            if module_info.name in ("migrations", "management", "templatetags", "tests"):
                continue
            module = importlib.import_module(f"{package.__name__}.{module_info.name}")
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                    classes.add(value)
    return sorted(classes, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


# Not free text: a value checked against a format (digits) or a list, whose own message is
# clearer than a length.
FORMAT_CHECKED = (DigitsField, forms.ChoiceField, forms.DateField, forms.UUIDField)


@pytest.mark.parametrize("form_class", product_form_classes(), ids=lambda cls: cls.__name__)
def test_every_text_a_user_can_type_in_a_form_has_a_maximum_length(form_class):
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.CharField) and not isinstance(field, FORMAT_CHECKED):
            if isinstance(field.widget, forms.HiddenInput):
                continue
            assert field.max_length is not None, f"{form_class.__name__}.{name}"


def test_the_form_walk_finds_the_forms():
    names = {cls.__name__ for cls in product_form_classes()}
    assert {"AllocationForm", "AllocationStatusForm", "LearnerForm"} <= names


# --- the forms: an error next to the field, the text kept whole --------------------------------


def assert_refused_and_kept(response, text: str, limit: int) -> None:
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert f"Ensure this value has at most {limit} characters (it has {len(text)})." in page
    assert text in page  # kept whole in the field, for the user to shorten
    assert "maxlength" not in response.text  # the browser must not cut a pasted text


@pytest.fixture
def funded_individual(organization):
    individual = make_individual(make_learner(organization))
    session = make_session(organization)
    make_enrollment(session, individual.learner)
    return individual, session


@pytest.mark.django_db
def test_a_ten_thousand_character_allocation_note_is_refused_and_kept(
    admin_client, funded_individual
):
    individual, session = funded_individual
    response = admin_client.post(
        reverse("individuals:funding_add", args=[individual.pk]),
        {
            "funding_type": "self_funded",
            "approved_amount": "900",
            "session": session.pk,
            "cpf_case_number": "",
            "funder_reference": "",
            "notes": TEN_THOUSAND,
            "form_token": str(uuid.uuid4()),
        },
    )
    assert_refused_and_kept(response, TEN_THOUSAND, NOTE_MAX_LENGTH)
    assert not FundingAllocation.objects.exists()


@pytest.mark.django_db
def test_a_ten_thousand_character_status_note_is_refused_and_kept(
    admin_client, admin_user, funded_individual
):
    individual, session = funded_individual
    allocation = services.allocation_create(
        organization=individual.organization,
        session=session,
        learner=individual.learner,
        individual=individual,
        funding_type=FundingType.SELF_FUNDED,
        approved_amount=Decimal("900"),
        created_by=admin_user,
    )
    response = admin_client.post(
        reverse("funding:allocation_status", args=[allocation.pk, FundingStatus.APPROVED]),
        {"version": allocation.version, "note": TEN_THOUSAND},
    )
    assert_refused_and_kept(response, TEN_THOUSAND, NOTE_MAX_LENGTH)
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.PENDING
    assert not FundingStatusChange.objects.exists()


@pytest.mark.django_db
def test_a_too_long_learner_address_is_refused_and_kept(admin_client, organization):
    address = ("12 rue de la Paix\n" * 30).strip()  # 539 characters on 30 lines
    response = admin_client.post(
        reverse("learners:create"),
        {"first_name": "Camille", "last_name": "Durand", "address": address},
    )
    assert_refused_and_kept(response, address, ADDRESS_MAX_LENGTH)
    assert not Learner.objects.exists()


@pytest.mark.django_db
def test_a_too_long_company_billing_address_is_refused_and_kept(admin_client, organization):
    address = "x" * (ADDRESS_MAX_LENGTH + 1)
    response = admin_client.post(
        reverse("companies:create"),
        {"name": "Boulangerie", "kind": "private_employer", "billing_address": address},
    )
    assert_refused_and_kept(response, address, ADDRESS_MAX_LENGTH)
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_too_long_individual_notes_are_refused_and_kept(admin_client, organization):
    individual = make_individual(make_learner(organization))
    response = admin_client.post(
        reverse("individuals:edit", args=[individual.pk]),
        {"billing_name": "", "billing_email": "", "billing_address": "", "notes": TEN_THOUSAND},
    )
    assert_refused_and_kept(response, TEN_THOUSAND, NOTE_MAX_LENGTH)
    individual.refresh_from_db()
    assert individual.notes == ""


@pytest.mark.django_db
def test_text_at_the_limit_is_saved_whole(admin_client, organization):
    address = "a" * ADDRESS_MAX_LENGTH
    response = admin_client.post(
        reverse("learners:create"),
        {"first_name": "Camille", "last_name": "Durand", "address": address},
    )
    assert response.status_code == 302
    assert Learner.objects.get().address == address


@pytest.mark.django_db
def test_the_admin_refuses_a_too_long_text_too(superuser_client, organization):
    response = superuser_client.post(
        reverse("admin:learners_learner_add"),
        {
            "organization": organization.pk,
            "first_name": "Camille",
            "last_name": "Durand",
            "address": TEN_THOUSAND,
        },
    )
    assert_refused_and_kept(response, TEN_THOUSAND, ADDRESS_MAX_LENGTH)
    assert not Learner.objects.exists()


# --- the model and the database -----------------------------------------------------------


@pytest.mark.django_db
def test_the_services_refuse_a_too_long_note(admin_user, funded_individual):
    individual, session = funded_individual
    with pytest.raises(ValidationError) as refused:
        services.allocation_create(
            organization=individual.organization,
            session=session,
            learner=individual.learner,
            individual=individual,
            funding_type=FundingType.SELF_FUNDED,
            approved_amount=Decimal("900"),
            created_by=admin_user,
            notes=TEN_THOUSAND,
        )
    assert "notes" in refused.value.message_dict
    assert not FundingAllocation.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        (Learner, "address", ADDRESS_MAX_LENGTH),
        (Company, "billing_address", ADDRESS_MAX_LENGTH),
        (Individual, "billing_address", ADDRESS_MAX_LENGTH),
        (Individual, "notes", NOTE_MAX_LENGTH),
    ],
)
def test_the_database_refuses_a_too_long_text(organization, model, field, limit):
    learner = make_learner(organization)
    row = {
        Learner: learner,
        Company: make_company(organization),
        Individual: make_individual(learner),
    }[model]
    model.objects.filter(pk=row.pk).update(**{field: "é" * limit})  # characters, not bytes
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: "é" * (limit + 1)})


@pytest.mark.django_db
def test_the_migration_stops_rather_than_cut_a_stored_text(organization, monkeypatch):
    migration = importlib.import_module("learners.migrations.0002_text_max_length")
    make_learner(organization, address="12 rue de la Paix")
    migration.refuse_longer_texts(apps, None)  # within the limit: nothing to say
    monkeypatch.setattr(migration, "LIMITS", [("learner", "address", 5)])
    with pytest.raises(RuntimeError, match=r"learner.address longer than 5 characters: ids \["):
        migration.refuse_longer_texts(apps, None)


@pytest.mark.django_db
def test_the_length_error_speaks_french(admin_client, organization, french):
    response = admin_client.post(
        reverse("learners:create"),
        {"first_name": "Camille", "last_name": "Durand", "address": "x" * 501},
    )
    page = html.unescape(response.text)
    assert "Assurez-vous que cette valeur comporte au plus 500 caractères (actuellement 501)." in (
        page
    )
