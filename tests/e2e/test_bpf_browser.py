from __future__ import annotations

import re

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

    # Clicking the figure loads the allocations behind it (htmx) in a row right under its line,
    # with their sum; the page stays where it is.
    url = page.url
    line_e.locator("a.figure").click()
    drill_row = page.locator('tr[data-key="C.e"] + tr.drill-row')
    panel = drill_row.locator("#drill-panel")
    expect(panel).to_contain_text("C.e — du compte personnel de formation")
    expect(panel).to_contain_text("1 100,00 €")
    expect(panel.locator("table").get_by_role("row")).to_have_count(3)  # header + L2 + L6
    expect(panel).to_contain_text("(8/15 days)")
    expect(panel.locator("#drill-title")).to_be_focused()
    expect(panel).to_be_in_viewport()
    assert page.url == url  # still the BPF page: only a row was added

    # Back to the line, then Close: the row goes and the figure has the focus again.
    panel.get_by_role("link", name="Back to the line").click()
    expect(page).to_have_url(url + "#line-C.e")
    expect(line_e).to_be_in_viewport()
    panel.get_by_role("button", name="Close").click()
    expect(page.locator("tr.drill-row")).to_have_count(0)
    expect(line_e.locator("a.figure")).to_be_focused()

    # F-1: the rule that classified each learner, under F-1 line b; one drill-down at a time.
    line_e.locator("a.figure").click()
    expect(drill_row).to_have_count(1)
    page.locator('tr[data-key="F1.b"] a.figure').first.click()
    f1_panel = page.locator('tr[data-key="F1.b"] + tr.drill-row #drill-panel')
    expect(f1_panel).to_contain_text("rule 1: the enrollment's own override")
    expect(page.locator("tr.drill-row")).to_have_count(1)

    # The typed figures are edited in their section: section E's, saved, back to section E.
    # Nothing typed yet for this year: the fields are open.
    expect(page.locator("#inputs-E")).to_have_attribute("open", "")
    page.locator("#section-E").get_by_label("own trainers: number").fill("3")
    page.locator("#section-E").get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"#section-E$"))
    expect(page.locator('tr[data-key="E.own.count"]')).to_contain_text("3")

    # The checks panel links to what to fix.
    expect(page.locator('[data-check="unclassified_trainees"]')).to_contain_text("1")
