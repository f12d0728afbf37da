from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_learner,
    make_session,
)
from training.models import Enrollment

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_superuser_opens_changelist_and_add_page(
    superuser_client, organization, app_label, model_name
):
    company = make_company(organization)
    make_enrollment(make_session(organization), make_learner(organization, employer=company))
    changelist = superuser_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    add_page = superuser_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
    # Append-only records (status history, filed reports) refuse additions on purpose.
    assert add_page.status_code == (200 if changelist.context["has_add_permission"] else 403)


def test_every_domain_model_of_the_foundation_is_registered_and_addable(superuser_client):
    for name in (
        ("certeef", "organization"),
        ("certeef", "membership"),
        ("learners", "learner"),
        ("companies", "company"),
        ("training", "course"),
        ("training", "session"),
        ("training", "enrollment"),
    ):
        assert name in REGISTERED
        app_label, model_name = name
        add_page = superuser_client.get(reverse(f"admin:{app_label}_{model_name}_add"))
        assert add_page.status_code == 200


def test_admin_refuses_to_mix_organisations(superuser_client, organization, other_organization):
    session = make_session(organization)
    stranger = make_learner(other_organization)
    response = superuser_client.post(
        reverse("admin:training_enrollment_add"),
        {
            "organization": organization.pk,
            "session": session.pk,
            "learner": stranger.pk,
            "trainee_type_override": "",
        },
    )
    assert response.status_code == 200
    assert "This belongs to another organisation." in response.text
    assert not Enrollment.objects.exists()


def test_admin_cannot_delete_a_funded_enrollment(superuser_client, organization):
    enrollment = make_enrollment(make_session(organization))
    make_allocation(enrollment)
    url = reverse("admin:training_enrollment_delete", args=[enrollment.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


def test_enrollment_changelist_has_no_bulk_delete(superuser_client, organization):
    make_enrollment(make_session(organization))
    response = superuser_client.get(reverse("admin:training_enrollment_changelist"))
    assert "delete_selected" not in response.text
