"""EduConnect's attributes, read: who the identity provider says the person is (no database here).

- ``FrEduCtId``: the EduConnect account's own identifier, stable; linked to the Cartable account
  (``ExternalIdentifier`` source EDUCONNECT) at the first sign-in.
- ``FrEduCtRefId``: the identifier in the directory that feeds EduConnect; its ``{AAF}`` value is the AAF
  jointure Cartable's provisioning stored (``ExternalIdentifier`` source AAF).
- ``FrEduVecteur``: ``profile|last name|first name|student id|UAI``, one value per child for a parent.
  Profiles 1 and 2 are a guardian (the student id is then the child's AAF jointure), 3 and 4 a student.
- ``FrEduCtDateNaissance``: the person's date of birth (``YYYY-MM-DD`` or ``DD/MM/YYYY``), when sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

EDUCONNECT_ID = "FrEduCtId"
REFERENCE_ID = "FrEduCtRefId"
VECTOR = "FrEduVecteur"
BIRTH_DATE = "FrEduCtDateNaissance"
AAF_PREFIX = "{AAF}"
GUARDIAN_PROFILES = {"1", "2"}
STUDENT_PROFILES = {"3", "4"}


@dataclass(frozen=True)
class Identity:
    """The EduConnect identity, read from the attributes: its account id, AAF jointure, profile, children."""

    educonnect_id: str
    jointure: str
    profile: str  # "guardian", "student" or "" (no vector Cartable understands)
    children: tuple[str, ...]  # the children's AAF jointures (a guardian)
    birth_date: dt.date | None


def _jointure(values: list[str]) -> str:
    for value in values:
        if value.strip().upper().startswith(AAF_PREFIX):
            return value.strip()[len(AAF_PREFIX) :].strip()
    return ""


def _birth_date(value: str) -> dt.date | None:
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value.strip(), form).date()  # noqa: DTZ007  (a date, no time)
        except ValueError:
            continue
    return None


def identity(attributes: dict[str, list[str]]) -> Identity:
    """The identity the attributes describe (empty fields where an attribute is missing or unreadable)."""
    profiles, children = set(), []
    for vector in attributes.get(VECTOR, []):
        parts = [part.strip() for part in str(vector).split("|")]
        if len(parts) < 4:
            continue
        profiles.add(parts[0])
        if parts[0] in GUARDIAN_PROFILES and parts[3]:
            children.append(parts[3])
    if profiles and profiles <= GUARDIAN_PROFILES:
        profile = "guardian"
    elif profiles and profiles <= STUDENT_PROFILES:
        profile = "student"
    else:
        profile = ""
    birth = (attributes.get(BIRTH_DATE) or [""])[0]
    return Identity(
        educonnect_id=str((attributes.get(EDUCONNECT_ID) or [""])[0]).strip(),
        jointure=_jointure([str(v) for v in attributes.get(REFERENCE_ID, [])]),
        profile=profile,
        children=tuple(dict.fromkeys(children)),
        birth_date=_birth_date(str(birth)) if birth else None,
    )
