"""The HTTP layer: private pages are never cached; a response that depends on htmx says so; an
htmx history restore gets the whole page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.cache import get_max_age

from bpf.models import BpfFiling
from bpf.services import filing_create
from tests.bpf.conftest import build_worked_example
from tests.conftest import (
    PASSWORD,
    make_allocation,
    make_company,
    make_enrollment,
    make_individual,
    make_learner,
    make_organization,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
HISTORY_RESTORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_private(response) -> None:
    directives = cache_directives(response)
    assert {"private", "no-store"} <= directives, (response.status_code, directives)
    assert "public" not in directives


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


def parameterless_url_names(resolver: URLResolver | None = None, namespace: str = "") -> list:
    """Every named URL of the product that takes no argument (the admin and Django's account
    views aside)."""
    names = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin" or str(pattern.pattern).startswith("accounts/"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += parameterless_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.converters:
            names.append(f"{namespace}{pattern.name}")
    return names


PAGES = parameterless_url_names()


def test_the_walk_finds_the_product_pages():
    assert {"dashboard", "learners:list", "funding:list", "bpf:report"} <= set(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_of_a_logged_in_user_is_private(admin_client, name):
    assert_private(admin_client.get(reverse(name)))


@pytest.fixture
def funded(organization):
    company = make_company(organization)
    learner = make_learner(organization, employer=company)
    session = make_session(organization)
    enrollment = make_enrollment(session, learner)
    individual = make_individual(learner)
    allocation = make_allocation(enrollment, carrier=individual)
    return {
        "learner": learner,
        "company": company,
        "session": session,
        "course": session.course,
        "enrollment": enrollment,
        "individual": individual,
        "allocation": allocation,
    }


def test_detail_pages_forms_and_partials_are_private(admin_client, funded):
    urls = [
        reverse("learners:detail", args=[funded["learner"].pk]),
        reverse("learners:edit", args=[funded["learner"].pk]),
        reverse("companies:detail", args=[funded["company"].pk]),
        reverse("funding:company_funding", args=[funded["company"].pk]),
        reverse("training:session_detail", args=[funded["session"].pk]),
        reverse("training:course_detail", args=[funded["course"].pk]),
        reverse("individuals:detail", args=[funded["individual"].pk]),
        reverse("individuals:funding", args=[funded["individual"].pk]),
        reverse("funding:allocation_edit", args=[funded["allocation"].pk]),
        reverse("funding:allocation_history", args=[funded["allocation"].pk]),
    ]
    for url in urls:
        assert_private(admin_client.get(url))
        assert_private(admin_client.get(url, **HTMX))


def test_refusals_to_a_logged_in_user_are_private_too(trainer_client, other_admin_client, funded):
    assert_private(trainer_client.get(reverse("funding:list")))  # 403
    other = other_admin_client.get(reverse("learners:detail", args=[funded["learner"].pk]))
    assert other.status_code == 404
    assert_private(other)


def test_every_export_is_private_streamed_ones_included(admin_client, funded):
    for name in ("funding:export_xlsx", "funding:export_csv", "funding:export_by_funder"):
        response = admin_client.get(reverse(name))
        assert response.status_code == 200
        assert response.streaming
        assert_private(response)


def test_bpf_exports_current_and_filed_are_private(admin_client, admin_user, organization):
    organization.fiscal_year_start_month = 7
    organization.save()
    build_worked_example(organization)
    filing_create(organization=organization, year=2025, filed_by=admin_user)
    assert BpfFiling.objects.exists()
    for file_format in ("pdf", "xlsx", "csv", "json"):
        url = reverse("bpf:export", args=[2025, file_format])
        for response in (admin_client.get(url), admin_client.get(url, {"filed": "1"})):
            assert response.status_code == 200
            assert_private(response)


def test_the_admin_is_private(superuser_client):
    assert_private(superuser_client.get(reverse("admin:index")))
    assert_private(superuser_client.get(reverse("admin:learners_learner_changelist")))


def test_anonymous_pages_are_left_to_their_views(client):
    # The log-in page is Django's (never cached by its view); static files are not touched.
    login = client.get(reverse("login"))
    assert get_max_age(login) == 0
    assert "private" not in cache_directives(client.get(reverse("password_reset")))


def test_the_page_after_log_in_is_private():
    make_user(make_organization(), username="camille")
    client = Client()
    response = client.post(
        reverse("login"), {"username": "camille", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert_private(response)


LIST_PAGES = [
    "learners:list",
    "companies:list",
    "individuals:list",
    "training:session_list",
    "training:course_list",
    "funding:list",
]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_vary_on_htmx_and_restore_the_whole_page(admin_client, funded, name):
    url = reverse(name) + "?q=Nom"
    page = admin_client.get(url)
    fragment = admin_client.get(url, **HTMX)
    restored = admin_client.get(url, **HISTORY_RESTORE)
    for response in (page, fragment, restored):
        assert response.status_code == 200
        assert {"hx-request", "hx-history-restore-request"} <= vary(response)
    assert "<html" in page.text and "<html" not in fragment.text
    # htmx 2 asks for the page it pushed when its history cache has lost it: the whole page.
    assert "<html" in restored.text
    assert 'class="sidebar"' in restored.text and 'id="results"' in restored.text


def test_other_partials_vary_on_htmx(admin_client, funded, organization):
    individual = funded["individual"]
    for url in (
        reverse("individuals:detail", args=[individual.pk]),
        reverse("individuals:funding", args=[individual.pk]),
        reverse("funding:allocation_edit", args=[funded["allocation"].pk]),
    ):
        full = admin_client.get(url)
        partial = admin_client.get(url, **HTMX)
        assert "hx-request" in vary(full) and "hx-request" in vary(partial)
        assert "<html" in full.text and "<html" not in partial.text
        assert "<html" in admin_client.get(url, **HISTORY_RESTORE).text


def test_a_page_that_never_answers_a_partial_does_not_vary_on_htmx(admin_client):
    response = admin_client.get(reverse("organization_settings"))
    assert "hx-request" not in vary(response)
