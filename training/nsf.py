"""The NSF speciality codes (Nomenclature des spécialités de formation) used by BPF section F-4.

The list is data the project owns: `training/data/nsf-codes.csv` (code,label), read once.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NSF_CSV = Path(__file__).resolve().parent / "data" / "nsf-codes.csv"


@functools.cache
def nsf_labels() -> dict[str, str]:
    with NSF_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["label"] for row in csv.DictReader(handle)}


def nsf_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} — {label}") for code, label in nsf_labels().items()]


def validate_nsf_code(value: str) -> None:
    if value not in nsf_labels():
        raise ValidationError(
            _("%(code)s is not an NSF speciality code."), code="nsf_unknown", params={"code": value}
        )
