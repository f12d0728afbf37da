"""What each kind of import reads, how it finds the record a row is about, and how it writes it.

Every kind validates a row with the form the interface uses for the same record (so the same
messages, in the user's language), and writes through the same services. A row is matched to an
existing record of the organisation only (another organisation's records are never read):

- learner: email (case ignored) when the row has one, else last name + first name;
- company: SIRET when given, else name;
- course: reference when given, else title;
- session: reference when given, else course + start date.

A row matching more than one record is an error naming them ("ambiguous"), never a guess. A cell
left empty keeps the stored value of an existing record (an import completes records, it does not
blank them); a new record gets the form's default. A row whose values are all those stored is
"unchanged" and not written at all.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.db.models import Model
from django.forms.models import model_to_dict
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from companies.forms import CompanyForm
from companies.models import Company, CompanyKind, Opco
from imports.columns import (
    CellError,
    Column,
    RowErrors,
    casefold_key,
    normalize,
    read_boolean,
    read_choice,
    read_date,
)
from learners.forms import LearnerForm
from learners.models import Learner, ProfessionalStatus
from learners.services import learner_save
from training import services as training_services
from training.forms import CourseForm, EnrollmentForm, SessionForm
from training.models import Course, Delivery, Enrollment, Objective, Session

if TYPE_CHECKING:
    from certeef.models import Organization

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def _digits(text: str) -> str:
    return "".join(text.split())


class Index:
    """An organisation's records of one model, found by a key (several may share one)."""

    def __init__(self, model: type[Model], queryset, keys) -> None:
        self.model = model
        self.field_names = [field.attname for field in model._meta.concrete_fields]
        self.rows: dict[int, tuple] = {}
        self.by_key: dict[str, dict[tuple, list[int]]] = {name: defaultdict(list) for name in keys}
        pk_index = self.field_names.index("id")
        for values in queryset.values_list(*self.field_names):
            pk = values[pk_index]
            self.rows[pk] = values
            record = dict(zip(self.field_names, values, strict=True))
            for name, key_of in keys.items():
                key = key_of(record)
                if key is not None:
                    self.by_key[name][key].append(pk)

    def find(self, name: str, key: tuple) -> list[int]:
        return self.by_key[name].get(key, [])

    def instance(self, pk: int) -> Model:
        return self.model.from_db("default", self.field_names, self.rows[pk])

    def add(self, instance: Model, keys) -> None:
        values = tuple(getattr(instance, name) for name in self.field_names)
        self.rows[instance.pk] = values
        record = dict(zip(self.field_names, values, strict=True))
        for name, key_of in keys.items():
            key = key_of(record)
            if key is not None and instance.pk not in self.by_key[name][key]:
                self.by_key[name][key].append(instance.pk)


class Importer:
    """One kind's rows for one organisation. `key(values)` is the row's identity in the file
    (two rows with the same key are an error); `apply(values)` validates and writes one row and
    says whether it created, updated or left a record unchanged."""

    label: ClassVar[Any] = ""
    columns: ClassVar[list[Column]] = []
    # Whether each row runs in a savepoint, so that a row refused half-way leaves nothing:
    # needed when a row writes more than once; a kind whose row is one save (or none) does
    # without (two statements a row saved).
    row_savepoint: ClassVar[bool] = True

    def __init__(self, organization: Organization, user=None) -> None:
        self.organization = organization
        self.user = user
        self.notices: list[str] = []

    @classmethod
    def column_list(cls) -> list[Column]:
        return cls.columns

    def key(self, values: dict[str, str]) -> tuple[str, tuple]:
        raise NotImplementedError

    def finish(self) -> None:
        """After the last row: write what was kept for a batch."""

    def apply(self, values: dict[str, str]) -> str:
        raise NotImplementedError


