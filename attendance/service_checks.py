"""What every attendance service checks first, and how their messages write a date."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from certeef.models import Organization


def check_organization(organization: Organization, *objects: Any) -> None:
    # A programming error, not a user error: views only hand over objects of their organisation.
    for obj in objects:
        if obj.organization_id != organization.pk:
            raise ValidationError(_("This object belongs to another organisation."))


def format_date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")
