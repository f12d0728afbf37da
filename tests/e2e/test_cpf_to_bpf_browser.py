"""Issue 5's end-to-end evidence: funding entered in the Individuals module reaches the BPF."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from funding.types import FundingType
from tests.conftest import (
    make_allocation,
    make_enrollment,
    make_individual,
    make_learner,
    make_session,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_cpf_allocation_approved_grows_bpf_line_e(page, log_in, organization, admin_user):
    # An earlier CPF allocation already gives line e 800 € in 2025.
    earlier = make_enrollment(make_session(organization, reference="EARLY-2025"))
    make_allocation(earlier, funding_type=FundingType.CPF, amount="800.00")
    learner = make_learner(organization, first_name="Inès", last_name="Garnier")
    make_individual(learner)
    session = make_session(
        organization,
        reference="EXCEL-2025",
        start_date=datetime.date(2025, 5, 12),
        end_date=datetime.date(2025, 5, 13),
    )
    make_enrollment(session, learner)

    log_in("admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="BPF").click()
    page.get_by_role("link", name="2025", exact=True).click()
    line_e = page.locator('tr[data-key="C.e"] a.figure')
    expect(line_e).to_have_text("800")

    # Add a CPF allocation to Inès through the Individuals module, then approve it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Individuals").click()
    page.get_by_role("link", name="Inès Garnier").click()
    page.get_by_role("navigation", name="Individual sections").get_by_role(
        "link", name="Funding"
    ).click()
    page.get_by_role("link", name="+ Add funding").click()
    page.get_by_label("Type").select_option(label="CPF")
    page.get_by_label("Approved amount").fill("1 234,56")
    page.get_by_label("Session").select_option(
        label=f"EXCEL-2025 — {session.course.title} (12/05/2025 – 13/05/2025)"
    )
    page.get_by_label("CPF case number").fill("2025 0512 345")
    page.get_by_role("button", name="Save").click()
    row = page.get_by_role("row", name=re.compile("EXCEL-2025"))
    expect(row).to_contain_text("Pending")

    # Pending money is not counted: line e unchanged.
    funding_tab = page.url
    page.goto("/bpf/?year=2025")
    expect(page.locator('tr[data-key="C.e"] a.figure')).to_have_text("800")

    page.goto(funding_tab)
    page.get_by_role("row", name=re.compile("EXCEL-2025")).get_by_role(
        "link", name="Approve"
    ).click()
    page.locator("#allocation-panel").get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Status changed: Pending → Approved.")).to_be_visible()

    # Line e grows by the approved amount (800 + 1 234,56 = 2 034,56 → 2 035 €).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="BPF").click()
    page.get_by_role("link", name="2025", exact=True).click()
    line_e = page.locator('tr[data-key="C.e"] a.figure')
    expect(line_e).to_have_text("2 035")

    # The drill-down lists the allocation behind the figure.
    line_e.click()
    panel = page.locator("#drill-panel")
    allocation_row = panel.get_by_role("row", name=re.compile("Inès Garnier"))
    expect(allocation_row).to_contain_text("EXCEL-2025")
    expect(allocation_row).to_contain_text("1 234,56 €")
    expect(panel).to_contain_text("2 034,56 €")
