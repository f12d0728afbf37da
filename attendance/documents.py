"""The documents funders ask for, as A4 PDFs (WeasyPrint), in French whatever the interface's
language: the sign-in sheet (« feuille d'émargement ») of a day or a week of a session, and the
certificate of completion (« certificat de réalisation ») of each learner.

The certificate follows the ministry of Labour's model (« modèle de certificat de réalisation des
actions concourant au développement des compétences », 2020, imposed by the OPCOs since): the
provider and its legal representative, the learner and their employer, the action's title, its
nature (the four kinds of article L. 6313-1 of the code du travail), its dates and the hours
followed, the provider's commitment to keep the evidence three years, place, date, stamp and
signature. Certeef adds the provider's NDA and the course's objective (BPF F-3), which the funders'
files also ask for.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone, translation

from attendance.models import Attendance, AttendanceStatus, minutes_to_hours
from attendance.schedule import AFTERNOON, MORNING, half_days_of
from attendance.selectors import (
    FROM_ATTENDANCE,
    followed_hours,
    grid_enrollments,
    session_trainers,
    trainer_name,
)
from training.models import Objective

if TYPE_CHECKING:
    from attendance.models import TimeSlot
    from training.models import Enrollment, Session

STYLESHEET = Path(__file__).resolve().parent / "documents.css"
CONTENT_TYPE = "application/pdf"

HALF_DAY_LABELS = {MORNING: "Matin", AFTERNOON: "Après-midi"}
STATUS_LABELS: dict[str, str] = {
    AttendanceStatus.PRESENT: "Présent(e)",
    AttendanceStatus.ABSENT: "Absent(e)",
    AttendanceStatus.EXCUSED: "Absence excusée",
    AttendanceStatus.PARTIAL: "Présent(e) en partie",
}

# The certificate's four natures of action (article L. 6313-1 of the code du travail).
TRAINING, SKILLS_ASSESSMENT, VAE, APPRENTICESHIP = "formation", "bilan", "vae", "apprentissage"
NATURES = (
    (TRAINING, "action de formation"),
    (SKILLS_ASSESSMENT, "bilan de compétences"),
    (VAE, "action de validation des acquis de l'expérience (VAE)"),
    (APPRENTICESHIP, "action de formation par apprentissage"),
)


def format_hours(hours: Decimal) -> str:
    """12.5 → "12,5"; 7 → "7" (French decimal comma, no useless zeros)."""
    text = f"{hours.normalize():f}" if hours else "0"
    return text.replace(".", ",")


def format_minutes(minutes: int) -> str:
    """90 → "1 h 30"; 45 → "45 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "session"


LANDSCAPE = "@page { size: A4 landscape; }"


def render_pdf(template: str, context: dict[str, object], *, landscape: bool = False) -> bytes:
    # Imported here: WeasyPrint loads Pango and fonts, which only the documents need.
    from weasyprint import CSS, HTML

    # French whatever the user's language: labels the templates take from the models (a course's
    # objective) come out in French too.
    with translation.override("fr"):
        html = render_to_string(template, {**context, "generated_at": timezone.localtime()})
    stylesheets = [CSS(filename=str(STYLESHEET))]
    if landscape:
        stylesheets.append(CSS(string=LANDSCAPE))
    return HTML(string=html).write_pdf(stylesheets=stylesheets)


# ---------------------------------------------------------------------------------------------
# Sign-in sheet


@dataclass
class SheetColumn:
    date: datetime.date
    half_day: str
    slots: list[TimeSlot] = field(default_factory=list)

    @property
    def label(self) -> str:
        return HALF_DAY_LABELS[self.half_day]

    @property
    def times(self) -> str:
        return " / ".join(f"{s.start_time:%H:%M}–{s.end_time:%H:%M}" for s in self.slots)


@dataclass
class SheetRow:
    name: str
    cells: list[str]
    minutes: int | None

    @property
    def hours(self) -> str:
        return "" if self.minutes is None else format_hours(minutes_to_hours(self.minutes))


@dataclass
class Sheet:
    session: Session
    first: datetime.date
    last: datetime.date
    columns: list[SheetColumn]
    rows: list[SheetRow]
    trainers: list[str]
    recorded: bool

    @property
    def wide(self) -> bool:
        # A day (two half-days) fits a portrait page; more columns need its width.
        return len(self.columns) > 2


