"""French-looking identities for demo and benchmark data: names, places, valid SIRETs.

Everything here is fictional; the identifiers only have the right shape and check digit.
"""

from __future__ import annotations

import random
import unicodedata

from certeef.validators import luhn_is_valid

# fmt: off
FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Jade", "Louise", "Sarah", "Julie",
    "Lucie", "Anaïs", "Mélanie", "Aurélie", "Sandrine", "Nathalie", "Isabelle", "Céline",
    "Élodie", "Fatou", "Amandine", "Claire", "Hélène", "Christine", "Patricia", "Laura",
    "Gaëlle", "Cécile", "Nadia", "Yasmine", "Margaux", "Pauline", "Marion", "Sophie",
    "Lucas", "Hugo", "Théo", "Nathan", "Louis", "Maxime", "Thomas", "Nicolas", "Julien",
    "Karim", "Mehdi", "Yanis", "Romain", "Kevin", "Jordan", "Sébastien", "Olivier",
    "Stéphane", "Vincent", "Jérôme", "Paul", "Mathis", "Damien", "Florian", "Antoine",
    "Alexandre", "Guillaume", "Adrien", "Benoît", "Cédric", "Franck", "Moussa", "Samir",
)

LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
    "Moreau", "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand",
    "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau",
    "Vincent", "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin",
    "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin",
    "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier",
    "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer",
    "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas",
    "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard",
    "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre",
    "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois",
    "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume",
    "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier",
    "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Perez",
    "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier", "Marty",
    "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard", "Maillard",
    "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet",
    "Léger", "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel", "Le Roux",
    "Cousin", "Germain", "Breton", "Besson", "Langlois", "Rémy", "Le Goff", "Pelletier",
    "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber", "Mallet",
    "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard", "Gillet",
    "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin", "Da Silva",
    "Bouchet", "Gay", "Lemaître", "Bénard", "Maréchal", "Humbert", "Reynaud", "Antoine",
    "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon", "Lejeune", "Gilbert", "Lamy",
    "Delaunay", "Pasquier", "Carlier", "Laporte", "Benali", "Diallo", "Haddad", "Saidi",
)

# (postal code, town)
TOWNS = (
    ("69001", "Lyon"), ("69003", "Lyon"), ("69007", "Lyon"), ("69100", "Villeurbanne"),
    ("69200", "Vénissieux"), ("69800", "Saint-Priest"), ("69500", "Bron"),
    ("38000", "Grenoble"), ("42000", "Saint-Étienne"), ("73000", "Chambéry"),
    ("01000", "Bourg-en-Bresse"), ("26000", "Valence"), ("63000", "Clermont-Ferrand"),
    ("44000", "Nantes"), ("35000", "Rennes"), ("33000", "Bordeaux"), ("31000", "Toulouse"),
    ("13001", "Marseille"), ("06000", "Nice"), ("67000", "Strasbourg"), ("59000", "Lille"),
    ("75011", "Paris"), ("75015", "Paris"), ("92100", "Boulogne-Billancourt"),
    ("34000", "Montpellier"), ("21000", "Dijon"), ("37000", "Tours"), ("49000", "Angers"),
)

STREETS = (
    "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Gambetta",
    "rue Pasteur", "place Bellecour", "rue du Président Édouard Herriot", "cours Lafayette",
    "rue de la Part-Dieu", "avenue des Frères Lumière", "rue Garibaldi", "quai Saint-Vincent",
    "chemin des Vignes", "rue des Tanneurs", "allée des Tilleuls", "rue de la Gare",
)
# fmt: on


def complete_siret(first_thirteen_digits: str) -> str:
    """The 14-digit SIRET whose last digit makes the Luhn check pass."""
    for check_digit in "0123456789":
        candidate = first_thirteen_digits + check_digit
        if luhn_is_valid(candidate):
            return candidate
    raise AssertionError("unreachable: one digit always completes a Luhn number")


def random_siret(rng: random.Random) -> str:
    # SIRENs start at 1 (those starting with 356000000 follow La Poste's own rule: avoided).
    siren = str(rng.randrange(300_000_000, 999_999_999))
    if siren.startswith("356000000"):
        siren = "357" + siren[3:]
    return complete_siret(f"{siren}{rng.randrange(1, 9999):04d}")


def email_local_part(*words: str) -> str:
    """'Hélène', 'Le Goff' → 'helene.le-goff' (addresses stay ASCII)."""
    ascii_words = (
        unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
        for word in words
    )
    return ".".join(word.replace(" ", "-").replace("'", "") for word in ascii_words)


def random_mobile(rng: random.Random) -> str:
    return f"0{rng.choice('67')} " + " ".join(f"{rng.randrange(100):02d}" for _ in range(4))


def random_address(rng: random.Random) -> tuple[str, str, str]:
    postal_code, town = rng.choice(TOWNS)
    return f"{rng.randrange(1, 180)} {rng.choice(STREETS)}", postal_code, town
