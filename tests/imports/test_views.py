"""Settings → Import: upload → map → preview → confirm."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportMapping, ImportUpload
from learners.models import Learner
from tests.conftest import make_learner

pytestmark = pytest.mark.django_db

FILE = "Nom;Prénom;Courriel;Portable\nDurand;Hélène;h@example.fr;0612\nMartin;Paul;;\n"


def upload(client, text=FILE, kind="learners", name="stagiaires.csv", encoding="cp1252"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(
        reverse("imports:start"),
        {"kind": kind, "file": SimpleUploadedFile(name, data), "sheet": ""},
    )


def test_four_steps_nothing_written_before_confirm_and_double_confirm_imports_once(
    admin_client, organization
):
    response = upload(admin_client)
    the_upload = ImportUpload.objects.get()
    assert the_upload.organization == organization
    assert response.url == reverse("imports:map", args=[the_upload.pk])
    page = admin_client.get(response.url).content.decode()
    assert "2 rows read (CSV (;, Windows-1252))" in page
    # Auto-mapped: "Portable" is read as the phone.
    assert '<option value="3" selected>Portable</option>' in page
    response = admin_client.post(
        reverse("imports:map", args=[the_upload.pk]),
        {"last_name": "0", "first_name": "1", "email": "2", "phone": "3"},
    )
    assert response.url == reverse("imports:preview", args=[the_upload.pk])
    page = admin_client.get(response.url).content.decode()
    assert "The import will give: 2 created, 0 updated, 0 unchanged." in page
    assert not Learner.objects.exists()
    confirm = reverse("imports:confirm", args=[the_upload.pk])
    response = admin_client.post(confirm)
    assert response.url == reverse("imports:done", args=[the_upload.pk])
    assert Learner.objects.filter(organization=organization).count() == 2
    assert admin_client.post(confirm).url == reverse("imports:done", args=[the_upload.pk])
    assert Learner.objects.count() == 2
    page = admin_client.get(reverse("imports:done", args=[the_upload.pk])).content.decode()
    assert "Imported: 2 created, 0 updated, 0 unchanged." in page
    assert bytes(ImportUpload.objects.get().data) == b""


def test_mapping_changed_is_remembered_for_the_next_file_of_that_kind(admin_client, organization):
    upload(admin_client, "Nom;Prénom;Mobile perso\nA;B;06\n")
    first = ImportUpload.objects.get()
    admin_client.post(
        reverse("imports:map", args=[first.pk]),
        {"last_name": "0", "first_name": "1", "phone": "2"},
    )
    assert ImportMapping.objects.get(organization=organization, kind="learners").mapping == {
        "last_name": "nom",
        "first_name": "prenom",
        "phone": "mobile perso",
    }
    upload(admin_client, "Mobile perso;Nom;Prénom\n06;C;D\n")
    second = ImportUpload.objects.exclude(pk=first.pk).get()
    page = admin_client.get(reverse("imports:map", args=[second.pk])).content.decode()
    assert '<option value="0" selected>Mobile perso</option>' in page


def test_preview_lists_every_error_with_line_and_column_in_french(admin_client, french):
    make_learner_errors = "Nom;Prénom;Courriel\nA;B;pas-un-email\nC;;c@example.fr\n"
    upload(admin_client, make_learner_errors)
    the_upload = ImportUpload.objects.get()
    admin_client.post(
        reverse("imports:map", args=[the_upload.pk]),
        {"last_name": "0", "first_name": "1", "email": "2"},
    )
    page = admin_client.get(reverse("imports:preview", args=[the_upload.pk])).content.decode()
    assert "<td>2</td><td>Courriel</td><td>Saisissez une adresse de courriel valide.</td>" in page
    assert "<td>3</td><td>Prénom</td><td>Ce champ est obligatoire.</td>" in page
    # Confirming anyway saves nothing.
    admin_client.post(reverse("imports:confirm", args=[the_upload.pk]))
    assert not Learner.objects.exists()
    assert ImportUpload.objects.get().confirmed_at is None


def test_required_column_not_mapped_is_refused(admin_client):
    upload(admin_client)
    the_upload = ImportUpload.objects.get()
    response = admin_client.post(
        reverse("imports:map", args=[the_upload.pk]), {"last_name": "0", "email": "2"}
    )
    assert "These columns are required: First name." in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\x00\x01binary", "This file is neither a CSV file nor an XLSX file."),
        (b"Nom\nA\n", "separator could not be detected"),
    ],
)
def test_unreadable_files_are_refused_on_upload(admin_client, data, message):
    response = upload(admin_client, data)
    assert message in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_too_big_file_refused_with_the_limit(admin_client, monkeypatch):
    from imports import forms

    monkeypatch.setattr(forms, "MAX_BYTES", 10)
    response = upload(admin_client)
    assert "larger than 0 MB" in response.content.decode()


def test_trainer_403_other_organisation_404_anonymous_redirected(
    client, admin_client, organization, trainer_user, other_admin_user, client_for
):
    upload(admin_client)
    the_upload = ImportUpload.objects.get()
    trainer = client_for(trainer_user)
    assert trainer.get(reverse("imports:start")).status_code == 403
    assert trainer.get(reverse("imports:preview", args=[the_upload.pk])).status_code == 403
    other = client_for(other_admin_user)
    for name in ("map", "preview", "done"):
        assert other.get(reverse(f"imports:{name}", args=[the_upload.pk])).status_code == 404
    assert other.post(reverse("imports:confirm", args=[the_upload.pk])).status_code == 404
    from django.test import Client

    assert Client().get(reverse("imports:start")).status_code == 302


def test_settings_page_links_to_import(admin_client):
    page = admin_client.get(reverse("organization_settings")).content.decode()
    assert reverse("imports:start") in page


def test_reimport_through_the_page_is_unchanged(admin_client, organization):
    make_learner(
        organization, last_name="Durand", first_name="Hélène", email="h@example.fr", phone="0612"
    )
    upload(admin_client, "Nom;Prénom;Courriel;Portable\nDurand;Hélène;h@example.fr;0612\n")
    the_upload = ImportUpload.objects.get()
    admin_client.post(
        reverse("imports:map", args=[the_upload.pk]),
        {"last_name": "0", "first_name": "1", "email": "2", "phone": "3"},
    )
    page = admin_client.get(reverse("imports:preview", args=[the_upload.pk])).content.decode()
    assert "0 created, 0 updated, 1 unchanged" in page


def test_xlsx_with_a_named_sheet_through_the_page(admin_client, organization):
    from tests.imports.test_files import xlsx

    data = xlsx(
        [["Lisez-moi"]],
        more_sheets=[("Entreprises", [["Raison sociale", "SIRET"], ["Dupont", "73282932000074"]])],
    )
    response = admin_client.post(
        reverse("imports:start"),
        {"kind": "companies", "file": SimpleUploadedFile("e.xlsx", data), "sheet": "Entreprises"},
    )
    the_upload = ImportUpload.objects.get()
    assert response.url == reverse("imports:map", args=[the_upload.pk])
    assert the_upload.sheet == "Entreprises"
    admin_client.post(reverse("imports:map", args=[the_upload.pk]), {"name": "0", "siret": "1"})
    admin_client.post(reverse("imports:confirm", args=[the_upload.pk]))
    assert organization.companies.get().siret == "73282932000074"
    response = admin_client.post(
        reverse("imports:start"),
        {"kind": "companies", "file": SimpleUploadedFile("e.xlsx", data), "sheet": "Nope"},
    )
    assert "no sheet named “Nope”" in response.content.decode()
