"""Issue 4 in a browser: an OPCO allocation added from a company, then seen combined with the
learner's own CPF on the session's page; the Funding page filtered and exported."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_company,
    make_course,
    make_enrollment,
    make_learner,
    make_session,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_opco_from_a_company_combined_with_cpf_on_the_session(
    page, log_in, organization, admin_user
):
    acme = make_company(organization, name="Acme Industrie")
    course = make_course(organization, title="Management d'équipe", price=Decimal("2500.00"))
    session = make_session(organization, course, reference="MGT-2025-03")
    other_session = make_session(organization, course, reference="MGT-2025-09")
    camille = make_learner(organization, first_name="Camille", last_name="Martin", employer=acme)
    hugo = make_learner(organization, first_name="Hugo", last_name="Bernard")
    make_enrollment(other_session, hugo)
    cpf = make_allocation(
        make_enrollment(session, camille),
        funding_type=FundingType.CPF,
        amount="1500.00",
        status=FundingStatus.APPROVED,
    )

    log_in("admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Companies").click()
    page.get_by_role("link", name="Acme Industrie").click()
    page.get_by_role("navigation", name="Company sections").get_by_role(
        "link", name="Funding"
    ).click()
    expect(page).to_have_url(re.compile(r"/companies/\d+/funding/$"))
    page.get_by_role("link", name="+ Add funding").click()

    form = page.locator("#allocation-panel")
    form.get_by_label("Type").select_option(label="OPCO – skills development plan")
    form.get_by_label("Approved amount").fill("1 000,00")
    form.get_by_label("Session").select_option(
        label=f"MGT-2025-03 — {course.title} (03/03/2025 – 04/03/2025)"
    )
    # The learner list follows the session: Hugo is enrolled elsewhere only.
    learner = form.get_by_label("Learner")
    expect(learner.locator("optgroup[label='Employees of Acme Industrie']")).to_have_count(1)
    expect(learner.locator("option", has_text="Hugo Bernard")).to_have_count(0)
    learner.select_option(label="Camille Martin")
    form.get_by_label("Funder reference").fill("ATLAS-2025-0042")
    form.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Funding added: OPCO – skills development plan, 1 000,00 €.")
    ).to_be_visible()
    row = page.get_by_role("row", name=re.compile("MGT-2025-03"))
    expect(row).to_contain_text("Camille Martin")
    expect(row).to_contain_text("ATLAS-2025-0042")
    expect(row).to_contain_text("Pending")

    row.get_by_role("link", name="Approve").click()
    page.locator("#allocation-panel").get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Status changed: Pending → Approved.")).to_be_visible()

    # The session's page combines the company's OPCO and the learner's own CPF.
    page.goto(f"/training/sessions/{session.pk}/")
    funding = page.locator("#session-funding")
    camille_row = funding.get_by_role("row", name=re.compile("Camille Martin"))
    expect(camille_row).to_contain_text("Acme Industrie")
    expect(camille_row).to_contain_text("OPCO – skills development plan")
    expect(camille_row).to_contain_text("CPF")
    expect(camille_row).to_contain_text("2 500,00 €")  # course price, fully counted
    expect(funding.locator("tfoot")).to_contain_text("2 500,00 €")
    expect(camille_row).to_contain_text("Funded")

    # Each allocation links to its carrier's Funding tab.
    camille_row.get_by_role("link", name="Camille Martin").click()
    expect(page).to_have_url(re.compile(rf"/individuals/{cpf.individual_id}/funding/$"))

    opco = FundingAllocation.objects.get(company=acme)
    assert opco.learner == camille and opco.session == session
    assert opco.status == FundingStatus.APPROVED
    assert opco.approved_amount == Decimal("1000.00")


def test_funding_page_filters_as_you_type_and_exports(page, log_in, organization, admin_user):
    session = make_session(organization, reference="EXCEL-01")
    acme = make_company(organization, name="Acme Industrie")
    make_allocation(
        make_enrollment(
            session, make_learner(organization, first_name="Camille", last_name="Martin")
        ),
        amount="1200.00",
    )
    make_allocation(
        make_enrollment(
            session,
            make_learner(organization, first_name="Hugo", last_name="Bernard", employer=acme),
        ),
        funding_type=FundingType.OPCO_SKILLS_PLAN,
        carrier=acme,
        amount="800.00",
        status=FundingStatus.PENDING,
    )
    log_in("admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Funding").click()
    expect(page.get_by_role("heading", name="Funding", exact=True)).to_be_visible()
    results = page.locator("#results")
    expect(results).to_contain_text("Camille Martin")
    page.get_by_role("searchbox").press_sequentially("bern")
    expect(results.get_by_text("Camille Martin")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=bern"))
    expect(results).to_contain_text("800,00 €")
    page.get_by_label("Status", exact=True).select_option(label="Pending")
    expect(page).to_have_url(re.compile(r"status=pending"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert re.fullmatch(
        r"funding-formations-lumiere-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename
    )
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    assert "Hugo Bernard" in content and "Camille" not in content
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export XLSX").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")
