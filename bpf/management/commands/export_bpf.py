"""python manage.py export_bpf --organization SLUG --year Y --format pdf|xlsx|csv|json
[--output FILE] [--filed | --filing N]

The same computation as the BPF page: the figures are identical. JSON goes to standard output
unless --output is given; the other formats are written to --output or to
bpf-<slug>-<year>.<format> in the current directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from bpf.exports import export, report_for_export
from bpf.files import FORMATS
from bpf.models import BpfFiling
from bpf.snapshots import latest_filing, report_from_filing
from bpf.years import fiscal_years_with_data
from certeef.models import Organization

if TYPE_CHECKING:
    from typing import Any

    from django.core.management.base import CommandParser


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Export an organisation's BPF (Cerfa 10443) for a fiscal year.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, help=_("The organisation's slug."))
        parser.add_argument(
            "--year", required=True, type=int, help=_("The fiscal year (the year it ends in).")
        )
        parser.add_argument(
            "--format",
            required=True,
            choices=FORMATS,
            dest="file_format",
            help=_("The file's format."),
        )
        parser.add_argument(
            "--output", help=_("The file to write (JSON: default standard output).")
        )
        parser.add_argument(
            "--filed",
            action="store_true",
            help=_("Export the figures as filed, not current ones."),
        )
        parser.add_argument(
            "--filing",
            type=int,
            help=_(
                "Export one filed snapshot of the year by its number, as the BPF page lists them."
            ),
        )

    def handle(
        self, *args: Any, organization: str, year: int, file_format: str, **options: Any
    ) -> None:
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(_("Unknown organisation “%(slug)s”.") % {"slug": organization})
        if options["filing"] is not None:
            filing = (
                BpfFiling.objects.filter(organization=org, fiscal_year=year, pk=options["filing"])
                .select_related("filed_by", "organization")
                .first()
            )
            if filing is None:
                raise CommandError(
                    _("Fiscal year %(year)d of %(slug)s has no filed snapshot number %(number)d.")
                    % {"year": year, "slug": org.slug, "number": options["filing"]}
                )
            report = report_from_filing(filing)
        elif options["filed"]:
            filing = latest_filing(org, year)
            if filing is None:
                raise CommandError(
                    _("Fiscal year %(year)d of %(slug)s has not been marked as filed.")
                    % {"year": year, "slug": org.slug}
                )
            report = report_from_filing(filing)
        else:
            report = report_for_export(org, year)
            if not report.has_data:
                years = ", ".join(str(y) for y in fiscal_years_with_data(org)) or _("none")
                raise CommandError(
                    _("No data for fiscal year %(year)d of %(slug)s (years with data: %(years)s).")
                    % {"year": year, "slug": org.slug, "years": years}
                )
        exported = export(report, file_format)
        output = options["output"]
        if output is None and file_format == "json":
            self.stdout.write(exported.content.decode(), ending="")
            return
        path = Path(output or exported.filename)
        path.write_bytes(exported.content)
        self.stdout.write(_("Wrote %(path)s") % {"path": path})
