"""Issue 14 in a browser: an OPCO pays three allocations with one transfer — ticked on the
Funding page, marked paid together with the payment date and the remittance reference, found
again by that reference, each one's history saying so; and a pending allocation approved from
its row, in place."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from funding.models import FundingAllocation, FundingStatus, FundingStatusChange
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_enrollment,
    make_learner,
    make_session,
)
from tests.e2e.conftest import assert_translated

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _opco_allocations(organization):
    acme = make_company(organization, name="Acme Industrie")
    session = make_session(organization, reference="MGT-2025-03")
    allocations = []
    for first, last in [("Camille", "Martin"), ("Hugo", "Bernard"), ("Léa", "Petit")]:
        learner = make_learner(organization, first_name=first, last_name=last, employer=acme)
        allocations.append(
            make_allocation(
                make_enrollment(session, learner),
                funding_type=FundingType.OPCO_SKILLS_PLAN,
                carrier=acme,
                amount="1000.00",
            )
        )
    # Not paid by this transfer.
    other = make_learner(organization, first_name="Zoé", last_name="Durand")
    left_out = make_allocation(make_enrollment(session, other), status=FundingStatus.PENDING)
    return allocations, left_out


def test_bulk_mark_paid_three_allocations_with_one_remittance(
    page, log_in, organization, admin_user
):
    allocations, left_out = _opco_allocations(organization)
    log_in("admin")
    page.goto("/funding/")
    for allocation in allocations:
        page.locator(f'#funding-row-{allocation.pk} input[name="ids"]').check()
    bulk = page.locator("#bulk-form")
    bulk.get_by_label("With the selected allocations").select_option(label="Mark as paid")
    bulk.get_by_label("Payment date").fill("2026-01-15")
    bulk.get_by_label("Remittance reference").fill("VIR-ATLAS-0042")
    bulk.get_by_role("button", name="Apply to the selection").click()

    expect(
        page.get_by_text(
            "3 allocations marked as paid on 15/01/2026, remittance VIR-ATLAS-0042: 3 000,00 €."
        )
    ).to_be_visible()
    # The list now shows what that transfer paid, and only that.
    expect(page).to_have_url(re.compile(r"/funding/\?remittance=VIR-ATLAS-0042$"))
    expect(page.locator("tbody tr[id^=funding-row-]")).to_have_count(3)
    for allocation in allocations:
        row = page.locator(f"#funding-row-{allocation.pk}")
        expect(row).to_contain_text("Paid")
        expect(row).to_contain_text("VIR-ATLAS-0042")
    assert FundingAllocation.objects.get(pk=left_out.pk).status == FundingStatus.PENDING

    # Each one's history records the payment and its remittance.
    for allocation in allocations:
        page.goto(f"/funding/allocations/{allocation.pk}/history/")
        history = page.locator("tbody tr", has_text="Paid on 15/01/2026")
        expect(history).to_have_count(1)
        expect(history).to_contain_text("Approved")
        expect(history).to_contain_text("Paid on 15/01/2026 · remittance VIR-ATLAS-0042")
        expect(history).to_contain_text("admin")
    changes = FundingStatusChange.objects.filter(allocation__in=allocations)
    assert {(c.to_status, c.remittance_reference) for c in changes} == {("paid", "VIR-ATLAS-0042")}
    assert changes.count() == 3


def test_a_refused_selection_changes_nothing_and_says_why(page, log_in, organization, admin_user):
    allocations, left_out = _opco_allocations(organization)
    log_in("admin")
    page.goto("/funding/")
    for allocation in [*allocations, left_out]:
        page.locator(f'#funding-row-{allocation.pk} input[name="ids"]').check()
    bulk = page.locator("#bulk-form")
    bulk.get_by_label("Remittance reference").fill("VIR-1")
    bulk.get_by_role("button", name="Apply to the selection").click()
    refused = page.locator(".refused")
    expect(refused).to_contain_text("Nothing was changed: 1 of the 4 selected allocations")
    expect(refused).to_contain_text("Zoé Durand")
    expect(refused).to_contain_text("only an Approved allocation can be marked as paid")
    assert not FundingStatusChange.objects.exists()
    refused.get_by_role("button", name="Repeat with the other 3 allocations").click()
    expect(page.get_by_text("3 allocations marked as paid")).to_be_visible()


@pytest.mark.parametrize("locale", ["fr-FR"])
def test_approve_from_a_row_in_place_in_french(page, log_in, organization, admin_user):
    _allocations, pending = _opco_allocations(organization)
    log_in("admin")
    page.goto("/funding/?status=pending")
    assert_translated(page)
    row = page.locator(f"#funding-row-{pending.pk}")
    row.get_by_role("button", name="Accorder").click()
    expect(page.get_by_text("Zoé Durand\u00a0: En attente → Accordé.")).to_be_visible()
    expect(page.locator(f"#funding-row-{pending.pk}")).to_contain_text("Accordé")
    assert page.url.endswith("/funding/?status=pending")  # in place: no navigation
    assert FundingAllocation.objects.get(pk=pending.pk).status == FundingStatus.APPROVED

    # Mark as paid opens its small form in the row.
    row = page.locator(f"#funding-row-{pending.pk}")
    row.get_by_role("link", name="Marquer comme payé").click()
    row.get_by_label("Référence du virement").fill("VIR-9")
    assert_translated(page)
    row.get_by_role("button", name="Marquer comme payé").click()
    expect(page.locator(f"#funding-row-{pending.pk}")).to_contain_text("VIR-9")
    assert FundingAllocation.objects.get(pk=pending.pk).remittance_reference == "VIR-9"


def test_approve_from_the_dashboard_in_place(page, log_in, organization, admin_user):
    _allocations, pending = _opco_allocations(organization)
    log_in("admin")
    figure = page.locator("#pending-figure")
    expect(figure).to_contain_text("1 ·")
    page.locator(f"#pending-row-{pending.pk}").get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Zoé Durand: Pending → Approved.")).to_be_visible()
    expect(page.locator(f"#pending-row-{pending.pk}")).to_contain_text("Approved")
    expect(figure).to_contain_text("0 ·")  # the card's count follows
    assert FundingAllocation.objects.get(pk=pending.pk).status == FundingStatus.APPROVED
