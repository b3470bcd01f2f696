"""The AAF's codes and how they map to the directory (see docs/provisioning.md). The function codes are
data (``FunctionRole``, edited in the admin); the few fixed vocabularies are here."""

from __future__ import annotations

from cartable.directory.models import Establishment, Guardianship

# ENTStructureTypeStruct -> establishment kind.
STRUCTURE_KINDS = {
    "CLG": Establishment.Kind.COLLEGE,
    "COLLEGE": Establishment.Kind.COLLEGE,
    "LYC": Establishment.Kind.LYCEE_GT,
    "LG": Establishment.Kind.LYCEE_GT,
    "LGT": Establishment.Kind.LYCEE_GT,
    "LYCEE GENERAL": Establishment.Kind.LYCEE_GT,
    "LYCEE GENERAL ET TECHNOLOGIQUE": Establishment.Kind.LYCEE_GT,
    "LP": Establishment.Kind.LYCEE_PRO,
    "LYCEE PROFESSIONNEL": Establishment.Kind.LYCEE_PRO,
    "LPO": Establishment.Kind.LYCEE_POLY,
    "LYCEE POLYVALENT": Establishment.Kind.LYCEE_POLY,
    "EREA": Establishment.Kind.EREA,
    "LEGTA": Establishment.Kind.LYCEE_AGRI,
    "LPA": Establishment.Kind.LYCEE_AGRI,
    "LYCEE AGRICOLE": Establishment.Kind.LYCEE_AGRI,
}

# The second field of ENTElevePersRelEleve: the kinship.
KINSHIP = {
    "1": Guardianship.Relationship.FATHER,
    "20": Guardianship.Relationship.FATHER,
    "2": Guardianship.Relationship.MOTHER,
    "10": Guardianship.Relationship.MOTHER,
    "3": Guardianship.Relationship.TUTOR,
    "41": Guardianship.Relationship.TUTOR,
    "50": Guardianship.Relationship.TUTOR,
    "51": Guardianship.Relationship.TUTOR,
}

# personalTitle -> civility.
TITLES = {"M": "m", "M.": "m", "MME": "mme", "MLLE": "mme", "MLE": "mme"}


def ministry(label: str) -> str:
    return Establishment.Ministry.AGRICULTURE if "AGRICULTURE" in label.upper() else Establishment.Ministry.EDUCATION


def job_title(label: str) -> str:
    """A function's label as the directory shows it: « LETTRES MODERNES » -> « Lettres modernes »."""
    label = " ".join(label.split())
    return (label[:1].upper() + label[1:].lower())[:80]
