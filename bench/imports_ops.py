"""The imports' operations (issue 16): 50 000 learners from a French Excel CSV, previewed (the
whole import, rolled back) and imported, and 5 000 through `manage.py import_data`. Each run
imports into an organisation of its own, made empty for it (the scale organisation is left
alone); the counts must be what the file holds."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.management import call_command

from certeef.models import Organization
from imports.columns import auto_map
from imports.engine import run_import
from imports.files import read_table
from imports.registry import KINDS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

SLUG = "bench-imports"
FULL, COMMAND = 50_000, 5_000


def learners_csv(count: int) -> bytes:
    """What French Excel writes: `;`, Windows-1252, CRLF, accents."""
    lines = ["Nom;Prénom;Courriel;Téléphone;Statut professionnel"]
    lines += [
        f"Nom{n};Prénom{n};apprenant{n}@example.fr;06 00 {n % 100:02d} {n % 97:02d} 00;"
        "Salarié du secteur privé"
        for n in range(count)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _empty_organization() -> Organization:
    Organization.objects.filter(slug=SLUG).delete()
    return Organization.objects.create(name="Bench imports", slug=SLUG)


def import_operations(scale: int) -> Iterator[tuple]:
    full = FULL if scale >= 40_000 else scale
    command = COMMAND if scale >= 40_000 else max(scale // 10, 10)
    data = learners_csv(full)

    def run(save: bool) -> Callable[[], int]:
        def do() -> int:
            organization = _empty_organization()
            table = read_table(data, "apprenants.csv")
            mapping = auto_map(KINDS["learners"].column_list(), table.headers)
            result = run_import(
                organization=organization,
                kind="learners",
                table=table,
                mapping=mapping,
                save=save,
            )
            assert (result.created, result.errors) == (full, []), result.errors[:3]
            return full

        return do

    def command_run() -> int:
        organization = _empty_organization()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "apprenants.csv"
            path.write_bytes(learners_csv(command))
            call_command(
                "import_data",
                str(path),
                organization=organization.slug,
                kind="learners",
                stdout=io.StringIO(),
            )
        return command

    yield f"7a. Import preview, {full} learners (CSV)", run(save=False), "≤ 30 s, ≤ 300 MB"
    yield f"7b. Import, {full} learners (CSV)", run(save=True), "≤ 60 s, ≤ 300 MB"
    yield f"7c. import_data, {command} learners (CSV)", command_run, "≤ 30 s"


def measured(scale: int, operation: Callable) -> Iterator:
    for name, run, target in import_operations(scale):
        yield operation(name, run, target, repeat=1)
