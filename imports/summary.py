"""The sentence that sums an import up, for the page and the command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from imports.engine import Result


def counts(result: Result) -> str:
    return ", ".join(
        [
            ngettext("%(count)s created", "%(count)s created", result.created)
            % {"count": result.created},
            ngettext("%(count)s updated", "%(count)s updated", result.updated)
            % {"count": result.updated},
            ngettext("%(count)s unchanged", "%(count)s unchanged", result.unchanged)
            % {"count": result.unchanged},
        ]
    )


def summary_line(result: Result, *, dry_run: bool) -> str:
    if result.errors:
        return ngettext(
            "%(count)s error: nothing was saved (%(counts)s without the errors).",
            "%(count)s errors: nothing was saved (%(counts)s without the errors).",
            len(result.errors),
        ) % {"count": len(result.errors), "counts": counts(result)}
    if dry_run:
        return _("Dry run, nothing saved: %(counts)s.") % {"counts": counts(result)}
    return _("Imported: %(counts)s.") % {"counts": counts(result)}
