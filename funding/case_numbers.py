"""The CPF case-number rules, in this one place, each with its one message.

A CPF allocation has a case number, and only a CPF allocation has one; it is 8 to 15 digits
(typed in groups: spaces are dropped); no two non-rejected CPF allocations of an organisation
share one. The services check them (`check_case_number`, from `allocation_validate` and a status
move that leaves Rejected); the allocation form, the admin and the imports check none of them and
show the services' messages. The database's constraints (funding/models.py) hold the same rules
behind them; a race that only they catch is told with the same message (`case_number_taken`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certeef.validators import normalize_digits
from funding.models import FundingAllocation, FundingStatus
from funding.types import FundingType

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CASE_NUMBER_FORMAT = re.compile(r"\d{8,15}")

REQUIRED_MESSAGE = gettext_lazy("The CPF case number is required for CPF.")
FORMAT_MESSAGE = gettext_lazy("A CPF case number has 8 to 15 digits (spaces are ignored).")
ONLY_FOR_CPF_MESSAGE = gettext_lazy("A case number is only for CPF funding: leave it empty.")


def _error(message: StrOrPromise, code: str) -> ValidationError:
    return ValidationError({"cpf_case_number": ValidationError(message, code=code)})


def _taken_by(clash: FundingAllocation) -> ValidationError:
    return _error(
        _("This CPF case number is already used by allocation #%(pk)s (%(learner)s, %(session)s).")
        % {"pk": clash.pk, "learner": clash.learner, "session": clash.session},
        "case_number_taken",
    )


def _clash(allocation: FundingAllocation) -> FundingAllocation | None:
    """Another non-rejected CPF allocation of the organisation with the same case number."""
    return (
        FundingAllocation.objects.filter(
            organization_id=allocation.organization_id,
            funding_type=FundingType.CPF,
            cpf_case_number=allocation.cpf_case_number,
        )
        .exclude(status=FundingStatus.REJECTED)
        .exclude(pk=allocation.pk)
        .select_related("learner", "session")
        .first()
    )


def check_case_number(allocation: FundingAllocation) -> None:
    """Normalise the allocation's case number (spaces dropped), then check every rule; raises
    ValidationError on `cpf_case_number`."""
    allocation.cpf_case_number = normalize_digits(allocation.cpf_case_number)
    if allocation.funding_type != FundingType.CPF:
        if allocation.cpf_case_number:
            raise _error(ONLY_FOR_CPF_MESSAGE, "only_for_cpf")
        return
    if not allocation.cpf_case_number:
        raise _error(REQUIRED_MESSAGE, "required")
    if not CASE_NUMBER_FORMAT.fullmatch(allocation.cpf_case_number):
        raise _error(FORMAT_MESSAGE, "format")
    if allocation.status == FundingStatus.REJECTED:
        return
    clash = _clash(allocation)
    if clash is not None:
        raise _taken_by(clash)


def case_number_taken(allocation: FundingAllocation, error: Exception) -> ValidationError:
    """The database refused a write (a constraint fired despite the checks): when another
    allocation took the same case number meanwhile (two requests racing), the rule's message,
    naming it; any other refusal is not ours to explain and is raised again."""
    clash = _clash(allocation) if allocation.funding_type == FundingType.CPF else None
    if clash is None:
        raise error
    return _taken_by(clash)
