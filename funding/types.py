"""Funding types, who may carry them, and the BPF section C line each one feeds (BPF.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import CompanyKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class FundingType(models.TextChoices):
    CPF = "cpf", _("CPF")
    FRANCE_TRAVAIL = "france_travail", _("France Travail")
    SELF_FUNDED = "self_funded", _("Self-funded")
    EMPLOYER = "employer", _("Employer (direct payment)")
    OPCO_APPRENTICESHIP = "opco_apprenticeship", _("OPCO – apprenticeship contract")
    OPCO_PROFESSIONALISATION = "opco_professionalisation", _("OPCO – professionalisation contract")
    OPCO_PRO_A = "opco_pro_a", _("OPCO – Pro-A")
    TRANSITION_PRO = "transition_pro", _("Transitions Pro – transition project (PTP)")
    OPCO_JOB_SEEKERS = "opco_job_seekers", _("OPCO – job-seeker schemes (POEC, CSP…)")
    FAF_SELF_EMPLOYED = "faf_self_employed", _("FAF – non-salaried workers")
    OPCO_SKILLS_PLAN = "opco_skills_plan", _("OPCO – skills development plan")
    PUBLIC_EMPLOYER = "public_employer", _("Public employer (own agents)")
    EU_FUNDS = "eu_funds", _("European funds")
    STATE = "state", _("State")
    REGION = "region", _("Regional council")
    OTHER_PUBLIC = "other_public", _("Other public funds")
    TRAINING_ORGANISATION = (
        "training_organisation",
        _("Another training organisation (subcontracting)"),
    )
    OTHER_PRODUCTS = "other_products", _("Other products (meals, lodging, materials…)")


# BPF section C line fed by each type.
BPF_LINE: dict[str, str] = {
    FundingType.CPF: "e",
    FundingType.FRANCE_TRAVAIL: "7",
    FundingType.SELF_FUNDED: "9",
    FundingType.EMPLOYER: "1",
    FundingType.OPCO_APPRENTICESHIP: "a",
    FundingType.OPCO_PROFESSIONALISATION: "b",
    FundingType.OPCO_PRO_A: "c",
    FundingType.TRANSITION_PRO: "d",
    FundingType.OPCO_JOB_SEEKERS: "f",
    FundingType.FAF_SELF_EMPLOYED: "g",
    FundingType.OPCO_SKILLS_PLAN: "h",
    FundingType.PUBLIC_EMPLOYER: "3",
    FundingType.EU_FUNDS: "4",
    FundingType.STATE: "5",
    FundingType.REGION: "6",
    FundingType.OTHER_PUBLIC: "8",
    FundingType.TRAINING_ORGANISATION: "10",
    FundingType.OTHER_PRODUCTS: "11",
}

INDIVIDUAL_TYPES: tuple[str, ...] = (
    FundingType.CPF,
    FundingType.FRANCE_TRAVAIL,
    FundingType.SELF_FUNDED,
)

# Types a company may carry, by its kind. "Other products" suits any company.
COMPANY_TYPES: dict[str, tuple[str, ...]] = {
    CompanyKind.PRIVATE_EMPLOYER: (
        FundingType.EMPLOYER,
        FundingType.OPCO_APPRENTICESHIP,
        FundingType.OPCO_PROFESSIONALISATION,
        FundingType.OPCO_PRO_A,
        FundingType.TRANSITION_PRO,
        FundingType.OPCO_JOB_SEEKERS,
        FundingType.FAF_SELF_EMPLOYED,
        FundingType.OPCO_SKILLS_PLAN,
        FundingType.OTHER_PRODUCTS,
    ),
    CompanyKind.PUBLIC_EMPLOYER: (
        FundingType.PUBLIC_EMPLOYER,
        FundingType.EU_FUNDS,
        FundingType.STATE,
        FundingType.REGION,
        FundingType.OTHER_PUBLIC,
        FundingType.OTHER_PRODUCTS,
    ),
    CompanyKind.TRAINING_ORGANISATION: (
        FundingType.TRAINING_ORGANISATION,
        FundingType.OTHER_PRODUCTS,
    ),
}


def types_for_company_kind(kind: str) -> tuple[str, ...]:
    return COMPANY_TYPES.get(kind, ())


def type_choices(types: tuple[str, ...]) -> list[tuple[str, StrOrPromise]]:
    return [(value, FundingType(value).label) for value in types]


# An enrollment's funding code (BPF F-1 rules 2 to 4): each counted allocation gets one and the
# enrollment keeps the highest. France Travail (rule 3) outranks an apprenticeship contract
# (rule 4), which outranks any other type but self-funding; 0 means every counted allocation is
# self-funded (rule 2). An enrollment without counted allocations has no code.
FUNDING_CODE_SELF_FUNDED = 0
FUNDING_CODE_OTHER = 1
FUNDING_CODE_APPRENTICESHIP = 3
FUNDING_CODE_FRANCE_TRAVAIL = 5
FUNDING_CODES: dict[str, int] = {
    FundingType.FRANCE_TRAVAIL: FUNDING_CODE_FRANCE_TRAVAIL,
    FundingType.OPCO_APPRENTICESHIP: FUNDING_CODE_APPRENTICESHIP,
    FundingType.SELF_FUNDED: FUNDING_CODE_SELF_FUNDED,
}
