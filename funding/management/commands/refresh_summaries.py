"""python manage.py refresh_summaries [--organization SLUG]

Rebuilds the session summaries the BPF and the dashboard read (funding/summaries.py, and any other
summary registered with training/changes.py) from the allocations and enrollments. Every write
through the interface, the admin and the services keeps them current; this is for data changed
another way (a script, a database restore, SQL by hand).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from certeef.models import Organization
from training.changes import refresh_sessions
from training.models import Session


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Rebuild the session summaries behind the BPF and the dashboard.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", help=_("Only this organisation (its slug)."))

    def handle(self, *args, organization: str | None, **options) -> None:
        organizations = Organization.objects.order_by("slug")
        if organization is not None:
            organizations = organizations.filter(slug=organization)
            if not organizations.exists():
                raise CommandError(_("Unknown organisation “%(slug)s”.") % {"slug": organization})
        for org in organizations:
            refresh_sessions(Session.objects.filter(organization=org).values_list("pk", flat=True))
            self.stdout.write(_("Refreshed the summaries of %(slug)s.") % {"slug": org.slug})
