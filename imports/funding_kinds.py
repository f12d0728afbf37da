"""Importing funding allocations (and, in `edof.py`, CPF dossiers exported from EDOF).

A row names the session and the learner as an enrollment's row does, the type, the carrier (a
company by SIRET or name for a company's funding; the learner's own individual record, created
when missing, for CPF, France Travail and self-funded), the amounts, the CPF case number and the
status. It is matched to an existing allocation of the organisation by its case number for CPF,
else by session + learner + type + carrier. Everything goes through funding's services: the
allocation is created Pending, then moved to the row's status through the allowed moves (Pending →
Approved → Paid, Pending → Rejected…), each move recorded in its history as if made by hand.
"""

from __future__ import annotations

import datetime
from collections import defaultdict, deque
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certeef.numbers import parse_number
from companies.models import Company
from funding import services as funding_services
from funding import status_changes
from funding.models import FundingAllocation, FundingStatus, next_statuses
from funding.types import INDIVIDUAL_TYPES, FundingType
from imports.columns import CellError, Column, RowErrors, read_choice, read_date
from imports.enrollment_kinds import SessionLearnerRows
from imports.importer import CREATED, UNCHANGED, UPDATED
from imports.kind_columns import SESSION_LEARNER_COLUMNS
from imports.matching import Index, company_keys, digits, one_match
from individuals import services as individual_services
from individuals.models import Individual
from learners.models import Learner
from training import services as training_services
from training.models import Enrollment, Session

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from certeef.models import Organization


def status_path(from_status: str, to_status: str) -> list[str]:
    """The shortest run of allowed moves from one status to another (empty when equal)."""
    previous: dict[str, str | None] = {from_status: None}
    queue = deque([from_status])
    while queue:
        status = queue.popleft()
        if status == to_status:
            break
        for following in next_statuses(status):
            if following not in previous:
                previous[following] = status
                queue.append(following)
    if to_status not in previous:
        return []
    path = []
    step: str | None = to_status
    while step is not None and step != from_status:
        path.append(step)
        step = previous[step]
    return list(reversed(path))


def read_amount(column: str, text: str) -> Decimal:
    try:
        return parse_number(text)
    except ValidationError as error:
        raise CellError(column, " ".join(error.messages)) from error


# Service and model fields → the columns they come from (to place their errors).
ALLOCATION_FIELDS = {
    "session": "session",
    "learner": "email",
    "funding_type": "funding_type",
    "approved_amount": "approved_amount",
    "requested_amount": "requested_amount",
    "cpf_case_number": "cpf_case_number",
    "funder_reference": "funder_reference",
    "notes": "notes",
    "paid_on": "paid_on",
    "company": "company",
    "individual": "funding_type",
}


