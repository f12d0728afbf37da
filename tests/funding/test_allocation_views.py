from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from funding import services, status_changes
from funding.models import FundingAllocation, FundingStatus, FundingStatusChange
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
    make_user,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def individual(organization):
    return make_individual(make_learner(organization, first_name="Camille", last_name="Martin"))


@pytest.fixture
def session(organization, individual):
    session = make_session(organization, reference="S-CPF")
    make_enrollment(session, individual.learner)
    return session


@pytest.fixture
def allocation(individual, session, admin_user):
    return services.allocation_create(
        organization=individual.organization,
        session=session,
        learner=individual.learner,
        individual=individual,
        funding_type=FundingType.CPF,
        approved_amount=Decimal("1500.00"),
        cpf_case_number="12345678901",
        created_by=admin_user,
    )


def add_url(individual) -> str:
    return reverse("individuals:funding_add", args=[individual.pk])


def add_data(session, **overrides) -> dict:
    data = {
        "funding_type": "cpf",
        "approved_amount": "1 234,56",
        "session": session.pk,
        "cpf_case_number": "1234 5678 901",
        "funder_reference": "",
        "notes": "",
        "form_token": str(uuid.uuid4()),
    }
    return {**data, **overrides}


def status_url(allocation, to_status) -> str:
    return reverse("funding:allocation_status", args=[allocation.pk, to_status])


def allocation_urls(allocation) -> list[str]:
    return [
        reverse("funding:allocation_edit", args=[allocation.pk]),
        status_url(allocation, FundingStatus.APPROVED),
        status_url(allocation, FundingStatus.REJECTED),
        reverse("funding:allocation_delete", args=[allocation.pk]),
        reverse("funding:allocation_history", args=[allocation.pk]),
    ]


# --- access ---


def test_anonymous_is_sent_to_login(client, allocation, individual):
    for url in [add_url(individual), *allocation_urls(allocation)]:
        response = client.post(url, {})
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_trainer_gets_403_on_every_action_and_nothing_changes(
    trainer_client, allocation, individual, session
):
    for url in [add_url(individual), *allocation_urls(allocation)]:
        assert trainer_client.get(url).status_code == 403, url
        assert trainer_client.get(url, headers=HTMX).status_code == 403, url
    assert trainer_client.post(add_url(individual), add_data(session)).status_code == 403
    edit = reverse("funding:allocation_edit", args=[allocation.pk])
    assert trainer_client.post(edit, add_data(session, version=1)).status_code == 403
    approve = status_url(allocation, FundingStatus.APPROVED)
    assert trainer_client.post(approve, {"version": 1}, headers=HTMX).status_code == 403
    delete = reverse("funding:allocation_delete", args=[allocation.pk])
    assert trainer_client.post(delete, {"version": 1}).status_code == 403
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.PENDING and allocation.version == 1
    assert FundingAllocation.objects.count() == 1
    assert not FundingStatusChange.objects.exists()


def test_other_organisation_allocation_is_404(other_admin_client, allocation, individual):
    for url in [add_url(individual), *allocation_urls(allocation)]:
        assert other_admin_client.get(url).status_code == 404, url
        assert other_admin_client.post(url, {"version": 1}).status_code == 404, url
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.PENDING


# --- add ---


@pytest.mark.parametrize(
    ("language", "label", "help_text"),
    [
        ("en", "Approved amount (HT)", "In euros, before VAT (HT)."),
        ("fr", "Montant accordé (HT)", "En euros, hors taxes (HT)."),
    ],
)
def test_add_form_says_amounts_are_before_vat(
    admin_client, individual, session, language, label, help_text
):
    response = admin_client.get(add_url(individual), headers={"Accept-Language": language})
    assert label in response.text and help_text in response.text


