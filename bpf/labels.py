"""Every French label of the BPF (Cerfa 10443), in one place, with the *16 variants.

The labels are printed exactly as on the form: the administrator copies figures line by line into
the ministry's site and must recognise each line. They are not translated.
"""

from __future__ import annotations

FORM_17 = "10443*17"
FORM_16 = "10443*16"


def form_version(fiscal_year: int) -> str:
    """*17 for fiscal years that end in 2023 or later, *16 before."""
    return FORM_17 if fiscal_year >= 2023 else FORM_16


SECTION_TITLES: dict[str, str] = {
    "A": "IDENTIFICATION DE L'ORGANISME DE FORMATION",
    "B": "INFORMATIONS GÉNÉRALES",
    "C": "BILAN FINANCIER HORS TAXES : ORIGINE DES PRODUITS DE L'ORGANISME",
    "D": "BILAN FINANCIER HORS TAXES : CHARGES DE L'ORGANISME",
    "E": "PERSONNES DISPENSANT DES HEURES DE FORMATION",
    "F": (
        "BILAN PÉDAGOGIQUE : STAGIAIRES BÉNÉFICIANT D'UNE FORMATION DISPENSÉE PAR L'ORGANISME ET "
        "APPRENTIS EN FORMATION"
    ),
    "F1": "TYPE DE STAGIAIRES DE L'ORGANISME",
    "F2": "DONT ACTIVITÉ SOUS-TRAITÉE DE L'ORGANISME",
    "F3": "OBJECTIF GÉNÉRAL DES PRESTATIONS DISPENSÉES",
    "F4": "SPÉCIALITÉS DE FORMATION",
    "G": (
        "STAGIAIRES DONT LA FORMATION A ÉTÉ CONFIÉE A VOTRE ORGANISME PAR UN AUTRE ORGANISME "
        "DE FORMATION"
    ),
    "H": "PERSONNE AYANT LA QUALITÉ DE DIRIGEANT",
}
# Section titles that differ on the *16 form.
SECTION_TITLES_16: dict[str, str] = {
    "B": "CARACTÉRISTIQUES DE L'ORGANISME",
}


def section_titles(form: str) -> dict[str, str]:
    """The section titles of a form version (*16 keeps its own section B title)."""
    if form == FORM_16:
        return {**SECTION_TITLES, **SECTION_TITLES_16}
    return SECTION_TITLES


IDENTITY_LABELS: dict[str, str] = {
    "nda": "Numéro de déclaration d'activité",
    "siret": "Numéro de SIRET",
    "naf_code": "Code NAF",
    "legal_form": "Forme juridique",
    "name": "Dénomination",
    "address": "Adresse",
    "phone": "Téléphone",
    "email": "Courriel",
}
ADDRESS_PUBLIC_QUESTION = "Acceptez-vous que cette adresse soit rendue publique"
YES, NO = "Oui", "Non"

FISCAL_YEAR_LABEL = "Exercice comptable"
DISTANCE_QUESTION = (
    "Avez-vous mis en œuvre, durant cette période, une ou des actions de formation en tout ou "
    "partie à distance"
)

C_HEAD = "Produits provenant :"
C_OPCO_HEAD = (
    "- des organismes gestionnaires des fonds de la formation professionnelle pour des actions "
    "dispensées dans le cadre :"
)
C_PUBLIC_HEAD = "- des pouvoirs publics pour la formation de publics spécifiques :"

# Section C lines in form order. Sub-lines a–h sit under C_OPCO_HEAD, 4–8 under C_PUBLIC_HEAD.
C_LABELS: dict[str, str] = {
    "1": "- des entreprises pour la formation de leurs salariés",
    "a": "des contrats d'apprentissage",
    "b": "des contrats de professionnalisation",
    "c": "de la promotion ou de la reconversion par alternance",
    "d": "des projets de transition professionnelle",
    "e": "du compte personnel de formation",
    "f": "des dispositifs spécifiques pour les personnes en recherche d'emploi",
    "g": "des dispositifs spécifiques pour les travailleurs non-salariés",
    "h": "du plan de développement des compétences ou d'autres dispositifs",
    "2": (
        "Total des produits provenant des organismes gestionnaires des fonds de la formation "
        "(total des lignes a à h)"
    ),
    "3": (
        "- des pouvoirs publics pour la formation de leurs agents (Etat, collectivités "
        "territoriales, établissements publics à caractère administratif)"
    ),
    "4": "Instances européennes",
    "5": "État",
    "6": "Conseils régionaux",
    "7": "France travail (ex Pôle emploi)",
    "8": "Autres ressources publiques",
    "9": "- de contrats conclus avec des personnes à titre individuel et à leurs frais",
    "10": "- de contrats conclus avec d'autres organismes de formation (y compris CFA)",
    "11": "Autres produits au titre de la formation professionnelle",
    "total": (
        "TOTAL DES PRODUITS RÉALISÉS AU TITRE DE LA FORMATION PROFESSIONNELLE "
        "(total des lignes 1 à 11)"
    ),
}
C_LABELS_16: dict[str, str] = {
    "d": "des congés individuels de formation et des projets de transition professionnelle",
    "7": "Pôle emploi",
}
C_OPCO_LINES = ("a", "b", "c", "d", "e", "f", "g", "h")
C_PUBLIC_LINES = ("4", "5", "6", "7", "8")