def _cell_text(slots: list[TimeSlot], entries: dict[int, Attendance]) -> str:
    """What a learner's half-day cell says: blank before anything is recorded (room to sign),
    else each slot's status (with the slot's times when the half-day has several slots)."""
    parts = []
    for slot in slots:
        entry = entries.get(slot.pk)
        if entry is None:
            continue
        label = STATUS_LABELS[entry.status]
        if entry.status == AttendanceStatus.PARTIAL:
            label = f"{label} : {format_minutes(entry.minutes)}"
        if len(slots) > 1:
            label = f"{slot.start_time:%H:%M} {label}"
        parts.append(label)
    return " · ".join(parts)


def sign_in_sheet(session: Session, first: datetime.date, last: datetime.date) -> Sheet:
    """The sheet of the session's slots from `first` to `last` (a day or a week)."""
    slots = list(
        session.time_slots.filter(date__gte=first, date__lte=last).order_by("date", "start_time")
    )
    columns: list[SheetColumn] = []
    for slot in slots:
        for half_day in half_days_of(slot.start_time, slot.end_time):
            column = next(
                (c for c in columns if (c.date, c.half_day) == (slot.date, half_day)), None
            )
            if column is None:
                column = SheetColumn(slot.date, half_day)
                columns.append(column)
            column.slots.append(slot)
    columns.sort(key=lambda c: (c.date, c.half_day != MORNING))
    enrollments = grid_enrollments(session=session)
    entries: dict[int, dict[int, Attendance]] = {}
    for entry in Attendance.objects.filter(slot__in=slots):
        entries.setdefault(entry.enrollment_id, {})[entry.slot_id] = entry
    recorded = bool(entries)
    rows = []
    for enrollment in enrollments:
        own = entries.get(enrollment.pk, {})
        rows.append(
            SheetRow(
                name=f"{enrollment.learner.last_name.upper()} {enrollment.learner.first_name}",
                cells=[_cell_text(column.slots, own) for column in columns],
                minutes=sum(entry.minutes for entry in own.values()) if recorded else None,
            )
        )
    trainers = [
        trainer_name(membership=membership) for membership in session_trainers(session=session)
    ]
    return Sheet(session, first, last, columns, rows, trainers, recorded)


def sign_in_sheet_pdf(sheet: Sheet) -> bytes:
    session = sheet.session
    return render_pdf(
        "attendance/sign_in_sheet.html",
        {"sheet": sheet, "session": session, "organization": session.organization},
        landscape=sheet.wide,
    )


def sign_in_sheet_name(sheet: Sheet) -> str:
    period = f"{sheet.first:%Y-%m-%d}" + (
        f"-au-{sheet.last:%Y-%m-%d}" if sheet.last != sheet.first else ""
    )
    reference = sheet.session.reference or sheet.session.course.title
    return f"emargement-{slug(reference)}-{period}.pdf"


# ---------------------------------------------------------------------------------------------
# Certificate of completion


@dataclass
class Certificate:
    enrollment: Enrollment
    hours: str
    from_attendance: bool
    nature: str


def nature_of(enrollment: Enrollment) -> str:
    """The certificate's box: a skills assessment or a VAE by the course's objective, an
    apprenticeship for an apprentice, a training action otherwise."""
    objective = enrollment.session.course.objective
    if objective == Objective.SKILLS_ASSESSMENT:
        return SKILLS_ASSESSMENT
    if objective == Objective.VAE:
        return VAE
    if enrollment.professional_status == "apprentice":
        return APPRENTICESHIP
    return TRAINING


def certificates(enrollments: list[Enrollment]) -> list[Certificate]:
    hours = followed_hours(enrollments=enrollments)
    return [
        Certificate(
            enrollment=enrollment,
            hours=format_hours(hours[enrollment.pk].hours),
            from_attendance=hours[enrollment.pk].source == FROM_ATTENDANCE,
            nature=nature_of(enrollment),
        )
        for enrollment in enrollments
    ]


def certificates_pdf(session: Session, items: list[Certificate]) -> bytes:
    return render_pdf(
        "attendance/certificate.html",
        {
            "session": session,
            "organization": session.organization,
            "certificates": items,
            "natures": NATURES,
        },
    )


def certificate_name(enrollment: Enrollment) -> str:
    learner = enrollment.learner
    reference = enrollment.session.reference or enrollment.session.course.title
    name = slug(f"{learner.last_name} {learner.first_name}")
    return f"certificat-realisation-{name}-{slug(reference)}.pdf"


def certificates_name(session: Session) -> str:
    return f"certificats-realisation-{slug(session.reference or session.course.title)}.pdf"