def test_add_form_offers_individual_types_and_the_learners_sessions(
    admin_client, organization, individual, session
):
    make_session(organization, reference="NOT-ENROLLED")
    response = admin_client.get(add_url(individual), headers=HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    form = response.context["form"]
    assert [value for value, _label in form.fields["funding_type"].choices] == [
        "",
        "cpf",
        "france_travail",
        "self_funded",
    ]
    assert list(form.fields["session"].queryset) == [session]
    assert "The approved amount, not the requested one, feeds exports and the BPF." in response.text
    assert response["HX-Retarget"] == "#allocation-panel"


def test_add_without_javascript_is_a_page(admin_client, individual, session):
    response = admin_client.get(add_url(individual))
    assert "<html" in response.text
    response = admin_client.post(add_url(individual), add_data(session))
    assert response.status_code == 302
    assert response["Location"] == reverse("individuals:funding", args=[individual.pk])


def test_add_with_htmx_returns_the_list_and_a_message(
    admin_client, individual, session, admin_user
):
    response = admin_client.post(add_url(individual), add_data(session), headers=HTMX)
    allocation = FundingAllocation.objects.get()
    assert response.status_code == 200 and "<html" not in response.text
    assert response["HX-Retarget"] == "#allocations"
    assert 'id="allocations"' in response.text
    assert "Funding added: CPF, 1 234,56 €." in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert allocation.approved_amount == Decimal("1234.56")
    assert allocation.cpf_case_number == "12345678901"
    assert allocation.status == FundingStatus.PENDING and allocation.created_by == admin_user
    assert allocation.individual == individual and allocation.learner == individual.learner


@pytest.mark.parametrize(
    ("amount", "stored"),
    [
        ("1234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1234,5", "1234.5"),
        ("9 999 999,99", "9999999.99"),
        ("38 500,00", "38500"),
        ("38\u00a0500,00 €", "38500"),
        ("38\u202f500", "38500"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
    ],
)
def test_amount_formats_accepted(admin_client, individual, session, amount, stored):
    admin_client.post(add_url(individual), add_data(session, approved_amount=amount))
    assert FundingAllocation.objects.get().approved_amount == Decimal(stored)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be positive."),
        ("-10", "The amount must be positive."),
        ("10 000 000", "cannot exceed 9 999 999,99"),
        ("12,345", "12,345: did you mean 12 345 or 12,345?"),
        ("12,345,67", "did you mean 12 345,67?"),
        ("1 234,567", "at most 2 decimals"),
        ("abc", "Enter a number such as"),
        ("", "This field is required."),
    ],
)
def test_bad_amounts_are_refused_and_input_kept(admin_client, individual, session, amount, message):
    response = admin_client.post(
        add_url(individual), add_data(session, approved_amount=amount, notes="kept note")
    )
    assert message in response.text
    assert "kept note" in response.text
    assert not FundingAllocation.objects.exists()


@pytest.mark.parametrize(
    ("funding_type", "case_number", "message"),
    [
        ("cpf", "", "The CPF case number is required for CPF."),
        ("cpf", "1234567", "8 to 15 digits"),
        ("cpf", "1234567890123456", "8 to 15 digits"),
        ("cpf", "12345-678", "8 to 15 digits"),
        ("france_travail", "12345678", "only for CPF"),
        ("self_funded", "12345678", "only for CPF"),
    ],
)
def test_case_number_rules(admin_client, individual, session, funding_type, case_number, message):
    response = admin_client.post(
        add_url(individual),
        add_data(session, funding_type=funding_type, cpf_case_number=case_number),
    )
    assert message in response.context["form"].errors["cpf_case_number"][0]
    assert not FundingAllocation.objects.exists()


def test_case_number_in_use_names_the_allocation(admin_client, allocation, individual, session):
    response = admin_client.post(
        add_url(individual), add_data(session, cpf_case_number="123 456 789 01"), headers=HTMX
    )
    error = response.context["form"].errors["cpf_case_number"][0]
    assert f"#{allocation.pk}" in error and "Camille Martin" in error
    assert response["HX-Retarget"] == "#allocation-panel"
    assert FundingAllocation.objects.count() == 1


