"""French names and places for the demo region and the synthetic regions of ``cartable seed``.

Plain lists, so that generated data needs no dependency and stays the same from one run to the next.
"""

from __future__ import annotations

import unicodedata

# fmt: off
GIRLS = [
    "Adèle", "Agathe", "Alice", "Amandine", "Ambre", "Anaïs", "Anna", "Apolline", "Camille", "Capucine",
    "Charlotte", "Chloé", "Clara", "Clémence", "Elsa", "Emma", "Eva", "Fatoumata", "Gabrielle", "Inaya",
    "Inès", "Iris", "Jade", "Jeanne", "Joséphine", "Juliette", "Justine", "Léna", "Léonie", "Lila",
    "Lina", "Lisa", "Lou", "Louise", "Lucie", "Mathilde", "Maëlys", "Manon", "Margaux", "Marie",
    "Maya", "Méline", "Mila", "Nina", "Noémie", "Océane", "Pauline", "Rose", "Salomé", "Sarah",
    "Yasmine", "Zélie",
]
BOYS = [
    "Adam", "Alexandre", "Amir", "Antoine", "Arthur", "Axel", "Baptiste", "Clément", "Ethan", "Enzo",
    "Gabriel", "Hugo", "Ibrahim", "Jules", "Julien", "Kylian", "Léo", "Liam", "Louis", "Lucas",
    "Maël", "Malo", "Martin", "Mathis", "Maxime", "Mohamed", "Nathan", "Noah", "Noé", "Nolan",
    "Oscar", "Paul", "Raphaël", "Rayan", "Romain", "Sacha", "Samuel", "Simon", "Théo", "Timéo",
    "Tom", "Valentin", "Victor", "Yanis",
]
WOMEN = [
    "Amélie", "Anne", "Aurélie", "Caroline", "Catherine", "Céline", "Christelle", "Claire", "Delphine",
    "Élodie", "Émilie", "Fatima", "Hélène", "Isabelle", "Julie", "Karine", "Laetitia", "Laure", "Magali",
    "Malika", "Marion", "Mélanie", "Nathalie", "Nadia", "Patricia", "Sandrine", "Séverine", "Sophie",
    "Stéphanie", "Valérie", "Véronique", "Virginie",
]
MEN = [
    "Alain", "Arnaud", "Benoît", "Bruno", "Cédric", "Christophe", "David", "Didier", "Éric", "Fabrice",
    "Franck", "François", "Frédéric", "Grégory", "Guillaume", "Jérôme", "Karim", "Laurent", "Ludovic",
    "Mathieu", "Mehdi", "Nicolas", "Olivier", "Pascal", "Philippe", "Pierre", "Rachid", "Sébastien",
    "Stéphane", "Thierry", "Vincent", "Xavier", "Yann",
]
LAST_NAMES = [
    "André", "Antoine", "Arnaud", "Aubert", "Barbier", "Baron", "Benali", "Bertin", "Blanc", "Bonnet",
    "Bourgeois", "Boyer", "Brun", "Brunet", "Carpentier", "Caron", "Chevalier", "Clément", "Colin",
    "Collet", "Da Silva", "David", "Denis", "Diallo", "Dubois", "Dufour", "Dumont", "Duval", "Faure",
    "Fernandes", "Fleury", "Fontaine", "Fournier", "François", "Gaillard", "Garnier", "Gauthier", "Gérard",
    "Gilbert", "Giraud", "Guérin", "Guillaume", "Haddad", "Henry", "Hoarau", "Huet", "Jacob", "Joly",
    "Klein", "Lacroix", "Laurent", "Lebrun", "Leclerc", "Lefebvre", "Lefèvre", "Legrand", "Lemaire",
    "Lemoine", "Lucas", "Marchal", "Marchand", "Marie", "Masson", "Mathieu", "Mercier", "Meyer", "Michel",
    "Muller", "Nguyen", "Nicolas", "Noël", "Olivier", "Perrin", "Picard", "Pierre", "Poirier", "Renard",
    "Renaud", "Rey", "Richard", "Rivière", "Robert", "Robin", "Roche", "Rolland", "Rousseau", "Roussel",
    "Roy", "Schmitt", "Schneider", "Simon", "Thomas", "Traoré", "Vidal", "Vincent", "Weber", "Zimmermann",
]

CITIES = {
    "054": ["Nancy", "Lunéville", "Toul", "Pont-à-Mousson", "Vandœuvre-lès-Nancy", "Longwy", "Briey"],
    "055": ["Bar-le-Duc", "Verdun", "Commercy", "Saint-Mihiel"],
    "057": ["Metz", "Thionville", "Forbach", "Sarreguemines", "Sarrebourg", "Hayange", "Creutzwald"],
    "088": ["Épinal", "Saint-Dié-des-Vosges", "Remiremont", "Gérardmer", "Neufchâteau"],
    "067": ["Strasbourg", "Haguenau", "Sélestat", "Saverne", "Obernai"],
    "068": ["Mulhouse", "Colmar", "Guebwiller", "Saint-Louis"],
    "051": ["Reims", "Châlons-en-Champagne", "Épernay", "Vitry-le-François"],
    "010": ["Troyes", "Romilly-sur-Seine", "Bar-sur-Aube"],
    "025": ["Besançon", "Montbéliard", "Pontarlier"],
    "021": ["Dijon", "Beaune", "Montbard"],
}
ACADEMIES = [
    # (code, name, departments)
    ("NANCY-METZ", "Académie de Nancy-Metz", ["054", "055", "057", "088"]),
    ("STRASBOURG", "Académie de Strasbourg", ["067", "068"]),
    ("REIMS", "Académie de Reims", ["051", "010"]),
    ("BESANCON", "Académie de Besançon", ["025"]),
    ("DIJON", "Académie de Dijon", ["021"]),
]
EPONYMS = [
    "Victor Hugo", "Jean Moulin", "Marie Curie", "Jules Verne", "Louise Michel", "Jean Jaurès", "Paul Verlaine",
    "Georges Brassens", "Simone Veil", "Albert Camus", "Émile Zola", "Colette", "Jacques Prévert",
    "Condorcet", "Pierre et Marie Curie", "Lucie Aubrac", "Charles de Gaulle", "Jean de La Fontaine",
    "Claude Monet", "George Sand", "Saint-Exupéry", "Louis Pergaud", "Alfred Mézières", "Robert Schuman",
    "Georges de La Tour", "Jean Lurçat", "Frédéric Chopin", "Olympe de Gouges", "Henri Poincaré",
    "Joséphine Baker", "Jules Ferry", "Camille Claudel", "Montesquieu", "Gaston Bachelard", "Émile Gallé",
]

# fmt: on

_UAI_KEY = "ABCDEFGHJKLMNPRSTUVWXYZ"


def uai_key(digits: str) -> str:
    """The check letter of a UAI: its seven digits modulo 23, in an alphabet without I, O and Q."""
    return _UAI_KEY[int(digits) % 23]


def slug(text: str) -> str:
    """Lower-case ASCII for a login: accents dropped, spaces and apostrophes made hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(ascii_text.lower().replace("'", " ").split())


def login_for(first: str, last: str) -> str:
    """The usual ENT login, ``prenom.nom``."""
    return f"{slug(first)}.{slug(last)}"