TURNOVER_LABEL = (
    "Part du chiffre d'affaires global réalisée dans le domaine de la formation professionnelle "
    "(en %)"
)

D_LABELS: dict[str, str] = {
    "total_costs": "Total des charges de l'organisme liées à l'activité de formation",
    "trainer_salaries": "- dont Salaires des formateurs",
    "training_purchases": "- dont Achats de prestation de formation et honoraires de formation",
}

E_LABELS: dict[str, str] = {
    "own": "Personnes de votre organisme dispensant des heures de formation",
    "external": (
        "Personnes extérieures à votre organisme dispensant des heures de formation dans le "
        "cadre de contrats de sous-traitance"
    ),
}
E_COLUMNS = ("Nombre", "Nombre d'heures de formation dispensées")

F_COLUMNS = (
    "Nombre de stagiaires ou d'apprentis",
    "Nombre total d'heures de formation suivies par les stagiaires et les apprentis",
)

F1_LABELS: dict[str, str] = {
    "a": "Salariés d'employeurs privés hors apprentis",
    "b": "Apprentis",
    "c": "Personnes en recherche d'emploi formées par votre organisme de formation",
    "d": "Particuliers à leurs propres frais formés par votre organisme de formation",
    "e": "Autres stagiaires",
    "unclassified": "Non classés (à corriger avant de déclarer : la ligne n'existe pas sur le "
    "formulaire)",
    "total": "TOTAL (a + b + c + d + e)",
}
F1_DISTANCE_16 = "dont stagiaires et apprentis ayant suivi une action en tout ou partie à distance"

F2_LABEL = (
    "Stagiaires ou apprentis dont l'action a été confiée par votre organisme à un autre organisme"
)

F3_LABELS: dict[str, str] = {
    "a": (
        "Formations visant un diplôme, un titre à finalité professionnelle ou un certificat de "
        "qualification professionnelle enregistré au Répertoire national des certifications "
        "professionnelles (RNCP)"
    ),
    "a_6_8": "- dont de niveau 6 à 8 (Licence, Master, diplôme d'ingénieur, Doctorat…)",
    "a_5": "- dont de niveau 5 (BTS, DUT, écoles de formation sanitaire et sociale …)",
    "a_4": "- dont de niveau 4 (BAC professionnel, BT, BP, BM…)",
    "a_3": "- dont de niveau 3 (BEP, CAP…)",
    "a_2": "- dont de niveau 2",
    "a_cqp": (
        "- dont certificat de qualification professionnelle (CQP) sans niveau de qualification"
    ),
    "b": (
        "Formations visant une certification (dont CQP) ou une habilitation enregistrée au "
        "répertoire spécifique (RS)"
    ),
    "c": "Formations visant un CQP non enregistré au RNCP ou au RS",
    "d": "Autres formations professionnelles",
    "e": "Bilans de compétence",
    "f": "Actions d'accompagnement à la validation des acquis de l'expérience",
    "unclassified": "Sans objectif renseigné (à corriger avant de déclarer)",
    "total": "TOTAL (a + b + c + d + e + f)",
}
F3_A_SUBLINES = ("a_6_8", "a_5", "a_4", "a_3", "a_2", "a_cqp")

F4_OTHER_LABEL = "Autres spécialités"
F4_UNCLASSIFIED_LABEL = "Sans spécialité renseignée (à corriger avant de déclarer)"
F4_TOTAL_LABEL = "TOTAL"

G_LABEL = "Formations confiées à votre organisme par un autre organisme de formation"

H_LABELS: dict[str, str] = {
    "signatory_name": "Nom et prénom",
    "signatory_title": "Qualité",
    # Where and when it is signed: « Fait à …, le … », as a peer's printout of the *17 form's
    # section H gives it (QalioFlex's BPF print); not yet checked against the official PDF.
    "signature_place": "Fait à",
    "signature_date": "Le",
}

# The form's total line numbers, as printed beside F-1, F-3 and F-4 totals.
TOTAL_CODES = {"F1": "(1)", "F3": "(3)", "F4": "(4)"}


def export_label(label: str) -> str:
    """A label as the exports write it: the form's text without its leading "- " (the code
    column carries the structure), so that no spreadsheet reads it as a formula."""
    return label.removeprefix("- ")


def c_label(code: str, form: str) -> str:
    if form == FORM_16 and code in C_LABELS_16:
        return C_LABELS_16[code]
    return C_LABELS[code]
