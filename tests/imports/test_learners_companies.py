"""Importing learners and companies: matching, validation, idempotence, all or nothing."""

from __future__ import annotations

import pytest

from companies.models import Company, CompanyKind
from learners.models import Learner, ProfessionalStatus
from tests.conftest import make_company, make_learner, make_organization
from tests.imports.conftest import errors_of, import_text

pytestmark = pytest.mark.django_db

FRENCH_LEARNERS = (
    "Nom;Prénom;Email;Téléphone;Adresse;Statut professionnel;Employeur (SIRET)\n"
    "Durand;Hélène;helene.durand@example.fr;06 12 34 56 78;1 rue de la Paix;"
    "Demandeur d'emploi;\n"
    "Martin;Paul;;;;Salarié du secteur privé;732 829 320 00074\n"
)
ENGLISH_LEARNERS = (
    "LAST NAME,first name,E-mail,Phone,Professional status,Employer SIRET\n"
    "Durand,Hélène,HELENE.DURAND@example.fr,0612345678,job_seeker,\n"
    "Martin,Paul,,,Private-sector employee,73282932000074\n"
)


def test_learners_from_french_excel_created_then_unchanged(organization):
    employer = make_company(organization, siret="73282932000074")
    result = import_text(organization, "learners", FRENCH_LEARNERS, encoding="cp1252")
    assert errors_of(result) == []
    assert (result.created, result.updated, result.unchanged, result.saved) == (2, 0, 0, True)
    helene = Learner.objects.get(organization=organization, email="helene.durand@example.fr")
    assert (helene.first_name, helene.phone, helene.address) == (
        "Hélène",
        "06 12 34 56 78",
        "1 rue de la Paix",
    )
    assert helene.professional_status == ProfessionalStatus.JOB_SEEKER
    paul = Learner.objects.get(organization=organization, last_name="Martin")
    assert paul.employer == employer
    assert paul.professional_status == ProfessionalStatus.PRIVATE_EMPLOYEE

    again = import_text(organization, "learners", FRENCH_LEARNERS, encoding="cp1252")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Learner.objects.filter(organization=organization).count() == 2


def test_english_headers_match_the_same_records_email_case_ignored(organization):
    make_company(organization, siret="73282932000074")
    import_text(organization, "learners", FRENCH_LEARNERS)
    result = import_text(organization, "learners", ENGLISH_LEARNERS)
    assert errors_of(result) == []
    # Hélène by email (case ignored), Paul by name; the phone differs: one update.
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Learner.objects.get(first_name="Hélène").phone == "0612345678"


def test_empty_cell_keeps_the_stored_value(organization):
    learner = make_learner(organization, email="a@example.fr", phone="0102030405")
    result = import_text(
        organization,
        "learners",
        f"Nom;Prénom;Email;Téléphone\n{learner.last_name};{learner.first_name};a@example.fr;\n",
    )
    assert (result.unchanged, result.updated) == (1, 0)
    learner.refresh_from_db()
    assert learner.phone == "0102030405"


def test_ambiguous_name_is_a_row_error_never_a_guess(organization):
    make_learner(organization, last_name="Durand", first_name="Léa", email="")
    make_learner(organization, last_name="DURAND", first_name="léa", email="")
    result = import_text(organization, "learners", "Nom;Prénom;Téléphone\nDurand;Léa;01\n")
    assert result.saved is False
    [(line, column, message)] = errors_of(result)
    assert (line, column) == (2, "Nom")
    assert message.startswith("Ambiguous: 2 learners match “Léa Durand”")


def test_duplicate_key_in_the_file_is_an_error(organization):
    result = import_text(
        organization,
        "learners",
        "Nom;Prénom;Email\nA;B;x@example.fr\nC;D;X@Example.fr\n",
    )
    assert errors_of(result) == [
        (3, "Email", "Line 2 has the same Email: a file names each record once.")
    ]
    assert not Learner.objects.exists()


