"""Role titles by the person's gender where it is known: « Enseignante », « Administratrice ENT »...

The gender is read from the civility (``User.title``: Mme or M.); without one (students, most imported
accounts) the interface keeps the form it always used, the masculine that French uses as neutral. Roles
that name a service rather than a person (« Vie scolaire », « Direction », « Personnel administratif »)
and epicene ones (« Élève ») do not change. The job title typed for a membership (« Principale adjointe »,
« Conseillère principale d'éducation ») is the person's own words and always wins in the annuaire.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Membership, Role, User

FEMININE: dict[str, str | Promise] = {
    Role.GUARDIAN: _("Responsable légale"),
    Role.TEACHER: _("Enseignante"),
    Role.ESTABLISHMENT_ADMIN: _("Administratrice ENT"),
    Role.REGIONAL_ADMIN: _("Administratrice régionale"),
}


def role_title(role: str, person: User | None) -> str:
    """The name of ``role`` for ``person``: feminine for a woman, the usual (neutral) form otherwise."""
    if person is not None and person.title == User.Title.MME and role in FEMININE:
        return str(FEMININE[role])
    return str(Role(role).label) if role in Role.values else role


def membership_title(membership: Membership, person: User | None = None) -> str:
    """What a membership is called beside the person's name: the job title typed, else the role's title.

    A job title that is only the role's French name (« Administratrice ENT ») is shown as the role's title,
    so that it follows the reader's language like the rest of the page."""
    job_title = membership.job_title.strip()
    if job_title and membership.role in Role.values:
        with translation.override("fr"):
            role_names = {str(Role(membership.role).label), str(FEMININE.get(membership.role) or "")}
        if job_title in role_names:
            job_title = ""
    return job_title or role_title(membership.role, person)
