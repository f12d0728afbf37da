"""The demo data set behind `manage.py seed_demo`: two small, realistic organisations.

"Formations Lumière" is the one to explore: its fiscal year 2025 is a complete, plausible BPF
(every funding origin, a straddling session, sub-contracting both ways, mixed CPF + OPCO funding),
and 2026 (the current year) shows what the checks catch: pending funding, an unfunded learner, a
learner without professional status. "Atelier Horizon" exists to show that organisations never
see each other's data.

Funding goes through funding.services, status by status, so the history pages show real moves.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bpf.models import BpfInputs
from certeef.models import Membership, Organization, Role
from companies.models import Company, CompanyKind, Opco
from demo.attendance_demo import add_attendance
from demo.fake_france import (
    complete_siret,
    email_local_part,
    random_address,
    random_mobile,
)
from funding import services, status_changes
from funding.models import FundingAllocation, FundingStatus, FundingStatusChange
from funding.types import INDIVIDUAL_TYPES, FundingType
from individuals.models import Individual
from learners.models import Learner, ProfessionalStatus
from training import services as training_services
from training.models import Course, Delivery, Enrollment, Objective, Outcome, Session

if TYPE_CHECKING:
    from collections.abc import Collection
    from typing import Any

    from django.contrib.auth.models import User
    from django.db.models import Model

    from certeef.models import Organization

DEMO_PASSWORD = "certeef-demo"  # noqa: S105 (public demo logins, listed in the README)
DEMO_SLUG = "formations-lumiere"
OTHER_SLUG = "atelier-horizon"

PENDING = FundingStatus.PENDING
APPROVED = FundingStatus.APPROVED
PAID = FundingStatus.PAID
REJECTED = FundingStatus.REJECTED

# The status moves that lead to each final status (from Pending, where every allocation starts).
STATUS_PATHS: dict[str, tuple[str, ...]] = {
    PENDING: (),
    APPROVED: (APPROVED,),
    PAID: (APPROVED, PAID),
    REJECTED: (REJECTED,),
}

# Prefix of the funder's file number, to make references look like the ones users type.
OPCO_PREFIX: dict[str, str] = {
    Opco.AFDAS: "AFD",
    Opco.AKTO: "AKT",
    Opco.ATLAS: "ATL",
    Opco.CONSTRUCTYS: "CST",
    Opco.OCAPIAT: "OCA",
    Opco.OPCO_2I: "O2I",
    Opco.OPCO_COMMERCE: "OPC",
    Opco.OPCO_EP: "OEP",
    Opco.OPCO_MOBILITES: "MOB",
    Opco.OPCO_SANTE: "SAN",
    Opco.UNIFORMATION: "UNI",
}

d = datetime.date


@dataclass
class DemoLogin:
    username: str
    organization: str
    role: str
    created: bool
    superuser: bool = False


@dataclass
class DemoResult:
    logins: list[DemoLogin] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)


def demo_present() -> bool:
    return Organization.objects.filter(slug__in=(DEMO_SLUG, OTHER_SLUG)).exists()


def _saved[M: Model](obj: M) -> M:
    """Demo rows go through full validation (SIRET, NSF code…) so the demo shows valid data."""
    obj.full_clean()
    obj.save()
    return obj


def _demo_user(
    username: str, *, first_name: str, last_name: str, email: str, superuser: bool = False
) -> tuple[User, bool]:
    """The user, created with the demo password; an existing account is reused untouched (its
    password is someone's own and is not ours to reset)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = user_model.objects.create_user(
        username=username,
        password=DEMO_PASSWORD,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=superuser,
        is_superuser=superuser,
    )
    return user, True