def test_errors_name_line_and_column_and_an_error_on_the_last_line_saves_nothing(organization):
    text = (
        "Nom;Prénom;Email;Statut professionnel\n"
        + "".join(f"Nom{n};P{n};p{n}@example.fr;\n" for n in range(50))
        + "Nom;Last;not-an-email;Astronaut\n"
    )
    result = import_text(organization, "learners", text)
    assert result.saved is False
    assert result.created == 50
    assert [(line, column) for line, column, _ in errors_of(result)] == [
        (52, "Statut professionnel")
    ]
    assert not Learner.objects.exists()
    # Once the status is known, the form's own validation names the email.
    result = import_text(organization, "learners", text.replace("Astronaut", "Other"))
    assert errors_of(result) == [(52, "Email", "Enter a valid email address.")]
    assert not Learner.objects.exists()


def test_required_columns_missing_and_required_cells_empty(organization):
    from imports.engine import MappingError

    with pytest.raises(MappingError, match="required: First name"):
        import_text(organization, "learners", "Nom;Email\nA;a@example.fr\n")
    result = import_text(organization, "learners", "Nom;Prénom\nA;\n")
    assert errors_of(result) == [(2, "Prénom", "This field is required.")]


def test_a_formula_is_refused_in_its_cell(organization):
    result = import_text(organization, "learners", 'Nom;Prénom\n=HYPERLINK("x");B\n')
    [(line, column, message)] = errors_of(result)
    assert (line, column) == (2, "Nom")
    assert "formula" in message


def test_another_organisations_siret_means_nothing_here(organization):
    other = make_organization()
    make_company(other, siret="73282932000074")
    result = import_text(organization, "learners", ENGLISH_LEARNERS)
    assert errors_of(result) == [
        (
            3,
            "Employer SIRET",
            "No company of yours has the SIRET 73282932000074: import or create it first.",
        )
    ]


def test_another_organisations_learner_is_never_matched(organization):
    other = make_organization()
    theirs = make_learner(other, email="helene.durand@example.fr", phone="99")
    make_company(organization, siret="73282932000074")
    result = import_text(organization, "learners", FRENCH_LEARNERS)
    assert result.created == 2
    theirs.refresh_from_db()
    assert theirs.phone == "99"


def test_french_messages(organization, french):
    result = import_text(organization, "learners", "Nom;Prénom;Email\nA;B;pas-un-email\n")
    assert errors_of(result) == [(2, "Email", "Saisissez une adresse de courriel valide.")]


COMPANIES = (
    "Raison sociale;SIRET;Type;OPCO;Adresse de facturation;Email de facturation\n"
    "Boulangerie Dupont;732 829 320 00074;Employeur privé;AKTO;2 rue du Four;compta@dupont.fr\n"
    "Mairie de Lyon;;public_employer;;;\n"
)


def test_companies_created_matched_by_siret_else_name_then_unchanged(organization, french):
    result = import_text(organization, "companies", COMPANIES)
    assert errors_of(result) == []
    assert result.created == 2
    dupont = Company.objects.get(siret="73282932000074")
    assert (dupont.kind, dupont.opco, dupont.billing_email) == (
        CompanyKind.PRIVATE_EMPLOYER,
        "akto",
        "compta@dupont.fr",
    )
    assert Company.objects.get(name="Mairie de Lyon").kind == CompanyKind.PUBLIC_EMPLOYER
    again = import_text(organization, "companies", COMPANIES.replace("Dupont;", "DUPONT SA;"))
    # Matched by SIRET: the name is updated; the town hall by its name: unchanged.
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert Company.objects.get(siret="73282932000074").name == "Boulangerie DUPONT SA"


def test_company_english_headers_and_invalid_siret(organization):
    result = import_text(
        organization, "companies", "Company name,SIRET,Kind\nAcme,12345678901234,Public body\n"
    )
    [(line, column, _message)] = errors_of(result)
    assert (line, column) == (2, "SIRET")
    assert not Company.objects.exists()


def test_company_of_another_organisation_with_the_same_siret_is_not_matched(organization):
    other = make_organization()
    make_company(other, siret="73282932000074", name="Theirs")
    result = import_text(organization, "companies", COMPANIES)
    assert result.created == 2
    assert Company.objects.get(organization=other).name == "Theirs"


def test_a_later_line_matching_a_learner_created_by_an_earlier_line_is_refused(organization):
    result = import_text(
        organization,
        "learners",
        "Nom;Prénom;Email;Téléphone\nDurand;Léa;lea@example.fr;01\nDurand;Léa;;02\n",
    )
    assert errors_of(result) == [
        (3, "Nom", "Another line of this file creates this record already.")
    ]
    assert not Learner.objects.exists()
