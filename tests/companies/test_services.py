"""Every write to a company goes through companies/services.py `company_save`, as learners go
through theirs: the pages, the admin and the imports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from companies import services
from companies.models import Company
from tests.certeef.test_admin import change_form_data
from tests.conftest import make_company
from tests.imports.conftest import import_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(monkeypatch):
    """The companies `company_save` wrote, by name."""
    names: list[str] = []
    real = services.company_save

    def company_save(*, company: Company) -> Company:
        names.append(company.name)
        return real(company=company)

    for module in ("companies.services", "companies.views", "companies.admin", "imports.kinds"):
        monkeypatch.setattr(f"{module}.company_save", company_save)
    return names


def test_pages_save_through_the_service(admin_client, saved):
    response = admin_client.post(
        reverse("companies:create"), {"name": "Acme", "kind": "private_employer"}
    )
    assert response.status_code == 302
    assert saved == ["Acme"]


def test_the_admin_saves_through_the_service(superuser_client, organization, saved):
    company = make_company(organization, name="Acme")
    url = reverse("admin:companies_company_change", args=[company.pk])
    data = change_form_data(superuser_client.get(url))
    data["name"] = "Acme Industrie"
    assert superuser_client.post(url, data).status_code == 302
    assert saved == ["Acme Industrie"]


def test_an_import_updates_through_the_service(organization, saved):
    make_company(organization, name="Acme", siret="73282932000074")
    result = import_text(organization, "companies", "Company name;SIRET\nAcme SA;73282932000074\n")
    assert (result.updated, saved) == (1, ["Acme SA"])
