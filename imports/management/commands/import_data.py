"""`manage.py import_data --organization SLUG --kind KIND FILE [--dry-run] [--sheet NAME]`

Exit codes: 0 imported (with --dry-run: nothing wrong found); 1 row errors, nothing saved;
2 the file cannot be read or the arguments are wrong.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from certeef.models import Organization
from imports.columns import auto_map
from imports.engine import MappingError, importer_class, run_import
from imports.files import FileError, read_table
from imports.registry import KINDS
from imports.summary import summary_line

if TYPE_CHECKING:
    from typing import Any

    from django.core.management.base import CommandParser


class Command(BaseCommand):
    help = (
        "Import learners, companies, courses, sessions, enrollments or allocations from CSV/XLSX."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--organization", required=True, help="the organisation's slug")
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument("--dry-run", action="store_true", help="check only, never save")
        parser.add_argument("--sheet", default=None, help="the XLSX sheet (default: the first)")

    def fail(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(
                _("No organisation has the slug “%(slug)s”.") % {"slug": options["organization"]},
                returncode=2,
            )
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("The file %(file)s cannot be read: %(error)s.")
                % {"file": path, "error": error.strerror},
                returncode=2,
            ) from error
        try:
            table = read_table(data, path.name, options["sheet"])
        except FileError as error:
            raise CommandError(f"{path.name}: {error.message}", returncode=2) from error
        importer_cls = importer_class(options["kind"])
        mapping = auto_map(importer_cls.column_list(), table.headers)
        try:
            result = run_import(
                organization=organization,
                kind=options["kind"],
                table=table,
                mapping=mapping,
                save=not options["dry_run"],
            )
        except MappingError as error:
            raise CommandError(f"{path.name}: {error.message}", returncode=2) from error
        for row_error in result.errors:
            self.stdout.write(
                _("Line %(line)s, column “%(column)s”: %(message)s")
                % {"line": row_error.line, "column": row_error.column, "message": row_error.message}
            )
        self.stdout.write(summary_line(result, dry_run=options["dry_run"]))
        if result.errors:
            sys.exit(1)
