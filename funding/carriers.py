"""Who carries an allocation: an individual or a company.

The allocation form, views and templates are written once against `Carrier`; the individual's
Funding tab and the company's Funding tab differ only in what a carrier says here (which types
it may carry, which sessions and learners may be chosen, where its Funding tab is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.urls import reverse
from django.utils.translation import gettext as _

from certeef.forms import EMPTY_CHOICE_LABEL
from funding.models import FundingAllocation
from funding.types import INDIVIDUAL_TYPES, types_for_company_kind
from learners.models import Learner
from training.models import Session

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from companies.models import Company
    from individuals.models import Individual


class CarrierKwargs(TypedDict, total=False):
    individual: Individual
    company: Company


@dataclass(frozen=True)
class Carrier:
    individual: Individual | None = None
    company: Company | None = None

    @property
    def payer(self) -> Individual | Company:
        return self.individual if self.individual is not None else self._company

    @property
    def _company(self) -> Company:
        """The company, where the carrier is one (it is then not an individual)."""
        assert self.company is not None, "an individual or a company"
        return self.company

    @property
    def organization_id(self) -> int:
        return self.payer.organization_id

    @property
    def is_individual(self) -> bool:
        return self.individual is not None

    @property
    def funding_types(self) -> tuple[str, ...]:
        if self.individual is not None:
            return INDIVIDUAL_TYPES
        return types_for_company_kind(self._company.kind)

    @property
    def fixed_learner(self) -> Learner | None:
        """An individual funds their own training; a company funds any enrolled learner."""
        return self.individual.learner if self.individual is not None else None

    def sessions(self) -> QuerySet[Session]:
        sessions = Session.objects.filter(organization_id=self.organization_id)
        if self.individual is not None:
            sessions = sessions.filter(enrollments__learner_id=self.individual.learner_id)
        return sessions.select_related("course").order_by("-start_date", "pk").distinct()

    def learners(self) -> QuerySet[Learner]:
        """Learners this carrier may fund: anyone enrolled in one of the organisation's sessions
        (the service checks the enrolment in the chosen session)."""
        if self.individual is not None:
            return Learner.objects.filter(pk=self.individual.learner_id)
        return (
            Learner.objects.filter(organization_id=self.organization_id, enrollments__isnull=False)
            .order_by("last_name", "first_name", "pk")
            .distinct()
        )

    def learner_choices(self, session_id: int | None) -> list:
        """The learner choices of a company's form: the learners enrolled in the chosen session
        (every enrolled learner until one is chosen), the company's employees first."""
        learners = self.learners()
        if session_id is not None:
            learners = learners.filter(enrollments__session_id=session_id)
        employees: list[tuple[int, str]] = []
        others: list[tuple[int, str]] = []
        for learner in learners:
            group = employees if learner.employer_id == self._company.pk else others
            group.append((learner.pk, learner.full_name))
        choices: list = [("", EMPTY_CHOICE_LABEL)]
        if employees:
            choices.append((_("Employees of %(company)s") % {"company": self.company}, employees))
        if others:
            choices.append((_("Other learners") if employees else _("Learners"), others))
        return choices

    @property
    def learner_choices_url(self) -> str | None:
        """Where the form fetches the learners of the chosen session (companies only: an
        individual funds their own training)."""
        if self.company is None:
            return None
        return reverse("funding:company_funding_learners", args=[self.company.pk])

    def allocations(self) -> QuerySet[FundingAllocation]:
        carrier_filter = (
            {"individual": self.individual}
            if self.individual is not None
            else {"company": self.company}
        )
        return FundingAllocation.objects.filter(**carrier_filter).select_related(
            "session__course", "learner"
        )

    def service_kwargs(self) -> CarrierKwargs:
        """The carrier as `allocation_create` takes it."""
        if self.individual is not None:
            return {"individual": self.individual}
        return {"company": self._company}

    @property
    def funding_url(self) -> str:
        """The carrier's Funding tab."""
        if self.individual is not None:
            return reverse("individuals:funding", args=[self.individual.pk])
        return reverse("funding:company_funding", args=[self._company.pk])

    @property
    def add_url(self) -> str:
        """Where "+ Add funding" goes."""
        if self.individual is not None:
            return reverse("individuals:funding_add", args=[self.individual.pk])
        return reverse("funding:company_funding_add", args=[self._company.pk])


def carrier_of(allocation: FundingAllocation) -> Carrier:
    if allocation.individual_id:
        return Carrier(individual=allocation.individual)
    return Carrier(company=allocation.company)