class _OrganisationBuilder:
    """Writes one organisation's rows; learners, companies and courses are named by short keys."""

    def __init__(self, organization: Organization, acting_user: User, *, seed: int) -> None:
        self.organization = organization
        self.acting_user = acting_user
        self.rng = random.Random(seed)
        self.companies: dict[str, Company] = {}
        self.learners: dict[str, Learner] = {}
        self.courses: dict[str, Course] = {}
        self.enrollments: dict[tuple[int, str], Enrollment] = {}
        self.now = timezone.now()
        self._file_numbers = iter(range(1200, 99999, 37))

    # -- directory -------------------------------------------------------------------------
    def company(
        self, key: str, name: str, siret_prefix: str, kind: str, opco: str, address: str
    ) -> None:
        email_domain = key.replace("_", "-")
        self.companies[key] = _saved(
            Company(
                organization=self.organization,
                name=name,
                siret=complete_siret(siret_prefix),
                kind=kind,
                opco=opco,
                billing_address=address,
                billing_email=f"comptabilite@{email_domain}.example.fr",
            )
        )

    def learner(
        self, key: str, first_name: str, last_name: str, status: str, employer: str | None = None
    ) -> None:
        self.learners[key] = _saved(
            Learner(
                organization=self.organization,
                first_name=first_name,
                last_name=last_name,
                email=f"{email_local_part(first_name, last_name)}@example.fr",
                phone=random_mobile(self.rng),
                address="{}\n{} {}".format(*random_address(self.rng)),
                employer=self.companies[employer] if employer else None,
                professional_status=status,
            )
        )

    def course(
        self, key: str, title: str, nsf_code: str, objective: str, hours: str, price: str
    ) -> None:
        self.courses[key] = _saved(
            Course(
                organization=self.organization,
                title=title,
                reference=key,
                nsf_code=nsf_code,
                objective=objective,
                duration_hours=Decimal(hours),
                price=Decimal(price),
            )
        )

    def individual(self, learner_key: str, **fields: Any) -> Individual:
        learner = self.learners[learner_key]
        existing = Individual.objects.filter(learner=learner).first()
        if existing is not None:
            return existing
        return _saved(Individual(organization=self.organization, learner=learner, **fields))

    # -- sessions --------------------------------------------------------------------------
    def session(
        self,
        course_key: str,
        reference: str,
        start: datetime.date,
        end: datetime.date,
        *,
        location: str,
        distance: bool = False,
        delivery: str = Delivery.DIRECT,
        hours: str | None = None,
    ) -> Session:
        course = self.courses[course_key]
        return _saved(
            Session(
                organization=self.organization,
                course=course,
                reference=reference,
                start_date=start,
                end_date=end,
                hours=course.duration_hours if hours is None else Decimal(hours),
                location=location,
                distance=distance,
                delivery=delivery,
            )
        )

    def enrol(
        self,
        session: Session,
        *learner_keys: str,
        partial: dict[str, str] | None = None,
        cancelled: Collection[str] = (),
    ) -> None:
        partial = partial or {}
        for key in learner_keys:
            hours = partial.get(key)
            self.enrollments[(session.pk, key)] = training_services.enrollment_create(
                organization=self.organization,
                session=session,
                learner=self.learners[key],
                hours_attended=None if hours is None else Decimal(hours),
                outcome=Outcome.CANCELLED if key in cancelled else Outcome.ENROLLED,
            )

    # -- funding ---------------------------------------------------------------------------
    def fund(
        self,
        session: Session,
        learner_key: str,
        funding_type: str,
        amount: str,
        status: str = PAID,
        *,
        company: str | None = None,
        requested: str | None = None,
        path: tuple[str, ...] | None = None,
        paid_on: datetime.date | None = None,
        notes: str = "",
    ) -> FundingAllocation:
        """One allocation through the services: created Pending, then moved to `status`
        (or along `path`). The carrier is the learner's Individual for individual types, else
        `company` (default: the learner's employer)."""
        learner = self.learners[learner_key]
        individual = carrier_company = None
        cpf_case_number = reference = ""
        if funding_type in INDIVIDUAL_TYPES:
            individual = self.individual(learner_key)
            if funding_type == FundingType.CPF:
                cpf_case_number = str(self.rng.randrange(10**10, 10**11))
            elif funding_type == FundingType.FRANCE_TRAVAIL:
                reference = f"AIF-{session.start_date:%y}-{next(self._file_numbers):06d}"
        else:
            carrier_company = self.companies[company] if company else learner.employer
            assert carrier_company is not None, "a company's funding: the learner's employer"
            prefix = OPCO_PREFIX.get(carrier_company.opco)
            if prefix and funding_type.startswith("opco"):
                reference = f"{prefix}-{session.start_date:%Y}-{next(self._file_numbers):05d}"
        allocation = services.allocation_create(
            organization=self.organization,
            session=session,
            learner=learner,
            individual=individual,
            company=carrier_company,
            funding_type=funding_type,
            approved_amount=Decimal(amount),
            requested_amount=Decimal(requested) if requested else None,
            cpf_case_number=cpf_case_number,
            funder_reference=reference,
            notes=notes,
            created_by=self.acting_user,
        )
        paid_on = paid_on or min(
            session.end_date + datetime.timedelta(days=self.rng.randrange(20, 45)),
            timezone.localdate() - datetime.timedelta(days=1),
        )
        remittance = ""
        if reference and carrier_company is not None:
            # An OPCO pays a session's places with one transfer: one date, one remittance.
            paid_on = min(
                session.end_date + datetime.timedelta(days=30),
                timezone.localdate() - datetime.timedelta(days=1),
            )
            remittance = f"VIR-{prefix}-{paid_on:%y%m%d}"
        for to_status in path if path is not None else STATUS_PATHS[status]:
            allocation = status_changes.allocation_set_status(
                allocation=allocation,
                to_status=to_status,
                changed_by=self.acting_user,
                paid_on=paid_on if to_status == PAID else None,
                remittance_reference=remittance if to_status == PAID else "",
            )
        self._date_history(allocation, session, paid_on)
        return allocation

    def _at(self, day: datetime.date, hour: int) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(hour, self.rng.randrange(60)))
        return min(timezone.make_aware(moment), self.now)

    def _date_history(
        self, allocation: FundingAllocation, session: Session, paid_on: datetime.date
    ) -> None:
        """Give the allocation and its status moves the dates they would have had (declared a
        month before the session, confirmed before it starts, paid after it ends) rather than
        all of them today, so lists sorted by date and the history read plausibly."""
        created_at = self._at(session.start_date - datetime.timedelta(days=30), 9)
        FundingAllocation.objects.filter(pk=allocation.pk).update(created_at=created_at)
        moment = created_at
        changes = FundingStatusChange.objects.filter(allocation=allocation).order_by("pk")
        for change in changes:
            if change.to_status == PAID:
                planned = self._at(paid_on, 11)
            else:
                planned = moment + datetime.timedelta(days=self.rng.randrange(5, 20))
            moment = min(max(planned, moment + datetime.timedelta(hours=1)), self.now)
            FundingStatusChange.objects.filter(pk=change.pk).update(changed_at=moment)
        FundingAllocation.objects.filter(pk=allocation.pk).update(updated_at=moment)