class FormImporter(Importer):
    """A kind whose rows are one record each, validated by the interface's form."""

    model: ClassVar[type[Model]]
    form_class: ClassVar[type]
    # Form field → the column its value (and its error) comes from.
    fields: ClassVar[dict[str, str]] = {}
    default_column: ClassVar[str] = ""
    # The key's kind (see `key`) → the column it is read from.
    key_columns: ClassVar[dict[str, str]] = {}

    def form_kwargs(self) -> dict:
        return {}

    def find(self, values: dict[str, str]) -> Model | None:
        raise NotImplementedError

    def form_values(self, values: dict[str, str]) -> dict[str, Any]:
        """The row's values as form data, by form field (only the cells that are not empty)."""
        return {
            field: values[column] for field, column in self.fields.items() if values.get(column)
        }

    def save(self, instance: Model, created: bool) -> None:
        instance.save()

    def remember(self, instance: Model) -> None:
        """A record created by this file: later rows of other kinds may look it up."""

    # New records are written in batches at the end (`finish`) instead of one INSERT a row:
    # for kinds whose save is a plain save (no figures of a session change).
    bulk_create: ClassVar[bool] = False
    BATCH = 1000
    # A row is validated, then saved once (or kept for a batch): nothing to undo on refusal.
    row_savepoint = False

    @classmethod
    def import_form_class(cls) -> type:
        """The interface's form, minus one step: the model's check constraints are left to the
        database (every one of them is also a rule of the form's fields or of its clean(), and
        Django checks them with one query each, a row)."""
        cached = cls.__dict__.get("_import_form_class")
        if cached is None:
            base = cls.form_class

            def clean(self):
                cleaned = base.clean(self)
                self._validate_constraints = False
                return cleaned

            cached = type(f"Import{base.__name__}", (base,), {"clean": clean})
            cls._import_form_class = cached
        return cached

    def apply(self, values: dict[str, str]) -> str:
        instance = self.find(values)
        created = instance is None
        form_class = self.import_form_class()
        names = list(form_class.base_fields)
        # The record's current values (a new one's defaults), then the row's non-empty cells.
        current = model_to_dict(instance if instance is not None else self.model(), fields=names)
        data = {name: "" if current.get(name) is None else current[name] for name in names}
        data.update(self.form_values(values))
        form = self.bound_form(form_class, data, instance)
        if created:
            form.instance.organization = self.organization
        before = model_to_dict(form.instance) if not created else None
        if not form.is_valid():
            errors = []
            for field, messages in form.errors.items():
                column = self.fields.get(field, self.default_column)
                errors.extend((column, message) for message in messages)
            raise RowErrors(errors)
        record = form.save(commit=False)
        if not created and model_to_dict(record) == before:
            return UNCHANGED
        if created and self.bulk_create:
            self.hold(record)
            if len(self.pending) >= self.BATCH:
                self.finish()
            return CREATED
        self.save(record, created)
        self.remember(record)
        return CREATED if created else UPDATED

    def bound_form(self, form_class, data, instance):
        """The form bound to this row. For the kinds whose form does not depend on the record
        (learners, companies), one form is built and bound to each row in turn: Django copies
        every field of a form when it is built, the largest part of the time a row takes."""
        form = self.__dict__.get("_form")
        if not self.bulk_create or form is None:
            form = form_class(data=data, instance=instance, **self.form_kwargs())
            if self.bulk_create:
                self._form = form
            return form
        form.data = data
        form.instance = instance if instance is not None else self.model()
        form._errors = None
        if hasattr(form, "cleaned_data"):
            del form.cleaned_data
        return form

    def hold(self, record: Model) -> None:
        """Keep a new record for the next batch; its keys are taken: a later row of the file
        that would match it is refused (it cannot update a record not written yet)."""
        self.pending.append(record)
        values = {
            field.attname: getattr(record, field.attname)
            for field in self.model._meta.concrete_fields
        }
        for name, key_of in self.index_keys().items():
            key = key_of(values)
            if key is not None:
                self.pending_keys.add((name, key))

    def check_not_pending(self, name: str, key: tuple, column: str) -> None:
        if (name, key) in self.pending_keys:
            raise RowErrors([(column, _("Another line of this file creates this record already."))])

    @classmethod
    def index_keys(cls) -> dict:
        return {}

    @property
    def pending_keys(self) -> set:
        if "_pending_keys" not in self.__dict__:
            self._pending_keys: set = set()
        return self._pending_keys

    @property
    def pending(self) -> list[Model]:
        if "_pending" not in self.__dict__:
            self._pending: list[Model] = []
        return self._pending

    def finish(self) -> None:
        if self.pending:
            self.model.objects.bulk_create(self.pending, batch_size=self.BATCH)
            self.pending.clear()


