"""Issue 3's walkthrough, as an administrator does it, with the interface's own words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from funding.models import FundingAllocation, FundingStatus
from tests.conftest import make_enrollment, make_individual, make_learner, make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_individual_funding_walkthrough(page, log_in, organization, admin_user):
    learner = make_learner(
        organization,
        first_name="Camille",
        last_name="Martin",
        email="camille.martin@example.fr",
        address="3 rue des Lilas, 75011 Paris",
    )
    make_learner(organization, first_name="Hugo", last_name="Bernard")
    session = make_session(organization, reference="CPF-2025-03")
    make_enrollment(session, learner)

    log_in("admin")
    # 1. The Individuals module.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Individuals").click()
    expect(page.get_by_role("heading", name="Individuals")).to_be_visible()
    expect(page.get_by_role("link", name="Active")).to_be_visible()
    expect(page.get_by_role("link", name="Archived")).to_be_visible()

    # 2. Create an individual: type in Learner, pick the suggestion, billing details pre-filled.
    page.get_by_role("link", name="+ New individual").click()
    page.get_by_label("Learner").press_sequentially("mart")
    page.get_by_role("link", name=re.compile("Camille Martin")).click()
    expect(page.get_by_label("Billing email")).to_have_value("camille.martin@example.fr")
    expect(page.get_by_label("Billing name")).to_have_value("Camille Martin")
    expect(page.get_by_label("Billing address")).to_have_value("3 rue des Lilas, 75011 Paris")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Camille Martin")).to_be_visible()
    expect(page.get_by_text("Individual Camille Martin created.")).to_be_visible()

    # 3. Funding tab (loaded in place, with its own URL), + Add funding.
    tabs = page.get_by_role("navigation", name="Individual sections")
    tabs.get_by_role("link", name="Funding").click()
    expect(page).to_have_url(re.compile(r"/individuals/\d+/funding/$"))
    page.get_by_role("link", name="+ Add funding").click()
    expect(
        page.get_by_text("The approved amount, not the requested one, feeds exports and the BPF.")
    ).to_be_visible()
    page.get_by_label("Type").select_option(label="CPF")
    page.get_by_label("Approved amount").fill("1 500,00")
    page.get_by_label("Session").select_option(
        label=f"CPF-2025-03 — {session.course.title} (03/03/2025 – 04/03/2025)"
    )
    page.get_by_label("CPF case number").fill("1234 5678 901")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Funding added: CPF, 1 500,00 €.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("CPF-2025-03"))
    expect(row).to_contain_text("1 500,00 €")
    expect(row).to_contain_text("12345678901")
    expect(row).to_contain_text("Pending")
    # Still on the same page: no full reload happened.
    expect(page).to_have_url(re.compile(r"/individuals/\d+/funding/$"))

    # 4. Status in place: Approved, then Paid (which asks for the payment date).
    row.get_by_role("link", name="Approve").click()
    panel = page.locator("#allocation-panel")
    panel.get_by_label("Note").fill("Accepted on EDOF")
    panel.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Status changed: Pending → Approved.")).to_be_visible()
    expect(row).to_contain_text("Approved")
    row.get_by_role("link", name="Mark as paid").click()
    panel.get_by_label("Payment date").fill("2025-04-01")
    panel.get_by_role("button", name="Mark as paid").click()
    expect(page.get_by_text("Status changed: Approved → Paid.")).to_be_visible()
    expect(row).to_contain_text("Paid")
    expect(row).to_contain_text("01/04/2025")

    # Every change is in the History view.
    row.get_by_role("link", name="History").click()
    history = panel.get_by_role("table")
    expect(history).to_contain_text("Accepted on EDOF")
    expect(history.get_by_role("row")).to_have_count(3)

    allocation = FundingAllocation.objects.get()
    assert allocation.status == FundingStatus.PAID
    assert allocation.status_changes.count() == 2


def test_search_and_archive(page, log_in, organization, admin_user):
    make_individual(make_learner(organization, first_name="Camille", last_name="Martin"))
    make_individual(make_learner(organization, first_name="Hugo", last_name="Bernard"))
    log_in("admin")
    page.goto("/individuals/")
    page.get_by_role("searchbox").fill("bern")
    expect(page.get_by_role("link", name="Camille Martin")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=bern"))
    page.get_by_role("link", name="Hugo Bernard").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_text("Hugo Bernard archived: no longer in the Active list")).to_be_visible()
    page.goto("/individuals/")
    expect(page.get_by_role("link", name="Hugo Bernard")).to_have_count(0)
    page.get_by_role("link", name="Archived").click()
    expect(page.get_by_role("link", name="Hugo Bernard")).to_be_visible()
