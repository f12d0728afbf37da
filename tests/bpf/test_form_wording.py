"""The form's own words: section titles, E line 2, F's columns, A's address question, H's place and
date; exports write labels without their leading "- " and their checks in French."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bpf import labels
from bpf.computation import compute_bpf
from bpf.exports import export, report_for_export
from bpf.models import BpfFiling, BpfInputs
from bpf.rows import flat_rows
from bpf.services import filing_create
from bpf.snapshots import latest_filing, report_from_filing
from tests.bpf.conftest import build_worked_example
from tests.bpf.test_files import pdf_text

pytestmark = pytest.mark.django_db

E_EXTERNAL = (
    "Personnes extérieures à votre organisme dispensant des heures de formation dans le cadre "
    "de contrats de sous-traitance"
)
F_TITLE = (
    "BILAN PÉDAGOGIQUE : STAGIAIRES BÉNÉFICIANT D'UNE FORMATION DISPENSÉE PAR L'ORGANISME ET "
    "APPRENTIS EN FORMATION"
)
F_LEARNERS = "Nombre de stagiaires ou d'apprentis"
F_HOURS = "Nombre total d'heures de formation suivies par les stagiaires et les apprentis"
ADDRESS_QUESTION = "Acceptez-vous que cette adresse soit rendue publique"


@pytest.fixture
def example(organization):
    """The worked example in the organisation of the `admin_client` fixture."""
    organization.fiscal_year_start_month = 7
    organization.save()
    return build_worked_example(organization)


def csv_rows(report) -> dict[str, tuple[str, str]]:
    content = export(report, "csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    return {row[0]: (row[1], row[2]) for row in rows[1:]}


def test_labels_of_the_17_form():
    assert labels.E_LABELS["external"] == E_EXTERNAL
    assert labels.section_titles(labels.FORM_17)["B"] == "INFORMATIONS GÉNÉRALES"
    assert labels.section_titles(labels.FORM_17)["F"] == F_TITLE
    assert labels.F_COLUMNS == (F_LEARNERS, F_HOURS)
    # *16 keeps its own section B title.
    assert labels.section_titles(labels.FORM_16)["B"] == "CARACTÉRISTIQUES DE L'ORGANISME"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_page_shows_the_form_wording_in_either_language(admin_client, example, language):
    org = example.organization
    org.address_public = True
    org.save()
    response = admin_client.get(
        reverse("bpf:report"), {"year": 2025}, HTTP_ACCEPT_LANGUAGE=language
    )
    text = response.content.decode()
    for expected in (
        "B — INFORMATIONS GÉNÉRALES",
        "F — BILAN PÉDAGOGIQUE : STAGIAIRES BÉNÉFICIANT D&#x27;UNE FORMATION DISPENSÉE",
        "Nombre de stagiaires ou d&#x27;apprentis",
        "Nombre total d&#x27;heures de formation suivies par les stagiaires et les apprentis",
        "dans le cadre de contrats de sous-traitance",
        ADDRESS_QUESTION,
    ):
        assert expected in text, expected
    a_rows = {code: value for code, _label, value in response.context["sections"].a}
    assert a_rows["A.address_public"] == "Oui"


def test_address_question_follows_the_address_and_is_empty_until_answered(worked_example):
    org = worked_example.organization
    codes = [code for code, _label, _value in flat_rows(compute_bpf(org, 2025))]
    assert codes.index("A.address_public") == codes.index("A.address") + 1
    assert csv_rows(compute_bpf(org, 2025))["A.address_public"] == (ADDRESS_QUESTION, "")
    org.address_public = False
    org.save()
    assert csv_rows(compute_bpf(org, 2025))["A.address_public"] == (ADDRESS_QUESTION, "Non")


def test_address_question_is_set_in_the_organisation_settings(admin_client, organization):
    url = reverse("organization_settings")
    page = admin_client.get(url).content.decode()
    assert 'name="address_public"' in page
    data = {
        "name": organization.name,
        "address_public": "true",
        "fiscal_year_start_month": 1,
        "fiscal_year_start_day": 1,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    organization.refresh_from_db()
    assert organization.address_public is True


def test_the_16_form_has_no_distance_question_in_b(worked_example):
    org = worked_example.organization
    old = compute_bpf(org, 2022)
    assert old.form == labels.FORM_16
    assert "B.distance" not in [code for code, _label, _value in flat_rows(old)]
    assert "B.distance" in [code for code, _l, _v in flat_rows(compute_bpf(org, 2025))]


def test_section_h_place_and_date_are_saved_shown_exported_and_filed(
    admin_client, example, admin_user
):
    org = example.organization
    response = admin_client.post(
        reverse("bpf:inputs", args=[2025]),
        {
            "signatory_name": "Marie Curie",
            "signatory_title": "Gérante",
            "signature_place": "Lyon",
            "signature_date": "2025-09-30",
        },
    )
    assert response.status_code == 302
    stored = BpfInputs.objects.get(organization=org, fiscal_year=2025)
    assert (stored.signature_place, stored.signature_date) == ("Lyon", datetime.date(2025, 9, 30))
    report = compute_bpf(org, 2025)
    rows = csv_rows(report)
    assert rows["H.signatory_name"] == ("Nom et prénom", "Marie Curie")
    assert rows["H.signatory_title"] == ("Qualité", "Gérante")
    assert rows["H.signature_place"] == ("Fait à", "Lyon")
    assert rows["H.signature_date"] == ("Le", "30/09/2025")
    text = pdf_text(report)
    assert "Lyon" in text and "30/09/2025" in text
    page = admin_client.get(reverse("bpf:report"), {"year": 2025}).content.decode()
    assert "30/09/2025" in page
    filing_create(organization=org, year=2025, filed_by=admin_user)
    filed = report_from_filing(latest_filing(org, 2025))
    assert filed.inputs.signature_place == "Lyon"
    assert filed.inputs.signature_date == datetime.date(2025, 9, 30)


def test_old_snapshots_without_the_new_answers_still_open(worked_example, admin_user):
    org = worked_example.organization
    filing = filing_create(organization=org, year=2025, filed_by=admin_user)
    snapshot = filing.snapshot
    del snapshot["identity"]["address_public"]
    del snapshot["signatory"]["place"], snapshot["signatory"]["date"]
    BpfFiling.objects.filter(pk=filing.pk).update(snapshot=snapshot)
    filed = report_from_filing(latest_filing(org, 2025))
    assert filed.organization.address_public is None
    assert filed.inputs.signature_date is None
    assert csv_rows(filed)["A.address_public"] == (ADDRESS_QUESTION, "")


def test_exports_write_the_form_labels_without_their_leading_dash(worked_example):
    report = compute_bpf(worked_example.organization, 2025)
    rows = csv_rows(report)
    assert rows["C.1"][0] == "des entreprises pour la formation de leurs salariés"
    assert rows["D.trainer_salaries"][0] == "dont Salaires des formateurs"
    assert rows["F3.a_5.learners"][0].startswith("dont de niveau 5")
    assert rows["E.external.count"][0] == f"{E_EXTERNAL} — Nombre"
    assert rows["F1.a.hours"][0].endswith(f" — {F_HOURS}")
    assert not any(label.startswith(("-", "'")) for label, _value in rows.values())
    workbook = load_workbook(io.BytesIO(export(report, "xlsx").content))
    sheet = {row[0]: row[1] for row in workbook["BPF"].iter_rows(min_row=2, values_only=True)}
    assert sheet["C.1"] == "des entreprises pour la formation de leurs salariés"
    assert sheet["D.trainer_salaries"] == "dont Salaires des formateurs"
    text = pdf_text(report)
    assert "B — INFORMATIONS GÉNÉRALES" in text
    assert "dispensant des heures de formation dans le cadre de contrats de sous" in text


def test_user_text_is_still_neutralised_in_the_exports(worked_example):
    org = worked_example.organization
    org.legal_form = "=SUM(1)"
    org.save()
    assert csv_rows(compute_bpf(org, 2025))["A.legal_form"][1] == "'=SUM(1)"


def test_exports_check_messages_are_french_for_an_english_user(admin_client, example, admin_user):
    org = example.organization
    # The page speaks English...
    page = admin_client.get(reverse("bpf:report"), {"year": 2025}).content.decode()
    assert "has no F-1 line" in page
    # ...the files speak French.
    response = admin_client.get(reverse("bpf:export", args=[2025, "json"]))
    data = json.loads(b"".join(response.streaming_content))
    message = next(c["message"] for c in data["checks"] if c["code"] == "unclassified_trainees")
    assert "n’a pas de ligne F-1" in message
    response = admin_client.get(reverse("bpf:export", args=[2025, "csv"]))
    assert "has no F-1 line" not in b"".join(response.streaming_content).decode("utf-8-sig")
    report = report_for_export(org, 2025)
    workbook = load_workbook(io.BytesIO(export(report, "xlsx").content))
    messages = [row[3] for row in workbook["Contrôles"].iter_rows(min_row=2, values_only=True)]
    assert any("n’a pas de ligne F-1" in message for message in messages)
    assert "n’a pas de ligne F-1" in pdf_text(report)


def test_a_filing_keeps_french_check_messages(worked_example, admin_user):
    org = worked_example.organization
    filing_create(organization=org, year=2025, filed_by=admin_user)
    filed = report_from_filing(latest_filing(org, 2025))
    message = next(c.message for c in filed.checks if c.code == "unclassified_trainees")
    assert "n’a pas de ligne F-1" in message
