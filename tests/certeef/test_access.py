from __future__ import annotations

import pytest
from django.urls import reverse

from certeef.models import Membership, Role
from tests.conftest import make_organization, make_user

pytestmark = pytest.mark.django_db


def test_login_lands_on_dashboard(client, admin_user, organization):
    response = client.post(
        reverse("login"), {"username": "admin", "password": "correct-horse-battery-9"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert organization.name in response.text


def test_user_without_membership_sees_a_clear_page(client, db):
    client.force_login(make_user(None))
    response = client.get(reverse("dashboard"), follow=True)
    assert response.status_code == 200
    assert "You do not belong to any organisation yet" in response.text


def test_trainer_sidebar_hides_admin_modules(trainer_client):
    response = trainer_client.get(reverse("dashboard"))
    assert reverse("learners:list") in response.text
    for name in ("companies:list", "individuals:list", "funding:list", "bpf:report"):
        assert reverse(name) not in response.text


@pytest.mark.parametrize(
    "name",
    ["companies:list", "individuals:list", "funding:list", "bpf:report", "organization_settings"],
)
def test_trainer_gets_403_on_admin_pages(trainer_client, name):
    assert trainer_client.get(reverse(name)).status_code == 403


def test_switch_organisation(client, organization):
    second = make_organization(name="Zèbre Formation")
    user = make_user(organization)
    Membership.objects.create(user=user, organization=second, role=Role.TRAINER)
    client.force_login(user)
    assert organization.name in client.get(reverse("dashboard")).text
    response = client.post(reverse("switch_organization"), {"organization": second.pk}, follow=True)
    assert "Zèbre Formation" in response.text
    assert "Trainer" in response.text


def test_cannot_switch_to_an_organisation_one_does_not_belong_to(admin_client, other_organization):
    response = admin_client.post(
        reverse("switch_organization"), {"organization": other_organization.pk}
    )
    assert response.status_code == 404


def test_settings_validates_siret_and_nda(admin_client, organization):
    response = admin_client.post(
        reverse("organization_settings"),
        {
            "name": "Formations Lumière",
            "siret": "12345678901234",
            "nda": "123",
            "fiscal_year_start_month": 7,
            "fiscal_year_start_day": 1,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "check digit" in errors["siret"][0]
    assert "11 digits" in errors["nda"][0]
    organization.refresh_from_db()
    assert organization.fiscal_year_start_month == 1


def test_settings_saves_valid_identity(admin_client, organization):
    response = admin_client.post(
        reverse("organization_settings"),
        {
            "name": "Formations Lumière",
            "siret": "732 829 320 00074",
            "nda": "11 75 54321 75",
            "naf_code": "8559a",
            "fiscal_year_start_month": 7,
            "fiscal_year_start_day": 1,
        },
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.siret == "73282932000074"
    assert organization.nda == "11755432175"
    assert organization.naf_code == "8559A"
    assert organization.fiscal_year_bounds(2025)[0].isoformat() == "2024-07-01"
