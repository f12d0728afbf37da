"""python manage.py refresh_summaries [--check] [--organization SLUG]

Rebuilds the session summaries the BPF and the dashboard read (funding/summaries.py, and any other
summary registered with training/changes.py) from the allocations and enrollments. Every write
through the interface, the admin and the services keeps them current; this is for data changed
another way (a script, a database restore, SQL by hand).

`--check` changes nothing: it compares the stored summaries with a rebuild and prints one line per
drift (the session, the summary, the field, stored → rebuilt), then "N sessions checked, M drifts".
For monitoring: exit status 0 when there is none, 1 on any drift, 2 on bad arguments (an unknown
organisation).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certeef.models import Organization
from funding.allocation_totals import allocation_total_drifts, rebuild_allocation_totals
from funding.chase_summaries import funder_chase_drifts, rebuild_funder_chases
from training.changes import Drift, refresh_sessions, summary_drifts
from training.models import Session

if TYPE_CHECKING:
    from typing import Any

    from django.core.management.base import CommandParser
    from django.db.models import QuerySet

    from certeef.models import Organization


def describe_drift(drift: Drift, reference: str) -> str:
    """One drift on one line: session, summary (and row), field, stored → rebuilt."""
    row = f"[{', '.join(map(str, drift.key))}]" if drift.key else ""
    absent = _("(no row)")
    return (
        f"{reference} (#{drift.session_id}) {drift.summary}{row} {drift.field}: "
        f"{absent if drift.stored is None and drift.rebuilt is not None else drift.stored} → "
        f"{absent if drift.rebuilt is None and drift.stored is not None else drift.rebuilt}"
    )


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Rebuild the session summaries behind the BPF and the dashboard.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", help=_("Only this organisation (its slug)."))
        parser.add_argument(
            "--check",
            action="store_true",
            help=_(
                "Change nothing: list the stored figures that differ from a rebuild "
                "(exit status 1 if any)."
            ),
        )

    def handle(self, *args: Any, organization: str | None, check: bool, **options: Any) -> None:
        organizations = Organization.objects.order_by("slug")
        if organization is not None:
            organizations = organizations.filter(slug=organization)
            if not organizations.exists():
                raise CommandError(
                    _("Unknown organisation “%(slug)s”.") % {"slug": organization}, returncode=2
                )
        if check:
            self._check(organizations)
            return
        for org in organizations:
            refresh_sessions(Session.objects.filter(organization=org).values_list("pk", flat=True))
            # The totals by funder too: a refresh of sessions adds up only those that moved.
            rebuild_funder_chases(org.pk)
            # And the organisation's totals by type and status (the Funding page's), likewise.
            rebuild_allocation_totals(org.pk)
            self.stdout.write(_("Refreshed the summaries of %(slug)s.") % {"slug": org.slug})

    def _check(self, organizations: QuerySet[Organization]) -> None:
        sessions = dict(
            Session.objects.filter(organization__in=organizations).values_list("pk", "reference")
        )
        drifts = summary_drifts(sessions)
        for drift in drifts:
            self.stdout.write(describe_drift(drift, sessions.get(drift.session_id) or "—"))
        # The chasing totals by funder (funding/chase_summaries.py): the sums of their sessions'.
        funder_drifts = 0
        for org in organizations:
            for funder, stored, rebuilt in funder_chase_drifts(org.pk):
                funder_drifts += 1
                self.stdout.write(f"{org.slug} FunderChase[{funder}]: {stored} → {rebuilt}")
            # The totals by type and status: the sums of the organisation's allocations.
            for (funding_type, status), stored, rebuilt in allocation_total_drifts(org.pk):
                funder_drifts += 1
                self.stdout.write(
                    f"{org.slug} AllocationTotal[{funding_type}, {status}]: {stored} → {rebuilt}"
                )
        self.stdout.write(
            ngettext("%(sessions)d session checked", "%(sessions)d sessions checked", len(sessions))
            % {"sessions": len(sessions)}
            + ", "
            + ngettext("%(drifts)d drift", "%(drifts)d drifts", len(drifts) + funder_drifts)
            % {"drifts": len(drifts) + funder_drifts}
        )
        if drifts or funder_drifts:
            sys.exit(1)