def _one(found: list[int], index: Index, column: str, what: str, key_text: str) -> Model | None:
    if not found:
        return None
    if len(found) > 1:
        raise RowErrors(
            [
                (
                    column,
                    _("Ambiguous: %(count)s %(what)s match “%(key)s” (#%(ids)s): fix them first.")
                    % {
                        "count": len(found),
                        "what": what,
                        "key": key_text,
                        "ids": ", #".join(str(pk) for pk in sorted(found)),
                    },
                )
            ]
        )
    return index.instance(found[0])


# ---- Companies ----------------------------------------------------------------------------


def company_keys():
    return {
        "siret": lambda record: (record["siret"],) if record["siret"] else None,
        "name": lambda record: casefold_key(record["name"]),
    }


class CompanyImporter(FormImporter):
    label = gettext_lazy("Companies")
    model = Company
    form_class = CompanyForm
    bulk_create = True
    columns = [
        Column(
            "name",
            gettext_lazy("Name"),
            (
                "Nom",
                "Name",
                "Raison sociale",
                "Entreprise",
                "Société",
                "Company",
                "Company name",
                "Nom de l'entreprise",
            ),
            required=True,
        ),
        Column(
            "siret", gettext_lazy("SIRET"), ("SIRET", "N° SIRET", "Numéro SIRET", "SIRET number")
        ),
        Column(
            "kind",
            gettext_lazy("Kind"),
            ("Type", "Kind", "Catégorie", "Type d'entreprise", "Company kind"),
            help=gettext_lazy("Code or label, in English or French"),
        ),
        Column("opco", gettext_lazy("OPCO"), ("OPCO",)),
        Column(
            "billing_address",
            gettext_lazy("Billing address"),
            ("Adresse de facturation", "Billing address", "Adresse", "Address"),
        ),
        Column(
            "billing_email",
            gettext_lazy("Billing email"),
            (
                "Email de facturation",
                "E-mail de facturation",
                "Courriel de facturation",
                "Billing email",
                "Billing e-mail",
                "Email",
                "E-mail",
                "Courriel",
            ),
        ),
    ]
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

    def __init__(self, organization, user=None) -> None:
        super().__init__(organization, user)
        self.index = Index(
            Company, Company.objects.filter(organization=organization), company_keys()
        )

    def key(self, values):
        siret = _digits(values.get("siret", ""))
        if siret:
            return "siret", (siret,)
        return "name", casefold_key(values["name"])

    def find(self, values):
        field, key = self.key(values)
        column = "siret" if field == "siret" else "name"
        found = _one(
            self.index.find(field, key), self.index, column, _("companies"), values[column]
        )
        if found is None:
            self.check_not_pending(field, key, column)
        return found

    @classmethod
    def index_keys(cls):
        return company_keys()

    def form_values(self, values):
        data = super().form_values(values)
        if "kind" in data:
            data["kind"] = read_choice("kind", data["kind"], CompanyKind)
        if "opco" in data:
            data["opco"] = read_choice("opco", data["opco"], Opco)
        return data

    def remember(self, instance):
        self.index.add(instance, company_keys())


# ---- Learners -----------------------------------------------------------------------------


def learner_keys():
    return {
        "email": lambda record: (record["email"].casefold(),) if record["email"] else None,
        "name": lambda record: casefold_key(record["last_name"], record["first_name"]),
    }


LEARNER_NAMES = {
    "last_name": (
        "Nom",
        "Last name",
        "Nom de famille",
        "Surname",
        "Family name",
        "Nom du stagiaire",
        "Nom de l'apprenant",
    ),
    "first_name": (
        "Prénom",
        "First name",
        "Given name",
        "Prénom du stagiaire",
        "Prénom de l'apprenant",
    ),
    "email": (
        "Email",
        "E-mail",
        "Courriel",
        "Mail",
        "Adresse email",
        "Adresse e-mail",
        "Adresse mail",
        "Email address",
    ),
}
LEARNER_COLUMNS = [
    Column("last_name", gettext_lazy("Last name"), LEARNER_NAMES["last_name"], required=True),
    Column("first_name", gettext_lazy("First name"), LEARNER_NAMES["first_name"], required=True),
    Column("email", gettext_lazy("Email"), LEARNER_NAMES["email"]),
]
# A learner named in an enrollment's or an allocation's row: email, else both names.
LEARNER_COLUMNS_OPTIONAL = [
    Column("email", gettext_lazy("Email"), LEARNER_NAMES["email"]),
    Column("last_name", gettext_lazy("Last name"), LEARNER_NAMES["last_name"]),
    Column("first_name", gettext_lazy("First name"), LEARNER_NAMES["first_name"]),
]


