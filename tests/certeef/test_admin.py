from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.forms import CheckboxInput
from django.test import RequestFactory
from django.urls import reverse

from certeef.models import Membership
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


def organization_scoped_admins() -> list:
    return sorted(
        (
            (model._meta.app_label, model._meta.model_name)
            for model, model_admin in admin.site._registry.items()
            if any(field.name == "organization" for field in model._meta.get_fields())
            and model is not Membership
        ),
    )


def test_every_organisation_scoped_model_is_found():
    scoped = organization_scoped_admins()
    for name in (
        ("learners", "learner"),
        ("companies", "company"),
        ("training", "course"),
        ("training", "session"),
        ("training", "enrollment"),
        ("individuals", "individual"),
        ("funding", "fundingallocation"),
        ("bpf", "bpfinputs"),
    ):
        assert name in scoped


@pytest.mark.parametrize(("app_label", "model_name"), organization_scoped_admins())
def test_the_organisation_is_read_only_once_created(
    superuser_client, organization, app_label, model_name
):
    model = apps.get_model(app_label, model_name)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = superuser_client.user
    # Chosen when adding (filed reports are never added by hand) …
    if model_admin.has_add_permission(request):
        assert "organization" not in model_admin.get_readonly_fields(request, None)
    # … fixed afterwards.
    assert "organization" in model_admin.get_readonly_fields(request, model(pk=1))


def change_form_data(response) -> dict:
    """What the admin's change form would send back unchanged (inlines' management forms too)."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[name] = "on"
            continue
        data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def test_a_crafted_post_cannot_move_a_session_or_a_course(
    superuser_client, organization, other_organization
):
    session = make_session(organization)
    course = session.course
    other_course = make_session(other_organization).course
    for obj, url_name in (
        (session, "admin:training_session_change"),
        (course, "admin:training_course_change"),
    ):
        url = reverse(url_name, args=[obj.pk])
        page = superuser_client.get(url)
        assert "organization" not in page.context["adminform"].form.fields
        data = change_form_data(page)
        data["organization"] = other_organization.pk
        response = superuser_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        obj.refresh_from_db()
        assert obj.organization_id == organization.pk
    # Nor can a session be moved onto another organisation's course.
    url = reverse("admin:training_session_change", args=[session.pk])
    data = change_form_data(superuser_client.get(url))
    data["course"] = other_course.pk
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert "This belongs to another organisation." in response.text
    session.refresh_from_db()
    assert session.course_id == course.pk


def test_a_crafted_post_cannot_move_a_learner_or_a_company(
    superuser_client, organization, other_organization
):
    company = make_company(organization)
    learner = make_learner(organization, employer=company)
    for obj, url_name in (
        (learner, "admin:learners_learner_change"),
        (company, "admin:companies_company_change"),
    ):
        url = reverse(url_name, args=[obj.pk])
        data = change_form_data(superuser_client.get(url))
        data["organization"] = other_organization.pk
        assert superuser_client.post(url, data).status_code == 302
        obj.refresh_from_db()
        assert obj.organization_id == organization.pk


def test_a_membership_keeps_its_user_and_organisation(
    superuser_client, admin_user, organization, other_organization
):
    membership = Membership.objects.get(user=admin_user)
    url = reverse("admin:certeef_membership_change", args=[membership.pk])
    data = change_form_data(superuser_client.get(url))
    data["organization"] = other_organization.pk
    assert superuser_client.post(url, data).status_code == 302
    membership.refresh_from_db()
    assert membership.organization_id == organization.pk


def test_rows_only_the_product_writes_are_read_only_in_the_admin(superuser_client):
    """Attendance and schedules (their services keep hours, summaries and history current) and
    the status history (evidence): shown, never added, changed or deleted by hand."""
    request = RequestFactory().get("/")
    request.user = superuser_client.user
    read_only = sorted(
        (model._meta.app_label, model._meta.model_name)
        for model, model_admin in admin.site._registry.items()
        if not any(
            (
                model_admin.has_add_permission(request),
                model_admin.has_change_permission(request, None),
                model_admin.has_delete_permission(request, None),
            )
        )
    )
    assert read_only == [
        ("attendance", "attendance"),
        ("attendance", "sessiontrainer"),
        ("attendance", "timeslot"),
        ("funding", "fundingstatuschange"),
    ]


@pytest.mark.parametrize(
    ("app_label", "model_name", "fixed"),
    [
        ("funding", "fundingallocation", {"individual", "company"}),
        ("individuals", "individual", {"learner"}),
        ("training", "enrollment", {"session", "learner"}),
    ],
)
def test_what_a_row_is_tied_to_is_read_only_once_created(
    superuser_client, app_label, model_name, fixed
):
    model_admin = admin.site._registry[apps.get_model(app_label, model_name)]
    request = RequestFactory().get("/")
    request.user = superuser_client.user
    assert not fixed & set(model_admin.get_readonly_fields(request, None))
    readonly = model_admin.get_readonly_fields(request, model_admin.model(pk=1))
    assert fixed | {"organization"} <= set(readonly)
    assert len(readonly) == len(set(readonly))
