"""The EDOF preset: CPF dossiers → learner, course, session, enrollment, individual, allocation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from funding.models import FundingAllocation, FundingStatus
from imports.edof import edof_status
from individuals.models import Individual
from learners.models import Learner
from tests.conftest import (
    assert_summaries_current,
    make_course,
    make_learner,
    make_organization,
    make_session,
)
from tests.imports.conftest import errors_of, import_text
from training.models import Course, Enrollment, Session

pytestmark = pytest.mark.django_db

EDOF = (
    "N° du dossier de formation;Nom du titulaire;Prénom du titulaire;Email du titulaire;"
    "Intitulé de la formation;Date de début de session;Date de fin de session;Montant;"
    "Etat du dossier de formation;Date de paiement\n"
    "12345678901;Durand;Hélène;helene@example.fr;Anglais professionnel;03/03/2025;28/03/2025;"
    "1 490,00;Service fait validé;15/04/2025\n"
    "12345678902;Martin;Paul;paul@example.fr;Anglais professionnel;03/03/2025;28/03/2025;"
    "1 490,00;En formation;\n"
    "12345678903;Petit;Léa;;Excel;10/03/2025;11/03/2025;500;Annulé (par le titulaire);\n"
    "12345678904;Roux;Marc;marc@example.fr;Excel;10/03/2025;11/03/2025;500;Validé;\n"
    "12345678905;Blanc;Ana;ana@example.fr;Excel;10/03/2025;11/03/2025;500;serviceDoneValidated;\n"
)


@pytest.mark.parametrize(
    ("state", "status"),
    [
        ("Accepté", "approved"),
        ("accepted", "approved"),
        ("En formation", "approved"),
        ("inTraining", "approved"),
        ("Sortie de formation", "approved"),
        ("Service fait déclaré", "approved"),
        ("Service fait validé", "paid"),
        ("serviceDoneValidated", "paid"),
        ("Payé", "paid"),
        ("Refusé (par l'organisme)", "rejected"),
        ("refusedByFinancer", "rejected"),
        ("Annulé (par le titulaire)", "rejected"),
        ("canceledByAttendeeNotRealized", "rejected"),
        ("Annulation titulaire (non réalisé)", "rejected"),
        ("Non traité", "pending"),
        ("Validé", "pending"),
        ("waitingAcceptation", "pending"),
    ],
)
def test_states_map_to_statuses(state, status):
    assert edof_status(state) == status


def test_edof_creates_what_is_missing_through_the_allowed_moves_then_unchanged(organization):
    existing = make_course(organization, title="Excel", reference="XL")
    excel_session = make_session(
        organization,
        existing,
        start_date=datetime.date(2025, 3, 10),
        end_date=datetime.date(2025, 3, 11),
    )
    make_learner(organization, email="marc@example.fr", last_name="Roux", first_name="Marc")
    preview = import_text(organization, "edof", EDOF, encoding="cp1252", save=False)
    assert errors_of(preview) == []
    assert (preview.created, preview.updated, preview.unchanged) == (5, 0, 0)
    assert [(n.line, n.message) for n in preview.notices] == [
        (2, "The course “Anglais professionnel” will be created."),
        (
            2,
            "The session of “Anglais professionnel” from 03/03/2025 to 28/03/2025 will be created.",
        ),
    ]
    assert not FundingAllocation.objects.exists()
    assert not Course.objects.filter(title="Anglais professionnel").exists()

    result = import_text(organization, "edof", EDOF, encoding="cp1252")
    assert errors_of(result) == []
    assert result.saved
    helene = Learner.objects.get(email="helene@example.fr")
    paid = FundingAllocation.objects.get(cpf_case_number="12345678901")
    assert (paid.status, paid.paid_on, paid.approved_amount, paid.funding_type) == (
        FundingStatus.PAID,
        datetime.date(2025, 4, 15),
        Decimal("1490.00"),
        "cpf",
    )
    assert paid.individual == Individual.objects.get(learner=helene)
    assert [(c.from_status, c.to_status) for c in paid.status_changes.order_by("pk")] == [
        ("pending", "approved"),
        ("approved", "paid"),
    ]
    assert Enrollment.objects.filter(session=paid.session, learner=helene).exists()
    assert FundingAllocation.objects.get(cpf_case_number="12345678902").status == "approved"
    assert FundingAllocation.objects.get(cpf_case_number="12345678903").status == "rejected"
    assert FundingAllocation.objects.get(cpf_case_number="12345678904").status == "pending"
    # Paid without a payment date: the session's end date.
    assert FundingAllocation.objects.get(cpf_case_number="12345678905").paid_on == (
        datetime.date(2025, 3, 11)
    )
    # Excel's existing session is used; the existing learner Marc too.
    assert FundingAllocation.objects.get(cpf_case_number="12345678904").session == excel_session
    assert Learner.objects.filter(email="marc@example.fr").count() == 1
    assert Session.objects.filter(course__title="Anglais professionnel").count() == 1
    assert_summaries_current(*Session.objects.all())

    again = import_text(organization, "edof", EDOF, encoding="cp1252")
    assert errors_of(again) == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    assert again.notices == []


def test_edof_state_moves_forward_on_a_later_export(organization):
    import_text(organization, "edof", EDOF)
    later = EDOF.replace("En formation;", "Service fait validé;")
    result = import_text(organization, "edof", later)
    assert errors_of(result) == []
    assert result.updated == 1
    allocation = FundingAllocation.objects.get(cpf_case_number="12345678902")
    assert (allocation.status, allocation.paid_on) == ("paid", datetime.date(2025, 3, 28))


def test_edof_errors_duplicate_dossier_bad_amount_and_other_organisations_dossier(organization):
    other = make_organization()
    import_text(other, "edof", EDOF)
    text = EDOF + EDOF.splitlines()[1].replace("Durand", "Autre") + "\n"
    text = text.replace("500;Validé", "38,500;Validé")
    result = import_text(organization, "edof", text)
    assert [(line, column) for line, column, _ in errors_of(result)] == [
        (5, "Montant"),
        (7, "N° du dossier de formation"),
    ]
    assert not FundingAllocation.objects.filter(organization=organization).exists()
    assert FundingAllocation.objects.filter(organization=other).count() == 5
