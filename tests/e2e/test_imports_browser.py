"""Settings → Import in the browser, in French: upload, columns, preview, confirm."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from learners.models import Learner
from tests.e2e.conftest import assert_translated

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FILE = (
    "Nom;Prénom;Courriel;Mobile perso\r\n"
    "Durand;Hélène;helene@example.fr;06 12 34 56 78\r\n"
    "Martin;Paul;;\r\n"
).encode("cp1252")


@pytest.mark.parametrize("locale", ["fr-FR"])
def test_import_learners_through_upload_columns_preview_and_confirm(
    page, log_in, organization, admin_user, locale, tmp_path
):
    path = tmp_path / "stagiaires.csv"
    path.write_bytes(FILE)
    log_in("admin")
    page.get_by_role("link", name="Paramètres").click()
    page.get_by_role("link", name="Importer des données (CSV, XLSX)").click()
    assert_translated(page)
    page.get_by_label("Contenu du fichier").select_option("learners")
    page.get_by_label("Fichier", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Continuer").click()

    # Columns: recognised ones are chosen; "Mobile perso" is not a known name: chosen by hand.
    expect(page.get_by_text("2 lignes lues (CSV (;, Windows-1252))")).to_be_visible()
    assert_translated(page)
    expect(page.get_by_label("Nom", exact=True)).to_have_value("0")
    expect(page.get_by_label("Téléphone")).to_have_value("")
    page.get_by_label("Téléphone").select_option(label="Mobile perso")
    expect(page.locator("#import-working")).to_be_hidden()
    page.get_by_role("button", name="Aperçu").click()

    expect(page.locator("#import-counts")).to_have_text(
        "L’import donnera : 2 créés, 0 mis à jour, 0 inchangé."
    )
    assert_translated(page)
    assert not Learner.objects.exists()
    # While the import runs the page says so, and its button cannot be pressed twice: the
    # submit event alone (a synthetic one sends nothing), then the page again, then the click.
    page.evaluate(
        """() => document.querySelector("form[data-working]")
            .dispatchEvent(new Event("submit", {bubbles: true, cancelable: true}))"""
    )
    expect(page.locator("#import-working")).to_be_visible()
    expect(page.get_by_role("button", name="Importer", exact=True)).to_be_disabled()
    page.reload()
    page.get_by_role("button", name="Importer", exact=True).click()

    expect(page.locator("#import-counts")).to_have_text(
        "Importé : 2 créés, 0 mis à jour, 0 inchangé."
    )
    assert_translated(page)
    helene = Learner.objects.get(email="helene@example.fr")
    assert (helene.organization, helene.phone) == (organization, "06 12 34 56 78")
    assert Learner.objects.count() == 2