def _formations_lumiere(result: DemoResult) -> None:
    organization = _saved(
        Organization(
            name="Formations Lumière",
            slug=DEMO_SLUG,
            legal_form="SAS",
            siret=complete_siret("8421573960002"),
            naf_code="8559A",
            nda="84691534269",
            address="18 rue de la Charité",
            postal_code="69002",
            city="Lyon",
            phone="04 78 38 52 10",
            email="contact@formations-lumiere.example.fr",
            address_public=True,
        )
    )
    result.organizations.append(organization)
    admin, created = _demo_user(
        "admin",
        first_name="Camille",
        last_name="Durand",
        email="camille.durand@formations-lumiere.example.fr",
        superuser=True,
    )
    Membership.objects.create(user=admin, organization=organization, role=Role.ADMINISTRATOR)
    result.logins.append(
        DemoLogin("admin", organization.name, Role.ADMINISTRATOR, created, superuser=True)
    )
    trainer, created = _demo_user(
        "trainer",
        first_name="Julien",
        last_name="Moreau",
        email="julien.moreau@formations-lumiere.example.fr",
    )
    Membership.objects.create(user=trainer, organization=organization, role=Role.TRAINER)
    result.logins.append(DemoLogin("trainer", organization.name, Role.TRAINER, created))

    b = _OrganisationBuilder(organization, admin, seed=2025)
    private = CompanyKind.PRIVATE_EMPLOYER
    b.company(
        "vidal",
        "Boulangeries Vidal",
        "4893106720001",
        private,
        Opco.OPCO_EP,
        "7 rue Paul Bert\n69003 Lyon",
    )
    b.company(
        "rhone_express",
        "Transports Rhône Express",
        "5124478930002",
        private,
        Opco.OPCO_MOBILITES,
        "112 boulevard Joliot-Curie\n69200 Vénissieux",
    )
    b.company(
        "clinique",
        "Clinique du Parc Saint-Exupéry",
        "3309852170004",
        private,
        Opco.OPCO_SANTE,
        "155 boulevard Pinel\n69008 Lyon",
    )
    b.company(
        "nexalis",
        "Nexalis Informatique",
        "8810239460001",
        private,
        Opco.ATLAS,
        "40 rue du 4 Août 1789\n69100 Villeurbanne",
    )
    b.company(
        "bellecour",
        "Galeries Bellecour",
        "4471926380003",
        private,
        Opco.OPCO_COMMERCE,
        "21 place Bellecour\n69002 Lyon",
    )
    b.company(
        "confluence",
        "Confluence Bâtiment",
        "7930416250002",
        private,
        Opco.CONSTRUCTYS,
        "9 quai Rambaud\n69002 Lyon",
    )
    b.company(
        "pentes",
        "Association Les Pentes Solidaires",
        "4130872950001",
        private,
        Opco.UNIFORMATION,
        "3 montée de la Grande-Côte\n69001 Lyon",
    )
    b.company(
        "leroy_conseil",
        "Vincent Leroy Conseil (EI)",
        "9014463780001",
        private,
        "",
        "27 rue Tronchet\n69006 Lyon",
    )
    b.company(
        "saint_priest",
        "Commune de Saint-Priest",
        "2169029000001",
        CompanyKind.PUBLIC_EMPLOYER,
        "",
        "Place Charles Ottina\n69800 Saint-Priest",
    )
    b.company(
        "formalys",
        "Institut Formalys",
        "5236617040002",
        CompanyKind.TRAINING_ORGANISATION,
        Opco.AKTO,
        "5 avenue Alsace-Lorraine\n38000 Grenoble",
    )

    employee = ProfessionalStatus.PRIVATE_EMPLOYEE
    for key, first, last, status, employer in (
        ("lucas", "Lucas", "Bernard", employee, "vidal"),
        ("chloe", "Chloé", "Garnier", employee, "vidal"),
        ("karim", "Karim", "Benali", employee, "rhone_express"),
        ("nathalie", "Nathalie", "Roux", employee, "rhone_express"),
        ("sebastien", "Sébastien", "Fontaine", employee, "rhone_express"),
        ("melanie", "Mélanie", "Chevalier", employee, "rhone_express"),
        ("aurelie", "Aurélie", "Lambert", employee, "clinique"),
        ("sandrine", "Sandrine", "Mercier", employee, "clinique"),
        ("yanis", "Yanis", "Haddad", employee, "clinique"),
        ("julie", "Julie", "Perrin", employee, "clinique"),
        ("maxime", "Maxime", "Girard", employee, "nexalis"),
        ("ines", "Inès", "Bouvier", employee, "nexalis"),
        ("thomas", "Thomas", "Robin", employee, "nexalis"),
        ("lea", "Léa", "Masson", employee, "nexalis"),
        ("manon", "Manon", "Gauthier", employee, "bellecour"),
        ("sarah", "Sarah", "Lemoine", employee, "bellecour"),
        ("hugo", "Hugo", "Fabre", employee, "bellecour"),
        ("romain", "Romain", "Dupuis", employee, "confluence"),
        ("kevin", "Kevin", "Marchand", employee, "confluence"),
        ("jordan", "Jordan", "Lopes", employee, "confluence"),
        ("theo", "Théo", "Faure", ProfessionalStatus.APPRENTICE, "confluence"),
        ("fatou", "Fatou", "Diallo", employee, "pentes"),
        ("elodie", "Élodie", "Brunet", employee, "pentes"),
        ("patricia", "Patricia", "Morel", ProfessionalStatus.PUBLIC_AGENT, "saint_priest"),
        ("olivier", "Olivier", "Henry", ProfessionalStatus.PUBLIC_AGENT, "saint_priest"),
        ("christine", "Christine", "Blanc", ProfessionalStatus.PUBLIC_AGENT, "saint_priest"),
        ("nicolas", "Nicolas", "Perret", ProfessionalStatus.JOB_SEEKER, None),
        ("amandine", "Amandine", "Rey", ProfessionalStatus.JOB_SEEKER, None),
        ("mehdi", "Mehdi", "Saidi", ProfessionalStatus.JOB_SEEKER, None),
        ("laura", "Laura", "Colin", ProfessionalStatus.JOB_SEEKER, None),
        ("jerome", "Jérôme", "Caron", ProfessionalStatus.JOB_SEEKER, None),
        ("anais", "Anaïs", "Barbier", ProfessionalStatus.JOB_SEEKER, None),
        ("stephane", "Stéphane", "Arnaud", ProfessionalStatus.SELF_EMPLOYED, None),
        ("claire", "Claire", "Dumont", ProfessionalStatus.SELF_EMPLOYED, None),
        ("vincent", "Vincent", "Leroy", ProfessionalStatus.SELF_EMPLOYED, "leroy_conseil"),
        ("helene", "Hélène", "Bertrand", ProfessionalStatus.OTHER, None),
        ("paul", "Paul", "Schmitt", ProfessionalStatus.OTHER, None),
        # No professional status: the BPF check "unclassified trainees" has something to show.
        ("mathis", "Mathis", "Renaud", "", None),
        # Trainees of Institut Formalys's clients, trained by us under sub-contracting.
        ("gaelle", "Gaëlle", "Picard", employee, None),
        ("damien", "Damien", "Noël", employee, None),
        ("cecile", "Cécile", "Huet", employee, None),
        ("florian", "Florian", "Giraud", employee, None),
    ):
        b.learner(key, first, last, status, employer)

    b.course("MAN-21", "Manager une équipe au quotidien", "310", Objective.OTHER, "21", "1200.00")
    b.course(
        "XL-TOSA",
        "Excel perfectionnement – certification TOSA",
        "326",
        Objective.RS,
        "14",
        "690.00",
    )
    b.course(
        "TP-GP",
        "Titre professionnel Gestionnaire de paie",
        "315",
        Objective.RNCP_5,
        "280",
        "4900.00",
    )
    b.course("SST", "Sauveteur secouriste du travail (SST)", "344", Objective.RS, "14", "280.00")
    b.course("BDC", "Bilan de compétences", "415", Objective.SKILLS_ASSESSMENT, "24", "1800.00")
    b.course(
        "ANG-B2",
        "Anglais professionnel – préparation au TOEIC",
        "136",
        Objective.RS,
        "40",
        "2490.00",
    )
    b.course("VAE", "Accompagnement à la VAE", "415", Objective.VAE, "20", "1500.00")

    skills_plan = FundingType.OPCO_SKILLS_PLAN

    # ---- Fiscal year 2025: a complete BPF ----
    s = b.session("MAN-21", "MAN-2503", d(2025, 3, 10), d(2025, 3, 12), location="Lyon 2e")
    b.enrol(s, "karim", "nathalie", "sebastien", "aurelie", "manon", "fatou")
    b.fund(s, "karim", skills_plan, "1200.00")
    b.fund(s, "nathalie", skills_plan, "1200.00")
    # Mixed funding: the learner's CPF pays most, the OPCO skills plan the rest.
    b.fund(s, "sebastien", FundingType.CPF, "800.00")
    b.fund(s, "sebastien", skills_plan, "400.00", requested="400.00")
    b.fund(
        s,
        "aurelie",
        skills_plan,
        "1080.00",
        requested="1200.00",
        notes="Prise en charge plafonnée par l'OPCO ; le reste est facturé à l'employeur.",
    )
    b.fund(s, "aurelie", FundingType.EMPLOYER, "120.00")
    b.fund(s, "manon", FundingType.EMPLOYER, "1200.00")
    b.fund(s, "fatou", skills_plan, "1200.00")

    s = b.session(
        "XL-TOSA",
        "XL-2504",
        d(2025, 4, 14),
        d(2025, 4, 15),
        location="Classe virtuelle",
        distance=True,
    )
    b.enrol(s, "maxime", "ines", "thomas", "nicolas", "claire")
    b.fund(s, "maxime", FundingType.EMPLOYER, "690.00")
    b.fund(s, "ines", FundingType.EMPLOYER, "690.00")
    b.fund(s, "thomas", FundingType.CPF, "690.00")
    b.fund(s, "nicolas", FundingType.FRANCE_TRAVAIL, "690.00")
    b.fund(s, "claire", FundingType.SELF_FUNDED, "690.00")

    s = b.session(
        "SST",
        "SST-2505",
        d(2025, 5, 20),
        d(2025, 5, 21),
        location="Vénissieux (confiée à Secours Formation Rhône)",
        delivery=Delivery.SUBCONTRACTED_OUT,
    )
    b.enrol(s, "romain", "kevin", "jordan", "lucas", "chloe", "melanie")
    for key in ("romain", "kevin", "jordan"):
        b.fund(s, key, skills_plan, "280.00")
    for key in ("lucas", "chloe"):
        b.fund(s, key, FundingType.EMPLOYER, "280.00")
    b.fund(s, "melanie", skills_plan, "280.00")

    s = b.session(
        "BDC",
        "BDC-2506",
        d(2025, 6, 2),
        d(2025, 7, 11),
        location="Lyon 2e et entretiens à distance",
        distance=True,
    )
    b.enrol(s, "amandine", "stephane", "helene", "sandrine")
    b.fund(s, "amandine", FundingType.CPF, "1800.00")
    b.fund(s, "stephane", FundingType.CPF, "1800.00")
    b.individual(
        "helene",
        billing_name="Hélène Bertrand-Mallet",
        notes="Facture au nom d'usage, à son adresse personnelle.",
    )
    b.fund(s, "helene", FundingType.SELF_FUNDED, "1800.00")
    b.fund(s, "sandrine", FundingType.CPF, "1800.00")

    s = b.session("TP-GP", "TP-GP-2509", d(2025, 9, 15), d(2025, 11, 28), location="Lyon 2e")
    b.enrol(s, "mehdi", "laura", "jerome", "patricia", "elodie", "theo", partial={"mehdi": "245"})
    b.fund(s, "mehdi", FundingType.FRANCE_TRAVAIL, "4900.00")
    b.fund(
        s,
        "laura",
        FundingType.OPCO_JOB_SEEKERS,
        "4200.00",
        company="clinique",
        notes="POEI avant embauche à la clinique.",
    )
    b.fund(s, "jerome", FundingType.CPF, "3100.00")
    b.fund(
        s,
        "jerome",
        FundingType.FRANCE_TRAVAIL,
        "1800.00",
        notes="Abondement France Travail du CPF.",
    )
    b.fund(s, "patricia", FundingType.PUBLIC_EMPLOYER, "4900.00")
    b.fund(s, "elodie", FundingType.OPCO_PROFESSIONALISATION, "4900.00")
    b.fund(s, "theo", FundingType.OPCO_APPRENTICESHIP, "4900.00")

    s = b.session(
        "ANG-B2", "ANG-2510", d(2025, 10, 6), d(2025, 12, 15), location="Lyon 2e", distance=True
    )
    b.enrol(s, "ines", "hugo", "yanis", "vincent", "sarah", cancelled={"sarah"})
    b.fund(s, "ines", FundingType.CPF, "2490.00")
    b.fund(s, "hugo", skills_plan, "2490.00")
    # CPF refused (no rights left), so the learner paid himself.
    b.fund(s, "yanis", FundingType.CPF, "2490.00", REJECTED, notes="Droits CPF insuffisants.")
    b.fund(s, "yanis", FundingType.SELF_FUNDED, "2490.00")
    b.fund(s, "vincent", FundingType.FAF_SELF_EMPLOYED, "1890.00", requested="2490.00")
    b.fund(s, "vincent", FundingType.SELF_FUNDED, "600.00")

    s = b.session(
        "SST",
        "SST-2511-FX",
        d(2025, 11, 17),
        d(2025, 11, 18),
        location="Grenoble (pour Institut Formalys)",
        delivery=Delivery.SUBCONTRACTED_IN,
    )
    b.enrol(s, "gaelle", "damien", "cecile", "florian")
    for key in ("gaelle", "damien", "cecile", "florian"):
        b.fund(s, key, FundingType.TRAINING_ORGANISATION, "240.00", company="formalys")
    b.fund(
        s,
        "gaelle",
        FundingType.OTHER_PRODUCTS,
        "35.00",
        company="formalys",
        notes="Repas du midi refacturés.",
    )

    # Straddles the year end: 2025 and 2026 each get their share of days, money and hours.
    s = b.session("ANG-B2", "ANG-2512", d(2025, 12, 1), d(2026, 2, 6), location="Lyon 2e")
    b.enrol(s, "nathalie", "julie", "lea", "anais", "olivier")
    b.fund(s, "nathalie", skills_plan, "2490.00")
    b.fund(s, "julie", FundingType.CPF, "2490.00")
    # Payment recorded, reversed (wrong bank reference), then received again.
    b.fund(s, "lea", FundingType.CPF, "2490.00", path=(APPROVED, PAID, APPROVED, PAID))
    b.fund(s, "anais", FundingType.FRANCE_TRAVAIL, "2490.00")
    b.fund(s, "olivier", FundingType.PUBLIC_EMPLOYER, "2490.00", APPROVED)

    # ---- Fiscal year 2026 (current): work in progress ----
    s = b.session("MAN-21", "MAN-2603", d(2026, 3, 9), d(2026, 3, 11), location="Lyon 2e")
    b.enrol(s, "kevin", "maxime", "mathis", "karim", "sandrine")
    b.fund(s, "kevin", skills_plan, "1200.00")
    b.fund(s, "maxime", FundingType.EMPLOYER, "1200.00")
    b.fund(s, "mathis", FundingType.CPF, "1200.00", APPROVED)
    b.fund(s, "karim", skills_plan, "1200.00")
    b.fund(s, "sandrine", skills_plan, "1200.00", APPROVED)

    s = b.session(
        "VAE", "VAE-2604", d(2026, 4, 7), d(2026, 6, 30), location="À distance", distance=True
    )
    b.enrol(s, "aurelie", "paul", "christine")
    b.fund(s, "aurelie", FundingType.CPF, "1500.00")
    b.fund(s, "paul", FundingType.SELF_FUNDED, "1500.00", APPROVED)
    b.fund(s, "christine", FundingType.PUBLIC_EMPLOYER, "1500.00")

    s = b.session("TP-GP", "TP-GP-2609", d(2026, 9, 14), d(2026, 12, 11), location="Lyon 2e")
    b.enrol(s, "sandrine", "nicolas", "yanis", "amandine", "melanie", "jordan", "hugo")
    b.fund(s, "sandrine", FundingType.TRANSITION_PRO, "4900.00", APPROVED)
    b.fund(s, "nicolas", FundingType.FRANCE_TRAVAIL, "4900.00", PENDING)
    b.fund(s, "yanis", FundingType.OPCO_PRO_A, "4900.00", APPROVED)
    b.fund(s, "amandine", FundingType.CPF, "4900.00", PENDING)
    # Mélanie has no funding yet: the BPF check "unfunded enrollments" shows it.
    b.fund(
        s,
        "jordan",
        FundingType.OPCO_PROFESSIONALISATION,
        "4900.00",
        REJECTED,
        notes="Contrat de professionnalisation non enregistré.",
    )
    b.fund(s, "jordan", FundingType.EMPLOYER, "4900.00", PENDING)
    b.fund(s, "hugo", skills_plan, "4900.00", APPROVED)

    s = b.session(
        "BDC", "BDC-2610", d(2026, 10, 5), d(2026, 11, 20), location="Lyon 2e", distance=True
    )
    b.enrol(s, "karim", "laura", "stephane")
    b.fund(s, "karim", FundingType.CPF, "1800.00")
    b.fund(s, "laura", FundingType.CPF, "1800.00", APPROVED)
    b.fund(s, "stephane", FundingType.SELF_FUNDED, "1800.00", PENDING)

    s = b.session("XL-TOSA", "XL-2612", d(2026, 12, 7), d(2026, 12, 8), location="Lyon 2e")
    b.enrol(s, "chloe", "lucas", "claire", "elodie")
    b.fund(s, "chloe", FundingType.EMPLOYER, "690.00", PENDING)
    b.fund(s, "lucas", FundingType.EMPLOYER, "690.00", PENDING)
    b.fund(s, "claire", FundingType.SELF_FUNDED, "690.00", APPROVED)
    b.fund(s, "elodie", skills_plan, "690.00", PENDING)

    # A learner who no longer trains with us: archived, history kept.
    Individual.objects.filter(learner=b.learners["helene"]).update(archived_at=b.now)

    # What the data cannot give (sections D, E, H and the share of turnover), as the
    # administrator would have typed it for the closed year: its BPF is ready to file.
    _saved(
        BpfInputs(
            organization=organization,
            fiscal_year=2025,
            total_costs=51_400,
            trainer_salaries=27_800,
            training_purchases=2_100,
            own_trainers_count=3,
            own_trainers_hours=412,
            external_trainers_count=1,
            external_trainers_hours=14,
            turnover_share=92,
            signatory_name="Camille Durand",
            signatory_title="Présidente",
            signature_place="Lyon",
            updated_by=admin,
        )
    )
    # Schedules and attendance of two sessions, recorded by the trainer (demo/attendance_demo.py).
    add_attendance(organization, trainer=trainer)


