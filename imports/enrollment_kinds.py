"""Rows naming a session and a learner: what enrollments and allocations have in common, and the
enrollments' own import.

A row names its session by reference, else by course + start date, and its learner by email, else
by last and first names; both must be records of the organisation already (import them first).
An enrollment's fields are the enrollment form's, whatever they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.forms.models import model_to_dict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.columns import CellError, Column, RowErrors, casefold_key, read_date, read_form_value
from imports.importer import CREATED, UNCHANGED, UPDATED, Importer
from imports.kind_columns import enrollment_columns
from imports.matching import Index, course_keys, find_course, learner_keys, one_match, session_keys
from learners.models import Learner
from training import services as training_services
from training.forms import EnrollmentForm
from training.models import Course, Enrollment, Session

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from certeef.models import Organization


class SessionLearnerRows(Importer):
    """Rows naming a session (its reference, or its course and start date) and a learner (their
    email, or last and first names): enrollments and allocations."""

    def __init__(self, organization: Organization, user: User | None = None) -> None:
        super().__init__(organization, user)
        self.sessions = Index(
            Session, Session.objects.filter(organization=organization), session_keys()
        )
        self.courses = Index(
            Course, Course.objects.filter(organization=organization), course_keys()
        )
        self.learners = Index(
            Learner, Learner.objects.filter(organization=organization), learner_keys()
        )

    def find_session(self, values: dict[str, str]) -> Session:
        reference = values.get("session", "").strip()
        if reference:
            found = self.sessions.find("reference", casefold_key(reference))
            shown, column = reference, "session"
        elif values.get("course") and values.get("start_date"):
            course = find_course(self.courses, "course", values["course"])
            start = read_date("start_date", values["start_date"])
            found = self.sessions.find("course_start", (course.pk, start))
            shown, column = f"{values['course']} {values['start_date']}", "start_date"
        else:
            raise CellError(
                "session",
                _("Name the session: its reference, or its course and start date."),
            )
        session = one_match(found, self.sessions, column, _("sessions"), shown)
        if session is None:
            raise CellError(
                column, _("No session of yours matches “%(session)s”.") % {"session": shown}
            )
        return session

    def find_learner(self, values: dict[str, str]) -> Learner:
        email = values.get("email", "").strip()
        if email:
            found = self.learners.find("email", (email.casefold(),))
            shown, column = email, "email"
        elif values.get("last_name") and values.get("first_name"):
            found = self.learners.find(
                "name", casefold_key(values["last_name"], values["first_name"])
            )
            shown, column = f"{values['first_name']} {values['last_name']}", "last_name"
        else:
            raise CellError(
                "email", _("Name the learner: their email, or their last and first names.")
            )
        learner = one_match(found, self.learners, column, _("learners"), shown)
        if learner is None:
            raise CellError(
                column, _("No learner of yours matches “%(learner)s”.") % {"learner": shown}
            )
        return learner

    def key(self, values: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        session = self.find_session(values)
        learner = self.find_learner(values)
        return "session_learner", (session.pk, learner.pk)


class EnrollmentImporter(SessionLearnerRows):
    """One enrollment per row. Its fields are the enrollment form's, whatever they are (hours
    attended, cancellation, the BPF line's override…), each named by its label in either
    language, a choice by its code or label."""

    label = gettext_lazy("Enrollments")
    key_columns = {"session_learner": "session"}

    @classmethod
    def column_list(cls) -> list[Column]:
        return enrollment_columns()

    def apply(self, values: dict[str, str]) -> str:
        session = self.find_session(values)
        learner = self.find_learner(values)
        existing = Enrollment.objects.filter(session=session, learner=learner).first()
        created = existing is None
        enrollment = (
            existing
            if existing is not None
            else training_services.enrollment_create(
                organization=self.organization, session=session, learner=learner
            )
        )
        form = EnrollmentForm(instance=enrollment)
        current = model_to_dict(enrollment, fields=list(form.fields))
        data = {name: "" if current.get(name) is None else current[name] for name in form.fields}
        for name, field in form.fields.items():
            if values.get(name):
                data[name] = read_form_value(field, name, values[name])
        before = model_to_dict(enrollment)
        form = EnrollmentForm(data=data, instance=enrollment)
        if not form.is_valid():
            raise RowErrors(
                [
                    (field, str(message))
                    for field, messages in form.errors.items()
                    for message in messages
                ]
            )
        changed = {name: form.cleaned_data[name] for name in EnrollmentForm.Meta.fields}
        if {name: before.get(name) for name in changed} != {
            name: model_to_dict(form.instance).get(name) for name in changed
        }:
            training_services.enrollment_update(
                organization=self.organization, enrollment=enrollment, **changed
            )
            return CREATED if created else UPDATED
        return CREATED if created else UNCHANGED
