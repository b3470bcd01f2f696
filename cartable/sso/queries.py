"""Reads of the services pages, the CAS server and EduConnect: tiles, managed services, usage, attribute
profiles, the person an EduConnect identity is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    Enrolment,
    Establishment,
    ExternalIdentifier,
    Membership,
    Role,
    TeachingAssignment,
    User,
)
from cartable.sso import matching
from cartable.sso.educonnect import Identity
from cartable.sso.models import Launch, SamlRequest, Service, SignedInService, Ticket
from cartable.sso.policies import audience_q, managed_q

# The SDET's national profiles (ENTPersonProfils) of Cartable's roles.
SDET_PROFILES = {
    Role.STUDENT: "National_ELV",
    Role.GUARDIAN: "National_TUT",
    Role.TEACHER: "National_ENS",
    Role.EDUCATION: "National_EVS",
    Role.ADMINISTRATIVE: "National_ETA",
    Role.DIRECTION: "National_DIR",
    Role.ESTABLISHMENT_ADMIN: "National_ETA",
    Role.REGIONAL_ADMIN: "National_COL",
}
USAGE_DAYS = 31
# The OpenID Connect claims (scope ``ent``) of the CAS « Scolarité » attributes.
ENT_CLAIMS = {
    "ENTPersonProfils": "ent_profils",
    "ENTPersonStructRattachRNE": "ent_etablissements",
    "ENTEleveClasses": "ent_classes",
    "ENTAuxEnsClasses": "ent_classes_enseignees",
    "ENTPersonJointure": "ent_jointure",
}


def tiles(actor: Actor) -> list[Service]:
    """The enabled services open to the actor, by name (one query)."""
    if not actor.is_authenticated:
        return []
    return list(Service.objects.filter(audience_q(actor)).order_by("name", "id"))


def managed_services(actor: Actor) -> list[Service]:
    """The services the actor registers and changes, with their establishment (one query)."""
    if not actor.is_authenticated:
        return []
    return list(Service.objects.filter(managed_q(actor)).select_related("establishment").order_by("name", "id"))


def cas_service_for(service_url: str) -> Service | None:
    """The enabled CAS service one of whose addresses covers ``service_url`` (one query)."""
    if not service_url or not matching.is_web_url(service_url):
        return None
    for service in Service.objects.filter(kind=Service.Kind.CAS, enabled=True).order_by("id"):
        if matching.first_match(service.address_list, service_url):
            return service
    return None


@dataclass(frozen=True)
class UsageRow:
    service: str
    day: dt.date
    role: str
    establishment: str
    launches: int


def usage(actor: Actor, *, days: int = USAGE_DAYS) -> list[UsageRow]:
    """Launches of the services the actor manages, per service, day, role and establishment (one query)."""
    if not actor.is_authenticated:
        return []
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    managed = Service.objects.filter(managed_q(actor)).values("pk")
    rows = (
        Launch.objects.filter(service__in=managed, day__gte=since)
        .values("service__name", "day", "role", "establishment__name")
        .annotate(n=Count("id"))
        .order_by("-day", "service__name", "role", "establishment__name")
    )
    labels = dict(Role.choices)
    return [
        UsageRow(
            service=r["service__name"],
            day=r["day"],
            role=str(labels.get(r["role"], r["role"])),
            establishment=r["establishment__name"] or "",
            launches=r["n"],
        )
        for r in rows
    ]


def _classes(rows: Iterable[Enrolment | TeachingAssignment]) -> list[str]:
    found = []
    for row in rows:
        if row.school_class is not None:
            found.append(f"{row.school_class.establishment.uai}${row.school_class.name}")
    return sorted(set(found))


def cas_attributes(user: User, service: Service) -> dict[str, list[str]]:
    """The attributes the service's profile releases, under the ENT names of the SDET, each a list.

    ``uid`` alone costs nothing; the identity adds one query (memberships), the school profile three
    more (classes attended, classes taught, the AAF jointure): a constant price whatever the data.
    """
    attributes: dict[str, list[str]] = {"uid": [user.username.lower()]}
    if service.profile == Service.Profile.UID:
        return attributes
    memberships = list(current(Membership.objects.filter(person=user)).select_related("establishment"))
    attributes["sn"] = [user.last_name] if user.last_name else []
    attributes["givenName"] = [user.first_name] if user.first_name else []
    attributes["mail"] = [user.email] if user.email else []
    attributes["ENTPersonProfils"] = sorted({SDET_PROFILES[m.role] for m in memberships if m.role in SDET_PROFILES})
    attributes["ENTPersonStructRattachRNE"] = sorted({m.establishment.uai for m in memberships if m.establishment})
    if service.profile == Service.Profile.SCHOOL:
        related = ("school_class__establishment",)
        attributes["ENTEleveClasses"] = _classes(
            current(Enrolment.objects.filter(student=user)).select_related(*related)
        )
        attributes["ENTAuxEnsClasses"] = _classes(
            current(TeachingAssignment.objects.filter(teacher=user)).select_related(*related)
        )
        jointure = ExternalIdentifier.objects.filter(person=user, source=ExternalIdentifier.Source.AAF)
        attributes["ENTPersonJointure"] = [f"AAF${value}" for value in jointure.values_list("value", flat=True)]
    return {name: values for name, values in attributes.items() if values}


def service_queryset() -> QuerySet[Service]:
    return Service.objects.select_related("establishment")


def proxy_granting_ticket(digest: str) -> Ticket | None:
    """The unexpired proxy-granting ticket of that digest, with its person and service (one query)."""
    return (
        Ticket.objects.select_related("user", "service")
        .filter(digest=digest, kind=Ticket.Kind.PROXY_GRANTING, expires_at__gt=timezone.now())
        .first()
    )


def session_signed_in(session_key: str) -> bool:
    """Whether the session signed in to some service through CAS (one query)."""
    return SignedInService.objects.filter(session_key=session_key).exists()


def establishment(pk: int | None) -> Establishment | None:
    """The establishment a new service is registered for (the form offered only the actor's own)."""
    return Establishment.objects.filter(pk=pk).first() if pk else None


def oidc_claims(user: User, *, ent: bool) -> dict[str, object]:
    """The claims of the person for the OpenID Connect provider; the ENT ones only when ``ent`` is granted
    (then the CAS « Scolarité » profile's values: four queries, whatever the data)."""
    claims: dict[str, object] = {
        "name": user.get_full_name(),
        "family_name": user.last_name,
        "given_name": user.first_name,
        "preferred_username": user.username.lower(),
        "email": user.email,
        "email_verified": False,
    }
    if ent:
        school = cas_attributes(user, Service(profile=Service.Profile.SCHOOL))
        claims |= {claim: school.get(name, []) for name, claim in ENT_CLAIMS.items()}
    return {name: value for name, value in claims.items() if value not in ("", None)}


def oidc_service_for(client_id: str) -> Service | None:
    """The enabled OIDC service whose client that is (one query)."""
    if not client_id:
        return None
    return (
        Service.objects.filter(kind=Service.Kind.OIDC, enabled=True, oidc_application__client_id=client_id)
        .select_related("oidc_application")
        .first()
    )


# --- EduConnect ----------------------------------------------------------------------------------------


def educonnect_person(identity: Identity) -> tuple[User | None, bool]:
    """The provisioned person an EduConnect identity is, and whether their EduConnect id is already linked.

    Linked before: that account. Else the AAF jointure must name exactly one person, whose date of birth
    (when both are known) agrees; a guardian's every child in ``FrEduVecteur`` must be their child in the
    directory, a student must not be a guardian's vector. None: nobody Cartable can match (no account is
    made). At most four queries.
    """
    if not identity.educonnect_id or not identity.profile:
        return None, False
    linked = ExternalIdentifier.objects.filter(
        source=ExternalIdentifier.Source.EDUCONNECT, value=identity.educonnect_id
    )
    person = User.objects.filter(external_ids__in=linked, is_active=True).first()
    if person is not None:
        return person, True
    if not identity.jointure:
        return None, False
    found = list(
        User.objects.filter(
            is_active=True,
            external_ids__source=ExternalIdentifier.Source.AAF,
            external_ids__value=identity.jointure,
        ).distinct()[:2]
    )
    if len(found) != 1:
        return None, False
    person = found[0]
    if identity.birth_date and person.birth_date and identity.birth_date != person.birth_date:
        return None, False
    if identity.profile == "guardian" and not _children_agree(person, identity.children):
        return None, False
    if ExternalIdentifier.objects.filter(person=person, source=ExternalIdentifier.Source.EDUCONNECT).exists():
        return None, False  # another EduConnect account is already linked to this person
    return person, False


def _children_agree(guardian: User, children: tuple[str, ...]) -> bool:
    """Whether every child the vector names (by AAF jointure) is the guardian's child in the directory."""
    if not children:
        return False
    known = set(
        ExternalIdentifier.objects.filter(
            source=ExternalIdentifier.Source.AAF,
            value__in=children,
            person__guardians_links__guardian=guardian,
        ).values_list("value", flat=True)
    )
    return known == set(children)


def saml_pending_requests(browser: str) -> dict[str, str]:
    """This browser's AuthnRequests still awaiting an answer: id -> where to go after (one query)."""
    rows = SamlRequest.objects.filter(browser=browser, consumed_at__isnull=True, expires_at__gt=timezone.now())
    return dict(rows.values_list("request_id", "next_url")[:20])
