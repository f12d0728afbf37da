"""The columns each kind of import reads, and the names people give them in both languages.

A column is named as files name it: "Nom", "Last name", "Nom de famille"… (compared without case,
accents or punctuation, see `columns.normalize`). The kinds (`kinds.py`, `funding_kinds.py`,
`edof.py`) say what they do with each column; this is only what a file may call it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from imports.columns import Column, form_columns
from training.forms import EnrollmentForm

COMPANY_COLUMNS = [
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
    Column("siret", gettext_lazy("SIRET"), ("SIRET", "N° SIRET", "Numéro SIRET", "SIRET number")),
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
LEARNER_NAME_COLUMNS = [
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


# A learner's own row: their names and email, then their details.
LEARNER_COLUMNS = [
    *LEARNER_NAME_COLUMNS,
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


COURSE_COLUMNS = [
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


SESSION_COLUMNS = [
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


# A session named in an enrollment's or an allocation's row: its reference, else its course and
# start date.
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
# The first columns of an enrollment's or an allocation's row.
SESSION_LEARNER_COLUMNS = [
    SESSION_REFERENCE,
    COURSE_REFERENCE,
    START_DATE,
    *LEARNER_COLUMNS_OPTIONAL,
]


def enrollment_columns() -> list[Column]:
    """An enrollment's row: the session, the learner, then the enrollment form's fields, whatever
    they are (built when asked: the labels are the form's)."""
    return [*SESSION_LEARNER_COLUMNS, *form_columns(EnrollmentForm, EnrollmentForm.Meta.fields)]