@pytest.mark.parametrize("funding_type", ["opco_skills_plan", "employer", "state", "bogus"])
def test_type_not_for_individuals_is_refused(admin_client, individual, session, funding_type):
    response = admin_client.post(
        add_url(individual), add_data(session, funding_type=funding_type, cpf_case_number="")
    )
    assert "Select a valid choice" in response.context["form"].errors["funding_type"][0]
    assert not FundingAllocation.objects.exists()


def test_session_of_another_organisation_is_an_invalid_choice(
    admin_client, individual, other_organization
):
    foreign_session = make_session(other_organization)
    make_enrollment(foreign_session, make_learner(other_organization))
    response = admin_client.post(add_url(individual), add_data(foreign_session))
    assert "Select a valid choice" in response.context["form"].errors["session"][0]
    assert not FundingAllocation.objects.exists()


def test_session_the_learner_is_not_enrolled_in_is_an_invalid_choice(
    admin_client, organization, individual, session
):
    other_session = make_session(organization)
    response = admin_client.post(add_url(individual), add_data(other_session))
    assert "Select a valid choice" in response.context["form"].errors["session"][0]
    assert not FundingAllocation.objects.exists()


def test_no_session_says_so_and_links_to_enrol(admin_client, organization):
    individual = make_individual(make_learner(organization, first_name="Léa", last_name="Moreau"))
    response = admin_client.get(add_url(individual))
    assert "Léa Moreau is not enrolled in any session yet" in response.text
    assert reverse("training:session_list") in response.text
    assert reverse("learners:detail", args=[individual.learner.pk]) in response.text


def test_double_submission_creates_one_allocation(admin_client, individual, session):
    data = add_data(session, funding_type="self_funded", cpf_case_number="")
    first = admin_client.post(add_url(individual), data, headers=HTMX)
    second = admin_client.post(add_url(individual), data, headers=HTMX)
    assert first.status_code == second.status_code == 200
    assert FundingAllocation.objects.count() == 1
    assert "already saved: the repeated submission was ignored" in second.text
    # A new form (new token) adds another one: only repeats are refused.
    admin_client.post(add_url(individual), {**data, "form_token": str(uuid.uuid4())}, headers=HTMX)
    assert FundingAllocation.objects.count() == 2


def test_a_failed_submission_can_be_corrected_with_the_same_token(
    admin_client, individual, session
):
    data = add_data(session, approved_amount="")
    admin_client.post(add_url(individual), data)
    admin_client.post(add_url(individual), {**data, "approved_amount": "100"})
    assert FundingAllocation.objects.count() == 1


def test_add_without_token_is_refused(admin_client, individual, session):
    data = add_data(session)
    del data["form_token"]
    response = admin_client.post(add_url(individual), data)
    assert "This form is incomplete" in response.text
    assert not FundingAllocation.objects.exists()


# --- edit ---


def test_edit(admin_client, allocation, session):
    url = reverse("funding:allocation_edit", args=[allocation.pk])
    form = admin_client.get(url, headers=HTMX)
    assert 'name="version" value="1"' in form.text and "1 500,00" in form.text
    response = admin_client.post(
        url,
        add_data(session, version=1, approved_amount="1 400", funder_reference="MCF-1"),
        headers=HTMX,
    )
    assert "Funding saved." in response.text
    allocation.refresh_from_db()
    assert allocation.approved_amount == Decimal("1400.00")
    assert allocation.funder_reference == "MCF-1" and allocation.version == 2


def test_edit_validates_like_add(admin_client, allocation, session):
    url = reverse("funding:allocation_edit", args=[allocation.pk])
    response = admin_client.post(
        url, add_data(session, version=1, funding_type="france_travail"), headers=HTMX
    )
    assert "only for CPF" in response.text
    allocation.refresh_from_db()
    assert allocation.funding_type == FundingType.CPF and allocation.version == 1


