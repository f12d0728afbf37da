"""The kinds of import of one record a row: companies, learners, courses, sessions.

Each kind says how a row finds its record (`matching.py`: an existing record of the organisation
only, another organisation's are never read) and how it is written, through the services the
interface uses:

- learner: email (case ignored) when the row has one, else last name + first name;
- company: SIRET when given, else name;
- course: reference when given, else title;
- session: reference when given, else course + start date.

The columns each reads are in `kind_columns.py`; validating and writing a row in `importer.py`;
enrollments, whose rows name a session and a learner, in `enrollment_kinds.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.forms import CompanyForm
from companies.models import Company, CompanyKind, Opco
from companies.services import company_save
from imports.columns import CellError, casefold_key, read_boolean, read_choice, read_date
from imports.importer import FormImporter
from imports.kind_columns import COMPANY_COLUMNS, COURSE_COLUMNS, LEARNER_COLUMNS, SESSION_COLUMNS
from imports.matching import (
    Index,
    Keys,
    company_keys,
    course_keys,
    digits,
    find_course,
    learner_keys,
    one_match,
    session_keys,
)
from learners.forms import LearnerForm
from learners.models import Learner, ProfessionalStatus
from learners.services import learner_save
from training import services as training_services
from training.forms import CourseForm, SessionForm
from training.models import Course, Delivery, Objective, Session

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from certeef.models import Organization


class CompanyImporter(FormImporter[Company]):
    label = gettext_lazy("Companies")
    model = Company
    form_class = CompanyForm
    # company_save is a plain save (no session to refresh): new companies are written in bulk.
    bulk_create = True
    columns = COMPANY_COLUMNS
    fields = {
        "name": "name",
        "siret": "siret",
        "kind": "kind",
        "opco": "opco",
        "billing_address": "billing_address",
        "billing_email": "billing_email",
    }
    default_column = "name"
    key_columns = {"siret": "siret", "name": "name"}

    def __init__(self, organization: Organization, user: User | None = None) -> None:
        super().__init__(organization, user)
        self.index = Index(
            Company, Company.objects.filter(organization=organization), company_keys()
        )

    def key(self, values: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        siret = digits(values.get("siret", ""))
        if siret:
            return "siret", (siret,)
        return "name", casefold_key(values["name"])

    def find(self, values: dict[str, str]) -> Company | None:
        field, key = self.key(values)
        column = "siret" if field == "siret" else "name"
        found = one_match(
            self.index.find(field, key), self.index, column, _("companies"), values[column]
        )
        if found is None:
            self.check_not_pending(field, key, column)
        return found

    @classmethod
    def index_keys(cls) -> Keys:
        return company_keys()

    def form_values(self, values: dict[str, str]) -> dict[str, Any]:
        data = super().form_values(values)
        if "kind" in data:
            data["kind"] = read_choice("kind", data["kind"], CompanyKind)
        if "opco" in data:
            data["opco"] = read_choice("opco", data["opco"], Opco)
        return data

    def save(self, instance: Company, created: bool) -> None:
        company_save(company=instance)

    def remember(self, instance: Company) -> None:
        self.index.add(instance, company_keys())


class LearnerImporter(FormImporter[Learner]):
    label = gettext_lazy("Learners")
    model = Learner
    form_class = LearnerForm
    # learner_save is a plain save for a new learner (no enrollment, no session to refresh).
    bulk_create = True
    columns = LEARNER_COLUMNS
    fields = {
        "first_name": "first_name",
        "last_name": "last_name",
        "email": "email",
        "phone": "phone",
        "address": "address",
        "professional_status": "professional_status",
        "employer": "employer_siret",
    }
    default_column = "last_name"
    key_columns = {"email": "email", "name": "last_name"}

    def __init__(self, organization: Organization, user: User | None = None) -> None:
        super().__init__(organization, user)
        self.index = Index(
            Learner, Learner.objects.filter(organization=organization), learner_keys()
        )
        self.companies = Index(
            Company, Company.objects.filter(organization=organization), company_keys()
        )

    def form_kwargs(self) -> dict[str, Any]:
        return {"organization": self.organization}

    def key(self, values: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        email = values.get("email", "").strip()
        if email:
            return "email", (email.casefold(),)
        return "name", casefold_key(values["last_name"], values["first_name"])

    def find(self, values: dict[str, str]) -> Learner | None:
        field, key = self.key(values)
        column = "email" if field == "email" else "last_name"
        shown = (
            values["email"]
            if field == "email"
            else (f"{values['first_name']} {values['last_name']}")
        )
        found = one_match(self.index.find(field, key), self.index, column, _("learners"), shown)
        if found is None:
            self.check_not_pending(field, key, column)
        return found

    @classmethod
    def index_keys(cls) -> Keys:
        return learner_keys()

    def form_values(self, values: dict[str, str]) -> dict[str, Any]:
        data = super().form_values(values)
        if "professional_status" in data:
            data["professional_status"] = read_choice(
                "professional_status", data["professional_status"], ProfessionalStatus
            )
        if "employer" in data:
            siret = digits(data["employer"])
            found = self.companies.find("siret", (siret,))
            company = one_match(found, self.companies, "employer_siret", _("companies"), siret)
            if company is None:
                raise CellError(
                    "employer_siret",
                    _("No company of yours has the SIRET %(siret)s: import or create it first.")
                    % {"siret": siret},
                )
            data["employer"] = company.pk
        return data

    def save(self, instance: Learner, created: bool) -> None:
        learner_save(learner=instance)

    def remember(self, instance: Learner) -> None:
        self.index.add(instance, learner_keys())


class CourseImporter(FormImporter[Course]):
    label = gettext_lazy("Courses")
    model = Course
    form_class = CourseForm
    columns = COURSE_COLUMNS
    fields = {
        "title": "title",
        "reference": "reference",
        "nsf_code": "nsf_code",
        "objective": "objective",
        "duration_hours": "duration_hours",
        "price": "price",
    }
    default_column = "title"
    key_columns = {"reference": "reference", "title": "title"}

    def __init__(self, organization: Organization, user: User | None = None) -> None:
        super().__init__(organization, user)
        self.index = Index(Course, Course.objects.filter(organization=organization), course_keys())

    def key(self, values: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        reference = values.get("reference", "").strip()
        if reference:
            return "reference", casefold_key(reference)
        return "title", casefold_key(values["title"])

    def find(self, values: dict[str, str]) -> Course | None:
        field, key = self.key(values)
        column = "reference" if field == "reference" else "title"
        return one_match(
            self.index.find(field, key), self.index, column, _("courses"), values[column]
        )

    def form_values(self, values: dict[str, str]) -> dict[str, Any]:
        data = super().form_values(values)
        if "objective" in data:
            data["objective"] = read_choice("objective", data["objective"], Objective)
        return data

    def save(self, instance: Course, created: bool) -> None:
        training_services.course_save(course=instance)

    def remember(self, instance: Course) -> None:
        self.index.add(instance, course_keys())


class SessionImporter(FormImporter[Session]):
    label = gettext_lazy("Sessions")
    model = Session
    form_class = SessionForm
    columns = SESSION_COLUMNS
    fields = {
        "course": "course",
        "reference": "reference",
        "start_date": "start_date",
        "end_date": "end_date",
        "hours": "hours",
        "location": "location",
        "distance": "distance",
        "delivery": "delivery",
    }
    default_column = "start_date"
    key_columns = {"reference": "reference", "course_start": "start_date"}

    def __init__(self, organization: Organization, user: User | None = None) -> None:
        super().__init__(organization, user)
        self.index = Index(
            Session, Session.objects.filter(organization=organization), session_keys()
        )
        self.courses = Index(
            Course, Course.objects.filter(organization=organization), course_keys()
        )

    def form_kwargs(self) -> dict[str, Any]:
        return {"organization": self.organization}

    def key(self, values: dict[str, str]) -> tuple[str, tuple[Any, ...]]:
        reference = values.get("reference", "").strip()
        if reference:
            return "reference", casefold_key(reference)
        course = find_course(self.courses, "course", values["course"])
        return "course_start", (course.pk, read_date("start_date", values["start_date"]))

    def find(self, values: dict[str, str]) -> Session | None:
        field, key = self.key(values)
        column = "reference" if field == "reference" else "start_date"
        shown = (
            values["reference"]
            if field == "reference"
            else (f"{values['course']} {values['start_date']}")
        )
        return one_match(self.index.find(field, key), self.index, column, _("sessions"), shown)

    def form_values(self, values: dict[str, str]) -> dict[str, Any]:
        data = super().form_values(values)
        if "course" in data:
            data["course"] = find_course(self.courses, "course", data["course"]).pk
        for name in ("start_date", "end_date"):
            if name in data:
                data[name] = read_date(name, data[name])
        if "distance" in data:
            data["distance"] = read_boolean("distance", data["distance"])
        if "delivery" in data:
            data["delivery"] = read_choice("delivery", data["delivery"], Delivery)
        return data

    def save(self, instance: Session, created: bool) -> None:
        training_services.session_save(session=instance)

    def remember(self, instance: Session) -> None:
        self.index.add(instance, session_keys())
