"""Status moves from a row: the Funding page's rows and the dashboard's pending list
(funding/row_views.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from funding import services, status_changes
from funding.models import FundingAllocation, FundingStatus, FundingStatusChange
from funding.types import FundingType
from tests.conftest import (
    assert_summaries_current,
    make_allocation,
    make_enrollment,
    make_learner,
    make_session,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
LIST_URL = reverse("funding:list")
DASHBOARD_URL = reverse("dashboard")
TODAY = timezone.localdate()


def move_url(allocation, to_status) -> str:
    return reverse("funding:allocation_row_move", args=[allocation.pk, to_status])


def post_data(allocation, layout="list", **extra) -> dict:
    return {"version": allocation.version, "layout": layout, "next": LIST_URL, **extra}


@pytest.fixture
def pending(organization):
    learner = make_learner(organization, first_name="Camille", last_name="Martin")
    session = make_session(organization, start_date=TODAY.replace(day=1), end_date=TODAY)
    return make_allocation(make_enrollment(session, learner), status=FundingStatus.PENDING)


@pytest.fixture
def approved(organization):
    learner = make_learner(organization, first_name="Paul", last_name="Bernard")
    return make_allocation(make_enrollment(make_session(organization), learner))


def test_funding_page_rows_offer_the_moves_of_their_status(admin_client, pending, approved):
    response = admin_client.get(LIST_URL)
    text = response.text
    # Approve is one click (a POST form); Mark as paid and Reject open their small form.
    assert f'hx-post="{move_url(pending, "approved")}"' in text
    assert f'href="{move_url(pending, "rejected")}?layout=list' in text
    assert f'href="{move_url(approved, "paid")}?layout=list' in text
    assert move_url(pending, "paid") not in text
    assert move_url(approved, "approved") not in text


def test_approve_from_a_funding_row_updates_the_row_in_place(admin_client, admin_user, pending):
    response = admin_client.post(move_url(pending, "approved"), post_data(pending), headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="funding-row-{pending.pk}"')
    assert '<span class="badge approved">Approved</span>' in response.text
    # The message comes along, out of band.
    assert 'hx-swap-oob="true"' in response.text
    assert "Camille Martin: Pending → Approved." in response.text
    pending.refresh_from_db()
    assert pending.status == FundingStatus.APPROVED
    change = FundingStatusChange.objects.get(allocation=pending)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "pending",
        "approved",
        admin_user,
    )
    assert_summaries_current(pending.session)


def test_without_javascript_a_move_redirects_back_to_the_list(admin_client, pending):
    next_url = f"{LIST_URL}?status=pending"
    data = {"version": pending.version, "layout": "list", "next": next_url}
    response = admin_client.post(move_url(pending, "approved"), data)
    assert response.status_code == 302
    assert response["Location"] == next_url
    page = admin_client.get(next_url)
    assert "Camille Martin: Pending → Approved." in page.text
    pending.refresh_from_db()
    assert pending.status == FundingStatus.APPROVED


def test_next_must_be_a_local_address(admin_client, pending):
    data = {"version": pending.version, "layout": "list", "next": "https://evil.example/"}
    response = admin_client.post(move_url(pending, "approved"), data)
    assert response["Location"] == LIST_URL
    data = {"version": pending.version + 1, "layout": "pending", "next": "//evil.example/"}
    response = admin_client.post(move_url(pending, "approved"), data)
    assert response["Location"] == DASHBOARD_URL


def test_mark_paid_from_a_row_asks_the_date_and_the_remittance_first(admin_client, approved):
    url = move_url(approved, "paid")
    form = admin_client.get(url, {"layout": "list", "next": LIST_URL}, headers=HTMX)
    assert form.status_code == 200
    assert f'<tr id="funding-row-{approved.pk}"' in form.text
    assert f'id="row{approved.pk}_paid_on"' in form.text
    assert 'name="remittance_reference"' in form.text
    assert FundingAllocation.objects.get(pk=approved.pk).status == FundingStatus.APPROVED

    data = post_data(approved, paid_on="15/01/2026", remittance_reference=" VIR-2026-001 ")
    response = admin_client.post(url, data, headers=HTMX)
    assert response.status_code == 200
    assert '<span class="badge paid">Paid</span>' in response.text
    assert "VIR-2026-001" in response.text
    approved.refresh_from_db()
    assert approved.status == FundingStatus.PAID
    assert approved.paid_on == datetime.date(2026, 1, 15)  # typed day first
    assert approved.remittance_reference == "VIR-2026-001"
    change = FundingStatusChange.objects.get(allocation=approved)
    assert change.paid_on == datetime.date(2026, 1, 15)
    assert change.remittance_reference == "VIR-2026-001"


def test_mark_paid_without_javascript_is_a_page_then_a_redirect(admin_client, approved):
    url = move_url(approved, "paid")
    page = admin_client.get(url, {"layout": "list", "next": f"{LIST_URL}?q=Bernard"})
    assert page.status_code == 200
    assert "<html" in page.text
    assert f'value="{LIST_URL}?q=Bernard"' in page.text
    data = {
        "version": approved.version,
        "layout": "list",
        "next": f"{LIST_URL}?q=Bernard",
        "paid_on": "2026-01-15",
        "remittance_reference": "",
        "note": "",
    }
    response = admin_client.post(url, data)
    assert response["Location"] == f"{LIST_URL}?q=Bernard"
    approved.refresh_from_db()
    assert (approved.status, approved.remittance_reference) == (FundingStatus.PAID, "")


def test_a_future_payment_date_is_an_error_in_the_row(admin_client, approved):
    future = (TODAY + datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    data = post_data(approved, paid_on=future, remittance_reference="VIR")
    response = admin_client.post(move_url(approved, "paid"), data, headers=HTMX)
    assert response.status_code == 200
    assert "The payment date cannot be in the future." in response.text
    assert f'id="row{approved.pk}_paid_on"' in response.text  # the form stays open
    approved.refresh_from_db()
    assert approved.status == FundingStatus.APPROVED
    assert not FundingStatusChange.objects.exists()


def test_dashboard_pending_rows_approve_and_reject_in_place(admin_client, admin_user, pending):
    dashboard = admin_client.get(DASHBOARD_URL)
    assert f'<tr id="pending-row-{pending.pk}"' in dashboard.text
    assert '<p class="figure" id="pending-figure">1 <' in dashboard.text
    assert f'hx-post="{move_url(pending, "approved")}"' in dashboard.text
    assert f'href="{move_url(pending, "rejected")}?layout=pending' in dashboard.text

    url = move_url(pending, "rejected")
    form = admin_client.get(url, {"layout": "pending", "next": DASHBOARD_URL}, headers=HTMX)
    assert f'<tr id="pending-row-{pending.pk}"' in form.text
    assert 'name="note"' in form.text
    data = post_data(pending, layout="pending", next=DASHBOARD_URL, note="Dossier incomplet")
    response = admin_client.post(url, data, headers=HTMX)
    assert response.text.lstrip().startswith(f'<tr id="pending-row-{pending.pk}"')
    assert '<span class="badge rejected">Rejected</span>' in response.text
    # The card's count and amount follow, out of band: nothing pending any more.
    assert '<p class="figure" id="pending-figure" hx-swap-oob="true">0 <' in response.text
    change = FundingStatusChange.objects.get(allocation=pending)
    assert (change.to_status, change.note, change.changed_by) == (
        "rejected",
        "Dossier incomplet",
        admin_user,
    )


def test_dashboard_offers_no_payment(admin_client, approved):
    # The pending list offers only Approve and Reject.
    response = admin_client.get(move_url(approved, "paid"), {"layout": "pending"})
    assert response.status_code == 404


def test_a_move_already_made_by_someone_else_is_said_not_an_error(
    admin_client, admin_user, pending
):
    seen = pending.version
    status_changes.allocation_set_status(
        allocation=pending, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    data = {"version": seen, "layout": "list", "next": LIST_URL}
    response = admin_client.post(move_url(pending, "approved"), data, headers=HTMX)
    assert response.status_code == 200
    assert "This allocation is now Approved: it cannot be approved. Nothing was changed." in (
        response.text
    )
    assert '<span class="badge approved">Approved</span>' in response.text  # as it is now
    assert FundingStatusChange.objects.filter(allocation=pending).count() == 1


def test_a_stale_copy_is_refused_with_a_message(admin_client, pending):
    seen = pending.version
    services.allocation_update(
        allocation=pending, expected_version=seen, approved_amount=Decimal("900.00")
    )
    data = {"version": seen, "layout": "list", "next": LIST_URL}
    response = admin_client.post(move_url(pending, "approved"), data, headers=HTMX)
    assert response.status_code == 200
    assert "changed by someone else" in response.text
    assert "900,00" in response.text  # the row shows the current amount
    pending.refresh_from_db()
    assert pending.status == FundingStatus.PENDING
    # Without JavaScript: back to the list, the message shown there.
    response = admin_client.post(move_url(pending, "approved"), data, follow=True)
    assert "changed by someone else" in response.text
    assert not FundingStatusChange.objects.exists()


def test_trainer_gets_403(trainer_client, pending):
    url = move_url(pending, "approved")
    assert trainer_client.get(url).status_code == 403
    assert trainer_client.post(url, post_data(pending)).status_code == 403
    row = reverse("funding:allocation_row", args=[pending.pk])
    assert trainer_client.get(row, headers=HTMX).status_code == 403
    pending.refresh_from_db()
    assert pending.status == FundingStatus.PENDING


def test_another_organisations_allocation_is_404(other_admin_client, pending):
    url = move_url(pending, "approved")
    assert other_admin_client.post(url, post_data(pending), headers=HTMX).status_code == 404
    row = reverse("funding:allocation_row", args=[pending.pk])
    assert other_admin_client.get(row, headers=HTMX).status_code == 404
    pending.refresh_from_db()
    assert pending.status == FundingStatus.PENDING


def test_csrf_is_required(admin_user, pending):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(move_url(pending, "approved"), post_data(pending), headers=HTMX)
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == FundingStatus.PENDING


def test_unknown_move_or_layout_is_404(admin_client, pending):
    assert admin_client.get(move_url(pending, "pending")).status_code == 404
    assert admin_client.get(move_url(pending, "nonsense")).status_code == 404
    response = admin_client.get(move_url(pending, "rejected"), {"layout": "other"})
    assert response.status_code == 404


def test_cancel_gives_the_row_back(admin_client, pending):
    row = reverse("funding:allocation_row", args=[pending.pk])
    response = admin_client.get(row, {"layout": "list", "next": LIST_URL}, headers=HTMX)
    assert response.text.lstrip().startswith(f'<tr id="funding-row-{pending.pk}"')
    assert admin_client.get(row, {"next": LIST_URL})["Location"] == LIST_URL


def test_the_remittance_shows_in_the_history(admin_client, admin_user, approved):
    status_changes.allocation_set_status(
        allocation=approved,
        to_status=FundingStatus.PAID,
        changed_by=admin_user,
        paid_on=datetime.date(2026, 1, 15),
        remittance_reference="OPCO-VIR-42",
    )
    history = admin_client.get(reverse("funding:allocation_history", args=[approved.pk]))
    assert "Paid on 15/01/2026 · remittance OPCO-VIR-42" in history.text


def test_reversing_a_payment_clears_the_remittance_history_keeps_it(admin_user, approved):
    approved = status_changes.allocation_set_status(
        allocation=approved,
        to_status=FundingStatus.PAID,
        changed_by=admin_user,
        paid_on=datetime.date(2026, 1, 15),
        remittance_reference="OPCO-VIR-42",
    )
    status_changes.allocation_set_status(
        allocation=approved, to_status=FundingStatus.APPROVED, changed_by=admin_user
    )
    approved.refresh_from_db()
    assert (approved.paid_on, approved.remittance_reference) == (None, "")
    paid = FundingStatusChange.objects.get(allocation=approved, to_status="paid")
    assert paid.remittance_reference == "OPCO-VIR-42"


def test_a_remittance_reference_too_long_is_refused(admin_user, approved):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        status_changes.allocation_set_status(
            allocation=approved,
            to_status=FundingStatus.PAID,
            changed_by=admin_user,
            paid_on=datetime.date(2026, 1, 15),
            remittance_reference="X" * 101,
        )
    assert "remittance_reference" in error.value.error_dict


def test_company_row_is_acted_on_too(admin_client, organization):
    from tests.conftest import make_company

    company = make_company(organization)
    learner = make_learner(organization, employer=company)
    allocation = make_allocation(
        make_enrollment(make_session(organization), learner),
        funding_type=FundingType.OPCO_SKILLS_PLAN,
        status=FundingStatus.PENDING,
    )
    response = admin_client.post(
        move_url(allocation, "approved"), post_data(allocation), headers=HTMX
    )
    assert '<span class="badge approved">Approved</span>' in response.text
    assert company.name in response.text


def test_french_messages(admin_client, pending, french):
    response = admin_client.post(
        move_url(pending, "approved"), post_data(pending), headers={**HTMX, "Accept-Language": "fr"}
    )
    assert "Camille Martin\u00a0: En attente → Accordé." in response.text


def test_the_allocations_own_status_page_takes_the_remittance_too(admin_client, approved):
    reject = admin_client.get(reverse("funding:allocation_status", args=[approved.pk, "rejected"]))
    assert reject.status_code == 200
    assert 'name="note"' in reject.text
    assert 'name="remittance_reference"' not in reject.text
    url = reverse("funding:allocation_status", args=[approved.pk, "paid"])
    assert 'name="remittance_reference"' in admin_client.get(url).text
    data = {"version": approved.version, "paid_on": "15/01/2026", "remittance_reference": "R-7"}
    admin_client.post(url, {**data, "note": ""})
    approved.refresh_from_db()
    assert (approved.status, approved.remittance_reference) == (FundingStatus.PAID, "R-7")
