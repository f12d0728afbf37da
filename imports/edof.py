"""CPF dossiers exported from EDOF (the training organisations' space of Mon Compte Formation).

No public documentation of the export's column headers was found (see the app's README note):
the columns below are Certeef's, each with the names such files are known to use and their
variants, and the mapping screen lets the user pick any other column. The dossier states are
the EDOF states as Wedof (an EDOF-connected tool) lists them, by code or French label
(activepieces/activepieces, packages/pieces/community/wedof/src/lib/common/wedof.ts).

One row is one dossier: the learner is found (email, else last + first name) or created; the
course by its title and the session by course + start date, both created when missing (the
preview says so); the learner enrolled; their individual record created when missing; the CPF
allocation found by its case number or created, then moved to the dossier's status through the
allowed moves. States: accepted, in training, training finished (and service fait declared,
not yet validated) → Approved; service fait validated, or paid → Paid (on the file's payment
date, else the session's end date); refused or cancelled → Rejected; any other → Pending.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.models import FundingStatus
from funding.types import FundingType
from imports.columns import CellError, Column, RowErrors, casefold_key, normalize, read_date
from imports.funding_kinds import AllocationImporter, read_amount
from imports.kind_columns import LEARNER_NAMES
from imports.matching import course_keys, digits, learner_keys, one_match, session_keys
from learners.forms import LearnerForm
from learners.services import learner_save
from training import services as training_services
from training.forms import CourseForm, SessionForm

if TYPE_CHECKING:
    from learners.models import Learner
    from training.models import Session

_APPROVED = {
    "accepte",
    "accepted",
    "en formation",
    "intraining",
    "sortie de formation",
    "terminated",
    "service fait declare",
    "servicedonedeclared",
}
_PAID = {"service fait valide", "servicedonevalidated", "paye", "paid"}
_REJECTED_STARTS = ("refus", "annul", "rejected", "canceled", "cancelled")


def edof_status(state: str) -> str:
    word = normalize(state)
    if word.startswith(_REJECTED_STARTS):
        return FundingStatus.REJECTED
    if word in _PAID:
        return FundingStatus.PAID
    if word in _APPROVED:
        return FundingStatus.APPROVED
    return FundingStatus.PENDING


class EdofImporter(AllocationImporter):
    label = gettext_lazy("CPF dossiers (EDOF export)")
    key_columns = {"case": "cpf_case_number"}
    columns = [
        Column(
            "cpf_case_number",
            gettext_lazy("Dossier number"),
            (
                "N° du dossier de formation",
                "Numéro du dossier de formation",
                "N° du dossier",
                "Numéro du dossier",
                "N° dossier",
                "Numéro de dossier",
                "Dossier",
                "Dossier CPF",
                "Numéro de dossier CPF",
                "Case number",
                "Dossier number",
                "Folder number",
                "externalId",
            ),
            required=True,
        ),
        Column(
            "last_name",
            gettext_lazy("Last name"),
            ("Nom du titulaire", "Nom du stagiaire", *LEARNER_NAMES["last_name"]),
            required=True,
        ),
        Column(
            "first_name",
            gettext_lazy("First name"),
            ("Prénom du titulaire", "Prénom du stagiaire", *LEARNER_NAMES["first_name"]),
            required=True,
        ),
        Column(
            "email",
            gettext_lazy("Email"),
            (
                "Email du titulaire",
                "E-mail du titulaire",
                "Courriel du titulaire",
                *LEARNER_NAMES["email"],
            ),
        ),
        Column(
            "title",
            gettext_lazy("Training title"),
            (
                "Intitulé de la formation",
                "Intitulé formation",
                "Formation",
                "Intitulé",
                "Titre de la formation",
                "Training title",
                "Training",
                "Course title",
                "Course",
            ),
            required=True,
        ),
        Column(
            "start_date",
            gettext_lazy("Session start date"),
            (
                "Date de début de session",
                "Date de début de la session",
                "Début de session",
                "Date de début de formation",
                "Date de début",
                "Début",
                "Session start date",
                "Start date",
            ),
            required=True,
        ),
        Column(
            "end_date",
            gettext_lazy("Session end date"),
            (
                "Date de fin de session",
                "Date de fin de la session",
                "Fin de session",
                "Date de fin de formation",
                "Date de fin",
                "Fin",
                "Session end date",
                "End date",
            ),
            required=True,
        ),
        Column(
            "approved_amount",
            gettext_lazy("Amount"),
            (
                "Montant",
                "Montant du dossier",
                "Prix",
                "Prix de la formation",
                "Montant TTC",
                "Prix TTC",
                "Montant total",
                "Amount",
                "Price",
            ),
            required=True,
        ),
        Column(
            "state",
            gettext_lazy("Dossier state"),
            (
                "Etat du dossier de formation",
                "État du dossier",
                "Etat du dossier",
                "État",
                "Etat",
                "Statut du dossier",
                "Statut",
                "State",
                "Status",
            ),
            required=True,
            help=gettext_lazy("EDOF state, code or French label"),
        ),
        Column(
            "paid_on",
            gettext_lazy("Payment date"),
            ("Date de paiement", "Date du paiement", "Payé le", "Paid on", "Payment date"),
        ),
        Column(
            "hours",
            gettext_lazy("Duration (hours)"),
            ("Durée (heures)", "Durée", "Nombre d'heures", "Duration (hours)", "Hours"),
            help=gettext_lazy("Used only for a course or session created by the import"),
        ),
    ]

    def key(self, values: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        return "case", (digits(values["cpf_case_number"]),)

    # -- found or created

    def learner(self, values: dict[str, str]) -> Learner:
        email = values.get("email", "").strip()
        if email:
            found, column = self.learners.find("email", (email.casefold(),)), "email"
            shown = email
        else:
            found = self.learners.find(
                "name", casefold_key(values["last_name"], values["first_name"])
            )
            column, shown = "last_name", f"{values['first_name']} {values['last_name']}"
        learner = one_match(found, self.learners, column, _("learners"), shown)
        if learner is not None:
            return learner
        form = LearnerForm(
            data={
                "last_name": values["last_name"],
                "first_name": values["first_name"],
                "email": email,
            },
            organization=self.organization,
        )
        if not form.is_valid():
            raise RowErrors(
                [
                    (name, str(message))
                    for name, messages in form.errors.items()
                    for message in messages
                ]
            )
        learner = form.save(commit=False)
        learner.organization = self.organization
        learner_save(learner=learner)
        self.learners.add(learner, learner_keys())
        return learner

    def session(self, values: dict[str, str]) -> Session:
        title = values["title"]
        start = read_date("start_date", values["start_date"])
        end = read_date("end_date", values["end_date"])
        hours = values.get("hours") or "0"
        course = one_match(
            self.courses.find("title", casefold_key(title)),
            self.courses,
            "title",
            _("courses"),
            title,
        )
        if course is None:
            form = CourseForm(data={"title": title, "duration_hours": hours})
            if not form.is_valid():
                raise RowErrors(
                    [
                        ("hours" if name == "duration_hours" else "title", str(message))
                        for name, messages in form.errors.items()
                        for message in messages
                    ]
                )
            course = form.save(commit=False)
            course.organization = self.organization
            training_services.course_save(course=course)
            self.courses.add(course, course_keys())
            self.notices.append(_("The course “%(course)s” will be created.") % {"course": title})
        found = self.sessions.find("course_start", (course.pk, start))
        session = one_match(
            found, self.sessions, "start_date", _("sessions"), f"{title} {values['start_date']}"
        )
        if session is None:
            session_form = SessionForm(
                data={
                    "course": course.pk,
                    "start_date": start,
                    "end_date": end,
                    "hours": values.get("hours", ""),
                    "delivery": "direct",
                },
                organization=self.organization,
            )
            if not session_form.is_valid():
                raise RowErrors(
                    [
                        (
                            {"end_date": "end_date", "hours": "hours"}.get(name, "start_date"),
                            str(message),
                        )
                        for name, messages in session_form.errors.items()
                        for message in messages
                    ]
                )
            session = session_form.save(commit=False)
            session.organization = self.organization
            training_services.session_save(session=session)
            self.sessions.add(session, session_keys())
            self.notices.append(
                _("The session of “%(course)s” from %(start)s to %(end)s will be created.")
                % {
                    "course": title,
                    "start": start.strftime("%d/%m/%Y"),
                    "end": end.strftime("%d/%m/%Y"),
                }
            )
        return session

    def apply(self, values: dict[str, str]) -> str:
        number = digits(values["cpf_case_number"])
        if not number:
            raise CellError("cpf_case_number", _("This field is required."))
        approved = read_amount("approved_amount", values["approved_amount"])
        paid_on = read_date("paid_on", values["paid_on"]) if values.get("paid_on") else None
        status = edof_status(values["state"])
        learner = self.learner(values)
        session = self.session(values)
        return self.write(
            {**values, "cpf_case_number": number},
            funding_type=FundingType.CPF,
            session=session,
            learner=learner,
            company=None,
            approved=approved,
            requested=None,
            status=status,
            paid_on=paid_on,
            enrol=True,
        )
