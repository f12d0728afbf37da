"""Who actually pays an allocation: the company's OPCO, the Caisse des Dépôts for CPF, France
Travail, Transitions Pro, a FAF, else the carrier itself (the company paying directly, the
individual paying for themself). The per-funder export groups its rows by it and the chasing list
names the payer it waits for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from companies.models import Opco
from funding.types import FundingType

if TYPE_CHECKING:
    from django.db.models import QuerySet


# Types paid by the company's OPCO.
OPCO_TYPES: tuple[str, ...] = (
    FundingType.OPCO_APPRENTICESHIP,
    FundingType.OPCO_PROFESSIONALISATION,
    FundingType.OPCO_PRO_A,
    FundingType.OPCO_JOB_SEEKERS,
    FundingType.OPCO_SKILLS_PLAN,
)


class FunderKind:
    """Who pays, in the order of the per-funder export's sheets."""

    OPCO = "opco"
    OPCO_NOT_SET = "opco_not_set"  # an OPCO type on a company whose OPCO is not recorded
    CAISSE_DES_DEPOTS = "caisse_des_depots"
    FRANCE_TRAVAIL = "france_travail"
    TRANSITIONS_PRO = "transitions_pro"
    FAF = "faf"
    COMPANY = "company"
    INDIVIDUAL = "individual"

    ORDER = (
        OPCO,
        OPCO_NOT_SET,
        CAISSE_DES_DEPOTS,
        FRANCE_TRAVAIL,
        TRANSITIONS_PRO,
        FAF,
        COMPANY,
        INDIVIDUAL,
    )
    # Funders of these kinds share one sheet, one section each.
    SHARED_SHEET = (OPCO_NOT_SET, COMPANY, INDIVIDUAL)


# A funding type paid by a funder of its own, whoever carries the allocation.
_TYPE_FUNDER: dict[str, str] = {
    FundingType.CPF: FunderKind.CAISSE_DES_DEPOTS,
    FundingType.FRANCE_TRAVAIL: FunderKind.FRANCE_TRAVAIL,
    FundingType.TRANSITION_PRO: FunderKind.TRANSITIONS_PRO,
    FundingType.FAF_SELF_EMPLOYED: FunderKind.FAF,
}


def funder_kind_labels() -> dict[str, str]:
    """What the summary's "Funder kind" column and the shared sheets are called."""
    return {
        FunderKind.OPCO: _("OPCO"),
        FunderKind.OPCO_NOT_SET: _("OPCO not set"),
        FunderKind.CAISSE_DES_DEPOTS: _("Caisse des Dépôts (CPF)"),
        FunderKind.FRANCE_TRAVAIL: _("France Travail"),
        FunderKind.TRANSITIONS_PRO: _("Transitions Pro"),
        FunderKind.FAF: _("FAF (non-salaried workers)"),
        FunderKind.COMPANY: _("Companies"),
        FunderKind.INDIVIDUAL: _("Individuals"),
    }


@dataclass(frozen=True)
class Funder:
    kind: str
    key: object  # the OPCO's code, the company's or the individual's id, or None
    name: str


def funder_of(
    *,
    funding_type: str,
    company_id: int | None,
    opco: str | None,
    individual_id: int | None,
    carrier_name: str,
    kind_labels: dict[str, str],
) -> Funder:
    """The OPCO (from the company's OPCO) for an OPCO type, the Caisse des Dépôts for CPF, France
    Travail, Transitions Pro, the FAF; else the carrier itself: the company paying directly (or
    the public body, the other training organisation), the individual paying for themself."""
    kind = _TYPE_FUNDER.get(funding_type)
    if kind is not None:
        return Funder(kind, None, kind_labels[kind])
    if funding_type in OPCO_TYPES:
        if opco:
            return Funder(FunderKind.OPCO, opco, str(Opco(opco).label))
        return Funder(FunderKind.OPCO_NOT_SET, company_id, carrier_name)
    if individual_id is not None:
        return Funder(FunderKind.INDIVIDUAL, individual_id, carrier_name)
    return Funder(FunderKind.COMPANY, company_id, carrier_name)


def by_funder_order(allocations: QuerySet) -> QuerySet:
    """Grouped by funder (see `funder_of`), funders in the order of `FunderKind.ORDER`, then by
    OPCO, company or individual."""
    rank = {kind: index for index, kind in enumerate(FunderKind.ORDER)}
    funder_rank = Case(
        *(
            When(funding_type=funding_type, then=Value(rank[kind]))
            for funding_type, kind in _TYPE_FUNDER.items()
        ),
        When(
            Q(funding_type__in=OPCO_TYPES) & Q(company__opco=""),
            then=Value(rank[FunderKind.OPCO_NOT_SET]),
        ),
        When(funding_type__in=OPCO_TYPES, then=Value(rank[FunderKind.OPCO])),
        When(individual__isnull=False, then=Value(rank[FunderKind.INDIVIDUAL])),
        default=Value(rank[FunderKind.COMPANY]),
        output_field=IntegerField(),
    )
    return allocations.alias(funder_rank=funder_rank).order_by(
        "funder_rank",
        "company__opco",
        "company__name",
        "company_id",
        "individual__billing_name",
        "learner__last_name",
        "learner__first_name",
        "individual_id",
        "session__start_date",
        "session_id",
        "pk",
    )