class LearnerImporter(FormImporter):
    label = gettext_lazy("Learners")
    model = Learner
    form_class = LearnerForm
    # learner_save is a plain save for a new learner (no enrollment, no session to refresh).
    bulk_create = True
    columns = [
        *LEARNER_COLUMNS,
        Column(
            "phone",
            gettext_lazy("Phone"),
            (
                "Téléphone",
                "Phone",
                "Tél",
                "Tel",
                "Telephone",
                "Portable",
                "Mobile",
                "Phone number",
                "Numéro de téléphone",
            ),
        ),
        Column("address", gettext_lazy("Address"), ("Adresse", "Address", "Adresse postale")),
        Column(
            "professional_status",
            gettext_lazy("Professional status"),
            ("Statut professionnel", "Professional status", "Statut", "Status"),
            help=gettext_lazy("Code or label, in English or French"),
        ),
        Column(
            "employer_siret",
            gettext_lazy("Employer SIRET"),
            (
                "Employeur (SIRET)",
                "Employer SIRET",
                "SIRET employeur",
                "SIRET de l'employeur",
                "Employer (SIRET)",
                "SIRET",
            ),
        ),
    ]
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

    def __init__(self, organization, user=None) -> None:
        super().__init__(organization, user)
        self.index = Index(
            Learner, Learner.objects.filter(organization=organization), learner_keys()
        )
        self.companies = Index(
            Company, Company.objects.filter(organization=organization), company_keys()
        )

    def form_kwargs(self):
        return {"organization": self.organization}

    def key(self, values):
        email = values.get("email", "").strip()
        if email:
            return "email", (email.casefold(),)
        return "name", casefold_key(values["last_name"], values["first_name"])

    def find(self, values):
        field, key = self.key(values)
        column = "email" if field == "email" else "last_name"
        shown = (
            values["email"]
            if field == "email"
            else (f"{values['first_name']} {values['last_name']}")
        )
        found = _one(self.index.find(field, key), self.index, column, _("learners"), shown)
        if found is None:
            self.check_not_pending(field, key, column)
        return found

    @classmethod
    def index_keys(cls):
        return learner_keys()

    def form_values(self, values):
        data = super().form_values(values)
        if "professional_status" in data:
            data["professional_status"] = read_choice(
                "professional_status", data["professional_status"], ProfessionalStatus
            )
        if "employer" in data:
            siret = _digits(data["employer"])
            found = self.companies.find("siret", (siret,))
            company = _one(found, self.companies, "employer_siret", _("companies"), siret)
            if company is None:
                raise CellError(
                    "employer_siret",
                    _("No company of yours has the SIRET %(siret)s: import or create it first.")
                    % {"siret": siret},
                )
            data["employer"] = company.pk
        return data

    def save(self, instance, created):
        learner_save(learner=instance)

    def remember(self, instance):
        self.index.add(instance, learner_keys())


# ---- Courses ------------------------------------------------------------------------------


def course_keys():
    return {
        "reference": lambda record: (
            casefold_key(record["reference"]) if record["reference"] else None
        ),
        "title": lambda record: casefold_key(record["title"]),
    }


