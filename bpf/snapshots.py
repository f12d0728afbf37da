"""A report as JSON (the machine-readable form of BPF.md), and filed snapshots rebuilt as reports.

A filed snapshot keeps the JSON of the report plus what the JSON form leaves out (sections A, B
and H), so that every export can be produced again from it, exactly as it was filed.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bpf.labels import FORM_16
from bpf.models import BpfFiling
from bpf.report import (
    Amount,
    BpfReport,
    Check,
    Figure,
    Filing,
    Identity,
    Inputs,
    Speciality,
)

if TYPE_CHECKING:
    from certeef.models import Organization

SNAPSHOT_VERSION = 1


def _figure(figure: Figure) -> dict[str, int]:
    return {"learners": figure.learners, "hours": figure.hours}


def as_json(report: BpfReport) -> dict[str, Any]:
    """The shape given in BPF.md ("Machine-readable form")."""
    inputs = report.inputs
    f1 = {key: _figure(figure) for key, figure in report.f1.items()}
    if report.form == FORM_16:
        f1["distance"] = _figure(report.f1_distance)
    return {
        "form": report.form,
        "organization": {
            "name": report.organization.name,
            "siret": report.organization.siret,
            "nda": report.organization.nda,
        },
        "fiscal_year": {
            "label": report.year,
            "start": report.start.isoformat(),
            "end": report.end.isoformat(),
        },
        "C": {code: amount.value for code, amount in report.c.items()},
        "F1": f1,
        "F2": _figure(report.f2),
        "F3": {key: _figure(figure) for key, figure in report.f3.items()},
        "F4": {
            "specialities": [
                {"code": s.code, "label": s.label, **_figure(s.figure)} for s in report.f4
            ],
            "other": _figure(report.f4_other),
            "unclassified": _figure(report.f4_unclassified),
            "total": _figure(report.f4_total),
        },
        "G": _figure(report.g),
        "D": {
            "total_costs": inputs.total_costs,
            "trainer_salaries": inputs.trainer_salaries,
            "training_purchases": inputs.training_purchases,
        },
        "E": {
            "own": {"count": inputs.own_trainers_count, "hours": inputs.own_trainers_hours},
            "external": {
                "count": inputs.external_trainers_count,
                "hours": inputs.external_trainers_hours,
            },
        },
        "turnover_share": inputs.turnover_share,
        "checks": [
            {
                "code": check.code,
                "severity": check.severity,
                "count": check.count,
                "message": check.message,
            }
            for check in report.checks
        ],
    }


def snapshot_of(report: BpfReport) -> dict[str, Any]:
    return {
        "version": SNAPSHOT_VERSION,
        "report": as_json(report),
        "identity": dataclasses.asdict(report.organization),
        "distance": report.distance,
        "signatory": {
            "name": report.inputs.signatory_name,
            "title": report.inputs.signatory_title,
            "place": report.inputs.signature_place,
            "date": (
                report.inputs.signature_date.isoformat() if report.inputs.signature_date else None
            ),
        },
    }


def _read_figure(data: dict[str, int]) -> Figure:
    return Figure(data["learners"], data["hours"], Decimal(data["hours"]))


def report_from_filing(filing: BpfFiling) -> BpfReport:
    """The report exactly as it was filed (figures rounded; the exact values are not kept)."""
    snapshot = filing.snapshot
    data = snapshot["report"]
    inputs = Inputs(
        total_costs=data["D"]["total_costs"],
        trainer_salaries=data["D"]["trainer_salaries"],
        training_purchases=data["D"]["training_purchases"],
        own_trainers_count=data["E"]["own"]["count"],
        own_trainers_hours=data["E"]["own"]["hours"],
        external_trainers_count=data["E"]["external"]["count"],
        external_trainers_hours=data["E"]["external"]["hours"],
        turnover_share=data["turnover_share"],
        signatory_name=snapshot["signatory"]["name"],
        signatory_title=snapshot["signatory"]["title"],
        # Snapshots filed before place and date were asked do not have them.
        signature_place=snapshot["signatory"].get("place", ""),
        signature_date=(
            datetime.date.fromisoformat(snapshot["signatory"]["date"])
            if snapshot["signatory"].get("date")
            else None
        ),
    )
    f1 = {key: _read_figure(value) for key, value in data["F1"].items() if key != "distance"}
    filed_by = ""
    if filing.filed_by is not None:
        filed_by = filing.filed_by.get_full_name() or filing.filed_by.get_username()
    # Sections A and B as filed; the slug is no part of the form, only the organisation's address
    # in Certeef (the file names): the current one, as for a report computed today.
    identity = Identity(**{**snapshot["identity"], "slug": filing.organization.slug})
    return BpfReport(
        organization=identity,
        organization_id=filing.organization_id,
        year=data["fiscal_year"]["label"],
        start=datetime.date.fromisoformat(data["fiscal_year"]["start"]),
        end=datetime.date.fromisoformat(data["fiscal_year"]["end"]),
        form=data["form"],
        has_data=True,
        distance=snapshot["distance"],
        c={code: Amount(value, Decimal(value)) for code, value in data["C"].items()},
        f1=f1,
        f1_distance=_read_figure(data["F1"].get("distance", {"learners": 0, "hours": 0})),
        f2=_read_figure(data["F2"]),
        f3={key: _read_figure(value) for key, value in data["F3"].items()},
        f4=tuple(
            Speciality(item["code"], item["label"], _read_figure(item))
            for item in data["F4"]["specialities"]
        ),
        f4_other=_read_figure(data["F4"]["other"]),
        f4_unclassified=_read_figure(data["F4"]["unclassified"]),
        f4_total=_read_figure(data["F4"]["total"]),
        g=_read_figure(data["G"]),
        inputs=inputs,
        checks=tuple(
            Check(item["code"], item["severity"], item["count"], item["message"])
            for item in data["checks"]
        ),
        filing=Filing(filed_at=filing.filed_at, filed_by=filed_by),
    )


def latest_filing(organization: Organization, year: int) -> BpfFiling | None:
    return (
        BpfFiling.objects.filter(organization=organization, fiscal_year=year)
        .select_related("filed_by", "organization")
        .first()
    )