def test_stale_edit_writes_nothing_and_keeps_input(admin_client, allocation, session):
    services.allocation_update(
        allocation=allocation, expected_version=1, approved_amount=Decimal("999")
    )
    url = reverse("funding:allocation_edit", args=[allocation.pk])
    response = admin_client.post(
        url, add_data(session, version=1, approved_amount="1 111,11"), headers=HTMX
    )
    assert "changed by someone else" in response.text
    assert 'value="1 111,11"' in response.text
    allocation.refresh_from_db()
    assert allocation.approved_amount == Decimal("999.00") and allocation.version == 2


# --- status ---


def test_only_allowed_moves_are_offered(admin_client, allocation, individual, admin_user):
    url = reverse("individuals:funding", args=[individual.pk])
    pending = admin_client.get(url).text
    assert "Approve" in pending and "Reject" in pending and "Mark as paid" not in pending
    assert status_url(allocation, "paid") not in pending
    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    approved = admin_client.get(url).text
    for label in ("Mark as paid", "Reject", "Back to pending"):
        assert label in approved
    assert "Delete" not in approved


def test_approve_then_pay_in_place(admin_client, allocation, admin_user):
    response = admin_client.get(status_url(allocation, "approved"), headers=HTMX)
    assert response["HX-Retarget"] == "#allocation-panel" and "paid_on" not in response.text
    response = admin_client.post(
        status_url(allocation, "approved"), {"version": 1, "note": "Accepted on EDOF"}, headers=HTMX
    )
    assert "Status changed: Pending → Approved." in response.text
    assert response["HX-Retarget"] == "#allocations"
    pay_form = admin_client.get(status_url(allocation, "paid"), headers=HTMX)
    assert "Payment date" in pay_form.text
    assert timezone.localdate().isoformat() in pay_form.text
    no_date = admin_client.post(status_url(allocation, "paid"), {"version": 2}, headers=HTMX)
    assert "paid_on" in no_date.context["form"].errors
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.APPROVED
    admin_client.post(
        status_url(allocation, "paid"), {"version": 2, "paid_on": "2025-04-01"}, headers=HTMX
    )
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.PAID
    assert allocation.paid_on == datetime.date(2025, 4, 1)
    changes = list(allocation.status_changes.order_by("pk"))
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("pending", "approved"),
        ("approved", "paid"),
    ]
    assert changes[0].note == "Accepted on EDOF" and changes[0].changed_by == admin_user


def test_payment_date_in_french_format_and_not_in_future(admin_client, allocation, admin_user):
    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = admin_client.post(status_url(allocation, "paid"), {"version": 2, "paid_on": future})
    assert "cannot be in the future" in response.text
    admin_client.post(status_url(allocation, "paid"), {"version": 2, "paid_on": "01/04/2025"})
    allocation.refresh_from_db()
    assert allocation.paid_on == datetime.date(2025, 4, 1)


def test_disallowed_move_is_refused(admin_client, allocation):
    response = admin_client.post(
        status_url(allocation, "paid"), {"version": 1, "paid_on": "2025-04-01"}, headers=HTMX
    )
    assert "An allocation cannot go from Pending to Paid." in response.text
    shown = admin_client.get(status_url(allocation, "paid"), follow=True)
    assert "An allocation cannot go from Pending to Paid." in shown.text
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.PENDING
    assert not allocation.status_changes.exists()


def test_unknown_status_is_404(admin_client, allocation):
    assert admin_client.get(status_url(allocation, "cancelled")).status_code == 404


def test_two_status_changes_from_the_same_state_one_wins(
    allocation, organization, admin_user, client_for
):
    colleague = make_user(organization)
    first, second = client_for(admin_user), client_for(colleague)
    # Both opened the allocation at version 1 (Pending).
    won = first.post(status_url(allocation, "approved"), {"version": 1}, headers=HTMX)
    lost = second.post(status_url(allocation, "rejected"), {"version": 1}, headers=HTMX)
    assert "Status changed: Pending → Approved." in won.text
    assert "changed by someone else" in lost.text
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.APPROVED
    assert FundingStatusChange.objects.filter(allocation=allocation).count() == 1


