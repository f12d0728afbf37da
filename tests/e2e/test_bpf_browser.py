from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.bpf.conftest import build_worked_example

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_open_the_bpf_and_drill_into_a_figure(page, log_in, organization, admin_user):
    organization.fiscal_year_start_month = 7
    organization.save()
    build_worked_example(organization)
    log_in("admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="BPF").click()
    page.get_by_role("link", name="2025", exact=True).click()
    expect(page.get_by_role("heading", name="BPF — fiscal year 2025")).to_be_visible()
    line_e = page.locator('tr[data-key="C.e"]')
    expect(line_e).to_contain_text("du compte personnel de formation")
    expect(line_e.locator("a.figure")).to_have_text("1 100")

    # Clicking the figure loads the allocations behind it (htmx), with their sum.
    line_e.locator("a.figure").click()
    panel = page.locator("#drill-panel")
    expect(panel).to_contain_text("C.e — du compte personnel de formation")
    expect(panel).to_contain_text("1 100,00 €")
    expect(panel.get_by_role("row")).to_have_count(3)  # header + L2 in S1 + L6 in S2
    expect(panel).to_contain_text("(8/15 days)")
    expect(page).to_have_url(page.url)  # still the BPF page: only the panel changed

    # F-1: the rule that classified each learner.
    page.locator('tr[data-key="F1.b"] a.figure').first.click()
    expect(panel).to_contain_text("rule 1: the enrollment's own override")

    # The checks panel links to what to fix.
    expect(page.locator('[data-check="unclassified_trainees"]')).to_contain_text("1")