class CourseImporter(FormImporter):
    label = gettext_lazy("Courses")
    model = Course
    form_class = CourseForm
    columns = [
        Column(
            "title",
            gettext_lazy("Title"),
            (
                "Intitulé",
                "Titre",
                "Title",
                "Course",
                "Course title",
                "Formation",
                "Intitulé de la formation",
            ),
            required=True,
        ),
        Column(
            "reference",
            gettext_lazy("Reference"),
            ("Référence", "Reference", "Réf", "Ref", "Code", "Course reference"),
        ),
        Column(
            "nsf_code",
            gettext_lazy("NSF code"),
            ("Code NSF", "NSF", "NSF code", "Spécialité NSF", "NSF speciality"),
        ),
        Column(
            "objective",
            gettext_lazy("Objective"),
            ("Objectif", "Objective", "Objectif BPF", "BPF objective"),
            help=gettext_lazy("Code or label, in English or French"),
        ),
        Column(
            "duration_hours",
            gettext_lazy("Duration (hours)"),
            (
                "Durée (heures)",
                "Durée",
                "Duration",
                "Duration (hours)",
                "Heures",
                "Hours",
                "Nombre d'heures",
            ),
            required=True,
        ),
        Column(
            "price",
            gettext_lazy("Price per learner (excl. VAT)"),
            ("Prix", "Price", "Tarif", "Prix HT", "Price per learner", "Prix par stagiaire"),
        ),
    ]
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

    def __init__(self, organization, user=None) -> None:
        super().__init__(organization, user)
        self.index = Index(Course, Course.objects.filter(organization=organization), course_keys())

    def key(self, values):
        reference = values.get("reference", "").strip()
        if reference:
            return "reference", casefold_key(reference)
        return "title", casefold_key(values["title"])

    def find(self, values):
        field, key = self.key(values)
        column = "reference" if field == "reference" else "title"
        return _one(self.index.find(field, key), self.index, column, _("courses"), values[column])

    def form_values(self, values):
        data = super().form_values(values)
        if "objective" in data:
            data["objective"] = read_choice("objective", data["objective"], Objective)
        return data

    def save(self, instance, created):
        training_services.course_save(course=instance)

    def remember(self, instance):
        self.index.add(instance, course_keys())


# ---- Sessions -----------------------------------------------------------------------------


def session_keys():
    return {
        "reference": lambda record: (
            casefold_key(record["reference"]) if record["reference"] else None
        ),
        "course_start": lambda record: (record["course_id"], record["start_date"]),
    }


def find_course(index: Index, column: str, text: str) -> Course:
    """A course named in a cell by its reference, else its title (within the organisation)."""
    key = casefold_key(text)
    found = index.find("reference", key) or index.find("title", key)
    course = _one(found, index, column, _("courses"), text)
    if course is None:
        raise CellError(
            column,
            _("No course of yours has the reference or title “%(course)s”.") % {"course": text},
        )
    return course


class SessionImporter(FormImporter):
    label = gettext_lazy("Sessions")
    model = Session
    form_class = SessionForm
    columns = [
        Column(
            "course",
            gettext_lazy("Course (reference or title)"),
            (
                "Formation",
                "Course",
                "Référence formation",
                "Course reference",
                "Intitulé de la formation",
                "Course title",
                "Intitulé",
            ),
            required=True,
        ),
        Column(
            "reference",
            gettext_lazy("Reference"),
            ("Référence", "Reference", "Référence session", "Session reference", "Réf", "Session"),
        ),
        Column(
            "start_date",
            gettext_lazy("Start date"),
            ("Date de début", "Début", "Start date", "Start", "Du"),
            required=True,
        ),
        Column(
            "end_date",
            gettext_lazy("End date"),
            ("Date de fin", "Fin", "End date", "End", "Au"),
            required=True,
        ),
        Column(
            "hours",
            gettext_lazy("Hours"),
            ("Heures", "Hours", "Durée (heures)", "Durée", "Duration", "Nombre d'heures"),
        ),
        Column("location", gettext_lazy("Location"), ("Lieu", "Location", "Ville", "Place")),
        Column(
            "distance",
            gettext_lazy("At a distance"),
            ("À distance", "Distance", "At a distance", "Remote", "FOAD"),
            help=gettext_lazy("yes/no, oui/non"),
        ),
        Column(
            "delivery",
            gettext_lazy("Delivery"),
            ("Réalisation", "Delivery", "Sous-traitance"),
            help=gettext_lazy("Code or label, in English or French"),
        ),
    ]
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

    def __init__(self, organization, user=None) -> None:
        super().__init__(organization, user)
        self.index = Index(
            Session, Session.objects.filter(organization=organization), session_keys()
        )
        self.courses = Index(
            Course, Course.objects.filter(organization=organization), course_keys()
        )

    def form_kwargs(self):
        return {"organization": self.organization}

    def key(self, values):
        reference = values.get("reference", "").strip()
        if reference:
            return "reference", casefold_key(reference)
        course = find_course(self.courses, "course", values["course"])
        return "course_start", (course.pk, read_date("start_date", values["start_date"]))

    def find(self, values):
        field, key = self.key(values)
        column = "reference" if field == "reference" else "start_date"
        shown = (
            values["reference"]
            if field == "reference"
            else (f"{values['course']} {values['start_date']}")
        )
        return _one(self.index.find(field, key), self.index, column, _("sessions"), shown)

    def form_values(self, values):
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

    def save(self, instance, created):
        training_services.session_save(session=instance)

    def remember(self, instance):
        self.index.add(instance, session_keys())