class AllocationImporter(SessionLearnerRows):
    label = gettext_lazy("Funding allocations")
    fields = ALLOCATION_FIELDS
    key_columns = {"case": "cpf_case_number", "carrier": "funding_type"}
    columns = [
        *SESSION_LEARNER_COLUMNS,
        Column(
            "funding_type",
            gettext_lazy("Funding type"),
            ("Type de financement", "Funding type", "Type", "Financement", "Dispositif"),
            required=True,
            help=gettext_lazy("Code or label, in English or French"),
        ),
        Column(
            "company",
            gettext_lazy("Company (SIRET or name)"),
            (
                "Entreprise",
                "Company",
                "SIRET",
                "Entreprise (SIRET)",
                "Company SIRET",
                "Payeur",
                "Payer",
            ),
        ),
        Column(
            "approved_amount",
            gettext_lazy("Approved amount"),
            ("Montant accordé", "Approved amount", "Montant", "Amount", "Montant pris en charge"),
            required=True,
        ),
        Column(
            "requested_amount",
            gettext_lazy("Requested amount"),
            ("Montant demandé", "Requested amount"),
        ),
        Column(
            "cpf_case_number",
            gettext_lazy("CPF case number"),
            (
                "Numéro de dossier CPF",
                "N° de dossier CPF",
                "Dossier CPF",
                "CPF case number",
                "Numéro de dossier",
                "N° de dossier",
                "Case number",
            ),
        ),
        Column(
            "funder_reference",
            gettext_lazy("Funder reference"),
            ("Référence financeur", "Funder reference", "Référence du financeur"),
        ),
        Column(
            "status",
            gettext_lazy("Status"),
            ("Statut", "Status", "État", "Etat", "Statut du financement"),
            help=gettext_lazy("Code or label, in English or French"),
        ),
        Column(
            "paid_on",
            gettext_lazy("Paid on"),
            ("Payé le", "Date de paiement", "Paid on", "Payment date"),
        ),
        Column("notes", gettext_lazy("Notes"), ("Notes", "Remarques", "Commentaire", "Comment")),
    ]

    def __init__(self, organization: Organization, user: User | None = None) -> None:
        super().__init__(organization, user)
        self.companies = Index(
            Company, Company.objects.filter(organization=organization), company_keys()
        )
        self.by_case: dict[str, list[int]] = defaultdict(list)
        for pk, number in FundingAllocation.objects.filter(
            organization=organization, funding_type=FundingType.CPF
        ).values_list("pk", "cpf_case_number"):
            self.by_case[number].append(pk)

    # -- reading the row

    def funding_type(self, values: dict[str, str]) -> str:
        return read_choice("funding_type", values["funding_type"], FundingType)

    def find_company(self, values: dict[str, str]) -> Company | None:
        text = values.get("company", "").strip()
        if not text:
            return None
        siret = digits(text)
        if siret.isdigit():
            found = self.companies.find("siret", (siret,))
        else:
            found = self.companies.find("name", (" ".join(text.split()).casefold(),))
        company = one_match(found, self.companies, "company", _("companies"), text)
        if company is None:
            raise CellError(
                "company",
                _("No company of yours has the SIRET or name “%(company)s”.") % {"company": text},
            )
        return company

    def key(self, values: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        funding_type = self.funding_type(values)
        if funding_type == FundingType.CPF and values.get("cpf_case_number"):
            return "case", (digits(values["cpf_case_number"]),)
        session = self.find_session(values)
        learner = self.find_learner(values)
        company = self.find_company(values)
        return "carrier", (session.pk, learner.pk, funding_type, company and company.pk)

    def find(
        self,
        values: dict[str, str],
        funding_type: str,
        session: Session,
        learner: Learner,
        company: Company | None,
    ) -> FundingAllocation | None:
        if funding_type == FundingType.CPF:
            number = digits(values.get("cpf_case_number", ""))
            found = self.by_case.get(number, [])
            if len(found) > 1:
                raise RowErrors(
                    [
                        (
                            "cpf_case_number",
                            _(
                                "Ambiguous: %(count)s %(what)s match “%(key)s” (#%(ids)s): fix "
                                "them first."
                            )
                            % {
                                "count": len(found),
                                "what": _("funding allocations"),
                                "key": number,
                                "ids": ", #".join(str(pk) for pk in sorted(found)),
                            },
                        )
                    ]
                )
            return FundingAllocation.objects.filter(pk__in=found).first() if found else None
        candidates = FundingAllocation.objects.filter(
            organization=self.organization,
            session=session,
            learner=learner,
            funding_type=funding_type,
            company=company,
        )
        matches = list(candidates[:3])
        if len(matches) > 1:
            raise RowErrors(
                [
                    (
                        "funding_type",
                        _(
                            "Ambiguous: %(count)s %(what)s match “%(key)s” (#%(ids)s): fix them "
                            "first."
                        )
                        % {
                            "count": len(matches),
                            "what": _("funding allocations"),
                            "key": f"{session} — {learner} — {values['funding_type']}",
                            "ids": ", #".join(str(a.pk) for a in matches),
                        },
                    )
                ]
            )
        return matches[0] if matches else None

    def carrier(
        self, funding_type: str, learner: Learner, company: Company | None
    ) -> tuple[Individual | None, Company | None]:
        """(individual, company) carrying the allocation; the individual record is created
        when the learner has none."""
        if funding_type in INDIVIDUAL_TYPES:
            individual = Individual.objects.filter(learner=learner).first()
            if individual is None:
                individual = individual_services.individual_create(
                    organization=self.organization, learner=learner
                )
            return individual, None
        if company is None:
            raise CellError(
                "company",
                _("A company's funding names the company: its SIRET or name."),
            )
        return None, company

    def ensure_enrolled(self, session: Session, learner: Learner) -> bool:
        return Enrollment.objects.filter(session=session, learner=learner).exists()

    def apply(self, values: dict[str, str]) -> str:
        funding_type = self.funding_type(values)
        session = self.find_session(values)
        learner = self.find_learner(values)
        company = self.find_company(values)
        approved = read_amount("approved_amount", values["approved_amount"])
        requested = (
            read_amount("requested_amount", values["requested_amount"])
            if values.get("requested_amount")
            else None
        )
        status = (
            read_choice("status", values["status"], FundingStatus) if values.get("status") else None
        )
        paid_on = read_date("paid_on", values["paid_on"]) if values.get("paid_on") else None
        return self.write(
            values,
            funding_type=funding_type,
            session=session,
            learner=learner,
            company=company,
            approved=approved,
            requested=requested,
            status=status,
            paid_on=paid_on,
        )

    def write(
        self,
        values: dict[str, str],
        *,
        funding_type: str,
        session: Session,
        learner: Learner,
        company: Company | None,
        approved: Decimal,
        requested: Decimal | None,
        status: str | None,
        paid_on: datetime.date | None,
        enrol: bool = False,
    ) -> str:
        if enrol and not self.ensure_enrolled(session, learner):
            training_services.enrollment_create(
                organization=self.organization, session=session, learner=learner
            )
        allocation = self.find(values, funding_type, session, learner, company)
        # The allocation's fields as the row gives them (several types): created with, or
        # compared with the allocation found.
        wanted: dict[str, Any] = {
            "session": session,
            "learner": learner,
            "approved_amount": approved,
            "cpf_case_number": digits(values.get("cpf_case_number", "")),
        }
        if requested is not None:
            wanted["requested_amount"] = requested
        for name in ("funder_reference", "notes"):
            if values.get(name):
                wanted[name] = values[name]
        if allocation is None:
            individual, company = self.carrier(funding_type, learner, company)
            allocation = funding_services.allocation_create(
                organization=self.organization,
                funding_type=funding_type,
                individual=individual,
                company=company,
                created_by=self.user,
                **{
                    "requested_amount": None,
                    "funder_reference": "",
                    "notes": "",
                    **wanted,
                },
            )
            outcome = CREATED
        else:
            changes = {
                name: value for name, value in wanted.items() if getattr(allocation, name) != value
            }
            if changes:
                allocation = funding_services.allocation_update(
                    allocation=allocation,
                    expected_version=allocation.version,
                    # Kept in the allocation's history (required for a Paid one's amount).
                    reason=_("Changed by an import."),
                    **changes,
                )
            outcome = UPDATED if changes else UNCHANGED
        if status is not None and status != allocation.status:
            path = status_path(allocation.status, status)
            if not path:
                raise CellError(
                    "status",
                    _("An allocation cannot go from %(from)s to %(to)s.")
                    % {
                        "from": FundingStatus(allocation.status).label,
                        "to": FundingStatus(status).label,
                    },
                )
            for step in path:
                allocation = status_changes.allocation_set_status(
                    allocation=allocation,
                    to_status=step,
                    changed_by=self.user,
                    paid_on=(paid_on or session.end_date) if step == FundingStatus.PAID else None,
                    note=_("Imported"),
                )
            if outcome == UNCHANGED:
                outcome = UPDATED
        if allocation.funding_type == FundingType.CPF and allocation.pk not in self.by_case.get(
            allocation.cpf_case_number, []
        ):
            self.by_case[allocation.cpf_case_number].append(allocation.pk)
        return outcome