def test_same_move_twice_is_recorded_once(admin_client, allocation):
    admin_client.post(status_url(allocation, "approved"), {"version": 1}, headers=HTMX)
    again = admin_client.post(status_url(allocation, "approved"), {"version": 1}, headers=HTMX)
    assert "changed by someone else" in again.text
    assert allocation.status_changes.count() == 1


# --- delete, history ---


def test_delete_pending_after_confirmation(admin_client, allocation):
    url = reverse("funding:allocation_delete", args=[allocation.pk])
    confirm = admin_client.get(url, headers=HTMX)
    assert "Delete this funding?" in confirm.text
    response = admin_client.post(url, {"version": 1}, headers=HTMX)
    assert "Funding deleted." in response.text
    assert not FundingAllocation.objects.exists()


def test_delete_refused_unless_pending(admin_client, allocation, admin_user):
    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    url = reverse("funding:allocation_delete", args=[allocation.pk])
    response = admin_client.post(url, {"version": 2}, headers=HTMX)
    assert "Only a Pending allocation can be deleted" in response.text
    assert "Only a Pending" in admin_client.get(url, follow=True).text
    assert FundingAllocation.objects.filter(pk=allocation.pk).exists()


def test_history_shows_from_to_who_when_note(admin_client, allocation, admin_user):
    admin_user.first_name, admin_user.last_name = "Alice", "Admin"
    admin_user.save()
    status_changes.allocation_set_status(
        allocation=allocation,
        to_status=FundingStatus.REJECTED,
        changed_by=admin_user,
        note="Refused by the Caisse",
    )
    response = admin_client.get(
        reverse("funding:allocation_history", args=[allocation.pk]), headers=HTMX
    )
    assert "<html" not in response.text
    for text in ("Pending", "Rejected", "Alice Admin", "Refused by the Caisse"):
        assert text in response.text
    assert timezone.localdate().strftime("%d/%m/%Y") in response.text


def test_history_opens_when_its_authors_accounts_were_deleted(
    admin_client, allocation, organization
):
    colleague = make_user(organization, username="departed")
    status_changes.allocation_set_status(
        allocation=allocation, to_status=FundingStatus.APPROVED, changed_by=colleague
    )
    colleague.delete()  # changed_by becomes empty (SET_NULL); so does created_by when its
    FundingAllocation.objects.filter(pk=allocation.pk).update(created_by=None)  # author goes
    response = admin_client.get(reverse("funding:allocation_history", args=[allocation.pk]))
    assert response.status_code == 200
    assert "Created by — on" in response.text
    assert "<td>—</td>" in response.text


def test_company_allocation_uses_the_same_actions(admin_client, organization, admin_user):
    learner = make_learner(organization)
    company = make_company(organization)
    enrollment = make_enrollment(make_session(organization), learner)
    allocation = make_allocation(
        enrollment,
        funding_type=FundingType.OPCO_SKILLS_PLAN,
        status=FundingStatus.PENDING,
        carrier=company,
    )
    response = admin_client.post(
        status_url(allocation, "approved"), {"version": allocation.version}, headers=HTMX
    )
    assert "Status changed" in response.text and learner.full_name in response.text
    edit = admin_client.get(reverse("funding:allocation_edit", args=[allocation.pk]))
    assert "OPCO – skills development plan" in edit.text
    assert "CPF" not in [label for _v, label in edit.context["form"].fields["funding_type"].choices]


def test_status_post_without_version_changes_nothing(admin_client, allocation):
    response = admin_client.post(status_url(allocation, "approved"), {}, headers=HTMX)
    assert "This form is incomplete" in response.text
    allocation.refresh_from_db()
    assert allocation.status == FundingStatus.PENDING and not allocation.status_changes.exists()