# ---- Enrollments --------------------------------------------------------------------------


def form_columns(form_class, names) -> list[Column]:
    """Columns for a form's fields, named by their labels in both languages and their code."""
    columns = []
    form = form_class()
    for name in names:
        field = form.fields[name]
        labels = [name]
        for language in ("en", "fr"):
            with translation.override(language):
                labels.append(str(field.label or name))
        columns.append(Column(name, field.label or name, tuple(labels)))
    return columns


def read_form_value(field, column: str, text: str) -> Any:
    """A cell for a form field: yes/no for a checkbox, a code or label for a choice."""
    if isinstance(field, forms.BooleanField):
        return read_boolean(column, text)
    choices = getattr(field, "choices", None)
    if choices and not isinstance(field, forms.ModelChoiceField):
        lookup: dict[str, str] = {}
        for language in ("en", "fr"):
            with translation.override(language):
                for value, label in field.choices:
                    if value not in ("", None):
                        lookup[normalize(str(label))] = value
                        # "a — Private-sector employees": the letter alone too.
                        lookup.setdefault(normalize(str(label).split(" — ")[0]), value)
        for value, _label in field.choices:
            if value not in ("", None):
                lookup[normalize(str(value))] = value
        code = lookup.get(normalize(text))
        if code is None:
            raise CellError(
                column,
                _("“%(value)s” is not one of: %(choices)s.")
                % {
                    "value": text,
                    "choices": ", ".join(str(label) for value, label in field.choices if value),
                },
            )
        return code
    return text


SESSION_REFERENCE = Column(
    "session",
    gettext_lazy("Session reference"),
    ("Référence session", "Session reference", "Session", "Réf session", "Référence de la session"),
)
COURSE_REFERENCE = Column(
    "course",
    gettext_lazy("Course (reference or title)"),
    (
        "Formation",
        "Course",
        "Référence formation",
        "Course reference",
        "Intitulé de la formation",
        "Course title",
    ),
)
START_DATE = Column(
    "start_date", gettext_lazy("Start date"), ("Date de début", "Début", "Start date", "Start")
)


class SessionLearnerRows(Importer):
    """Rows naming a session (its reference, or its course and start date) and a learner (their
    email, or last and first names): enrollments and allocations."""

    def __init__(self, organization, user=None) -> None:
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

    def find_session(self, values) -> Session:
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
        session = _one(found, self.sessions, column, _("sessions"), shown)
        if session is None:
            raise CellError(
                column, _("No session of yours matches “%(session)s”.") % {"session": shown}
            )
        return session

    def find_learner(self, values) -> Learner:
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
        learner = _one(found, self.learners, column, _("learners"), shown)
        if learner is None:
            raise CellError(
                column, _("No learner of yours matches “%(learner)s”.") % {"learner": shown}
            )
        return learner

    def key(self, values):
        session = self.find_session(values)
        learner = self.find_learner(values)
        return "session_learner", (session.pk, learner.pk)


def _enrollment_columns() -> list[Column]:
    return form_columns(EnrollmentForm, EnrollmentForm.Meta.fields)


class EnrollmentImporter(SessionLearnerRows):
    """One enrollment per row. Its fields are the enrollment form's, whatever they are (hours
    attended, cancellation, the BPF line's override…), each named by its label in either
    language, a choice by its code or label."""

    label = gettext_lazy("Enrollments")
    key_columns = {"session_learner": "session"}

    @classmethod
    def column_list(cls) -> list[Column]:
        return [
            SESSION_REFERENCE,
            COURSE_REFERENCE,
            START_DATE,
            *LEARNER_COLUMNS_OPTIONAL,
            *_enrollment_columns(),
        ]

    def apply(self, values):
        session = self.find_session(values)
        learner = self.find_learner(values)
        enrollment = Enrollment.objects.filter(session=session, learner=learner).first()
        created = enrollment is None
        if created:
            enrollment = training_services.enrollment_create(
                organization=self.organization, session=session, learner=learner
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
                    (field, message)
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