def _atelier_horizon(result: DemoResult) -> None:
    organization = _saved(
        Organization(
            name="Atelier Horizon",
            slug=OTHER_SLUG,
            legal_form="SARL",
            siret=complete_siret("5310948270001"),
            naf_code="8559A",
            nda="52440871244",
            address="14 quai de Versailles",
            postal_code="44000",
            city="Nantes",
            phone="02 40 47 18 92",
            email="contact@atelier-horizon.example.fr",
        )
    )
    result.organizations.append(organization)
    other_admin, created = _demo_user(
        "other-admin",
        first_name="Yann",
        last_name="Le Goff",
        email="yann.legoff@atelier-horizon.example.fr",
    )
    Membership.objects.create(user=other_admin, organization=organization, role=Role.ADMINISTRATOR)
    result.logins.append(DemoLogin("other-admin", organization.name, Role.ADMINISTRATOR, created))

    b = _OrganisationBuilder(organization, other_admin, seed=44)
    b.company(
        "chantiers_erdre",
        "Chantiers navals de l'Erdre",
        "6028315740001",
        CompanyKind.PRIVATE_EMPLOYER,
        Opco.OPCO_2I,
        "2 rue de la Barbinière\n44300 Nantes",
    )
    for key, first, last, status, employer in (
        ("erwan", "Erwan", "Le Gall", ProfessionalStatus.PRIVATE_EMPLOYEE, "chantiers_erdre"),
        ("morgane", "Morgane", "Tanguy", ProfessionalStatus.PRIVATE_EMPLOYEE, "chantiers_erdre"),
        ("loic", "Loïc", "Guillou", ProfessionalStatus.JOB_SEEKER, None),
        ("nolwenn", "Nolwenn", "Kerouac", ProfessionalStatus.SELF_EMPLOYED, None),
        ("gwenael", "Gwenaël", "Riou", ProfessionalStatus.PRIVATE_EMPLOYEE, "chantiers_erdre"),
    ):
        b.learner(key, first, last, status, employer)
    b.course("TIG", "Soudure TIG – initiation", "254", Objective.OTHER, "35", "1450.00")
    b.course("HAB-B1V", "Habilitation électrique B1V-BR", "255", Objective.RS, "21", "520.00")

    s = b.session("TIG", "TIG-2506", d(2025, 6, 16), d(2025, 6, 20), location="Nantes")
    b.enrol(s, "erwan", "morgane", "loic")
    b.fund(s, "erwan", FundingType.OPCO_SKILLS_PLAN, "1450.00")
    b.fund(s, "morgane", FundingType.OPCO_SKILLS_PLAN, "1450.00")
    b.fund(s, "loic", FundingType.FRANCE_TRAVAIL, "1450.00")

    s = b.session("HAB-B1V", "HAB-2603", d(2026, 3, 23), d(2026, 3, 25), location="Saint-Nazaire")
    b.enrol(s, "gwenael", "nolwenn", "erwan")
    b.fund(s, "gwenael", FundingType.EMPLOYER, "520.00", APPROVED)
    b.fund(s, "nolwenn", FundingType.CPF, "520.00", APPROVED)
    b.fund(s, "erwan", FundingType.OPCO_SKILLS_PLAN, "520.00", PENDING)


@transaction.atomic
def seed_demo() -> DemoResult:
    """Create both demo organisations. The caller checks `demo_present()` first."""
    result = DemoResult()
    _formations_lumiere(result)
    _atelier_horizon(result)
    return result
