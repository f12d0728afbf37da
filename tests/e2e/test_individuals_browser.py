"""Issue 3's walkthrough, as an administrator does it, with the interface's own words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from funding.models import FundingAllocation, FundingStatus
from tests.conftest import make_enrollment, make_individual, make_learner, make_session
from tests.e2e.conftest import assert_translated

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# The help page's words (DESIGN.md) and the French ones French administrators use.
WORDS = {
    "en-GB": {
        "main": "Main",
        "individuals": "Individuals",
        "active": "Active",
        "archived": "Archived",
        "new_individual": "+ New individual",
        "learner": "Learner",
        "billing_email": "Billing email",
        "billing_name": "Billing name",
        "billing_address": "Billing address",
        "save": "Save",
        "created": "Individual Camille Martin created.",
        "sections": "Individual sections",
        "funding": "Funding",
        "add_funding": "+ Add funding",
        "approved_help": "The approved amount, not the requested one, feeds exports and the BPF.",
        "type": "Type",
        "approved_amount": "Approved amount",
        "session": "Session",
        "case_number": "CPF case number",
        "added": "Funding added: CPF, 1 500,00 €.",
        "pending": "Pending",
        "approve": "Approve",
        "note": "Note",
        "to_approved": "Status changed: Pending → Approved.",
        "approved": "Approved",
        "mark_paid": "Mark as paid",
        "payment_date": "Payment date",
        "to_paid": "Status changed: Approved → Paid.",
        "paid": "Paid",
        "history": "History",
    },
    "fr-FR": {
        "main": "Menu principal",
        "individuals": "Particuliers",
        "active": "Actifs",
        "archived": "Archivés",
        "new_individual": "+ Nouveau particulier",
        "learner": "Apprenant",
        "billing_email": "E-mail de facturation",
        "billing_name": "Nom de facturation",
        "billing_address": "Adresse de facturation",
        "save": "Enregistrer",
        "created": "Particulier Camille Martin créé.",
        "sections": "Rubriques du particulier",
        "funding": "Financements",
        "add_funding": "+ Ajouter un financement",
        "approved_help": "C’est le montant accordé, pas le montant demandé, qui alimente les "
        "exports et le BPF.",
        "type": "Type",
        "approved_amount": "Montant accordé",
        "session": "Session",
        "case_number": "Numéro de dossier CPF",
        "added": "Financement ajouté\u00a0: CPF, 1 500,00 €.",
        "pending": "En attente",
        "approve": "Accorder",
        "note": "Note",
        "to_approved": "Statut modifié\u00a0: En attente → Accordé.",
        "approved": "Accordé",
        "mark_paid": "Marquer comme payé",
        "payment_date": "Date du paiement",
        "to_paid": "Statut modifié\u00a0: Accordé → Payé.",
        "paid": "Payé",
        "history": "Historique",
    },
}


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_individual_funding_walkthrough(page, log_in, organization, admin_user, locale):
    """The help page's walkthrough, with a French and with an English browser: each page in the
    browser's language, and on the French one no English interface word (assert_translated)."""
    words = WORDS[locale]
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
    assert page.locator("html").get_attribute("lang") == locale[:2]
    assert_translated(page)
    main = page.get_by_role("navigation", name=words["main"])
    # 1. The Individuals module.
    main.get_by_role("link", name=words["individuals"]).click()
    expect(page.get_by_role("heading", name=words["individuals"])).to_be_visible()
    expect(page.get_by_role("link", name=words["active"], exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=words["archived"], exact=True)).to_be_visible()
    assert_translated(page)

    # 2. Create an individual: type in Learner, pick the suggestion, billing details pre-filled.
    page.get_by_role("link", name=words["new_individual"]).click()
    assert_translated(page)
    # The learner picker is a combobox: the arrow keys move through the suggestions, Enter picks.
    picker = page.get_by_role("combobox", name=words["learner"])
    picker.press_sequentially("mart")
    option = page.get_by_role("option", name=re.compile("Camille Martin"))
    expect(option).to_be_visible()
    expect(picker).to_have_attribute("aria-expanded", "true")
    picker.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(picker).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    expect(picker).to_be_focused()
    picker.press("Enter")
    expect(page.get_by_label(words["billing_email"])).to_have_value("camille.martin@example.fr")
    expect(page.get_by_label(words["billing_name"])).to_have_value("Camille Martin")
    expect(page.get_by_label(words["billing_address"])).to_have_value(
        "3 rue des Lilas, 75011 Paris"
    )
    assert_translated(page)
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_role("heading", name="Camille Martin")).to_be_visible()
    expect(page.get_by_text(words["created"])).to_be_visible()
    assert_translated(page)

    # 3. Funding tab (loaded in place, with its own URL), + Add funding.
    tabs = page.get_by_role("navigation", name=words["sections"])
    tabs.get_by_role("link", name=words["funding"]).click()
    expect(page).to_have_url(re.compile(r"/individuals/\d+/funding/$"))
    assert_translated(page)
    page.get_by_role("link", name=words["add_funding"]).click()
    expect(page.get_by_text(words["approved_help"])).to_be_visible()
    assert_translated(page)
    page.get_by_label(words["type"], exact=True).select_option(label="CPF")
    page.get_by_label(words["approved_amount"]).fill("1 500,00")
    page.get_by_label(words["session"], exact=True).select_option(
        label=f"CPF-2025-03 — {session.course.title} (03/03/2025 – 04/03/2025)"
    )
    page.get_by_label(words["case_number"]).fill("1234 5678 901")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_text(words["added"])).to_be_visible()
    row = page.get_by_role("row", name=re.compile("CPF-2025-03"))
    expect(row).to_contain_text("1 500,00 €")
    expect(row).to_contain_text("12345678901")
    expect(row).to_contain_text(words["pending"])
    # Still on the same page: no full reload happened.
    expect(page).to_have_url(re.compile(r"/individuals/\d+/funding/$"))
    assert_translated(page)

    # 4. Status in place: Approved, then Paid (which asks for the payment date).
    row.get_by_role("link", name=words["approve"]).click()
    panel = page.locator("#allocation-panel")
    expect(panel.get_by_label(words["note"])).to_be_visible()
    assert_translated(page)
    panel.get_by_label(words["note"]).fill("Accepted on EDOF")
    panel.get_by_role("button", name=words["approve"]).click()
    expect(page.get_by_text(words["to_approved"])).to_be_visible()
    # The button pressed is gone with the swap: the focus goes to the message, not the page body.
    expect(page.locator("#messages")).to_be_focused()
    expect(row).to_contain_text(words["approved"])
    row.get_by_role("link", name=words["mark_paid"]).click()
    panel.get_by_label(words["payment_date"]).fill("2025-04-01")
    assert_translated(page)
    panel.get_by_role("button", name=words["mark_paid"]).click()
    expect(page.get_by_text(words["to_paid"])).to_be_visible()
    expect(row).to_contain_text(words["paid"])
    expect(row).to_contain_text("01/04/2025")
    assert_translated(page)

    # Every change is in the History view.
    row.get_by_role("link", name=words["history"]).click()
    # The status moves' table (the field changes have their own, below it).
    history = panel.get_by_role("region", name=words["history"], exact=True).get_by_role("table")
    expect(history).to_contain_text("Accepted on EDOF")
    expect(history.get_by_role("row")).to_have_count(3)
    assert_translated(page)

    allocation = FundingAllocation.objects.get()
    assert allocation.status == FundingStatus.PAID
    assert allocation.status_changes.count() == 2

    # 5. The BPF: the paid CPF funding is on line e, the Cerfa's labels French in both languages.
    main.get_by_role("link", name="BPF").click()
    page.get_by_role("link", name="2025", exact=True).click()
    expect(page.locator('tr[data-key="C.e"] a.figure')).to_have_text("1 500")
    expect(page.locator('tr[data-key="C.e"]')).to_contain_text("du compte personnel de formation")
    assert_translated(page)


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
