"""Connected services (« Applications »), their launches, and the CAS server's tickets and signed-in services."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartable.core.authz import ScopedManager
from cartable.directory.models import Establishment, User


class Service(models.Model):
    """Another software a person reaches from Cartable: as a CAS service, an OIDC client or a plain link.

    ``establishment`` empty: registered by the regional administrator for the whole region. ``roles`` are
    the roles that see it (its audience); ``addresses`` the service URLs it may receive tickets at.
    """

    class Kind(models.TextChoices):
        CAS = "cas", _("CAS")
        OIDC = "oidc", _("OpenID Connect")
        LINK = "link", _("Simple lien")

    class Profile(models.TextChoices):
        UID = "uid", _("Identifiant seul (uid)")
        IDENTITY = "identity", _("Identité (nom, prénom, profil, établissement)")
        SCHOOL = "school", _("Scolarité (identité, classes, jointure AAF)")

    class Icon(models.TextChoices):
        APP = "app", _("Application")
        BOOK = "book", _("Livre")
        CALENDAR = "calendar", _("Calendrier")
        CHART = "chart", _("Graphique")
        SCHOOL = "school", _("École")
        GLOBE = "globe", _("Globe")

    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.CASCADE, related_name="sso_services"
    )
    name = models.CharField(_("nom"), max_length=120)
    description = models.CharField(_("description"), max_length=250, blank=True)
    icon = models.CharField(_("icône"), max_length=16, choices=Icon.choices, default=Icon.APP)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.CAS)
    url = models.URLField(_("adresse d'accès"), max_length=500)
    addresses = models.TextField(
        _("adresses du service"),
        blank=True,
        help_text=_("Une adresse par ligne. Terminée par « / », elle couvre aussi les pages en dessous."),
    )
    # The audience's roles between commas (",student,teacher,"): one LIKE answers "for this role?" on
    # every database, where a JSON list has no portable "contains".
    roles = models.CharField(_("rôles qui voient l'application"), max_length=200, blank=True)
    profile = models.CharField(_("attributs transmis"), max_length=12, choices=Profile.choices, default=Profile.UID)
    allow_proxy = models.BooleanField(_("autoriser les tickets de proxy"), default=False)
    # The OpenID Connect client of a service of kind OIDC (its redirect URIs are the service's addresses).
    oidc_application = models.OneToOneField(
        "oauth2_provider.Application", null=True, blank=True, on_delete=models.SET_NULL, related_name="sso_service"
    )
    enabled = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("créée par")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["establishment", "enabled"], name="sso_service_estab")]

    def __str__(self) -> str:
        return self.name

    @property
    def address_list(self) -> list[str]:
        return [line.strip() for line in self.addresses.splitlines() if line.strip()]

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]

    @property
    def is_regional(self) -> bool:
        return self.establishment_id is None


class Launch(models.Model):
    """One opening of a service: a tile followed or a ticket issued. Counted, never named (no person)."""

    class Via(models.TextChoices):
        TILE = "tile", _("Tuile")
        TICKET = "ticket", _("Ticket CAS")
        CODE = "code", _("Code OpenID Connect")

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="launches")
    via = models.CharField(max_length=8, choices=Via.choices)
    role = models.CharField(max_length=24, blank=True)
    establishment = models.ForeignKey(Establishment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    day = models.DateField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ouverture d'application")
        verbose_name_plural = _("ouvertures d'application")
        indexes = [models.Index(fields=["service", "day"], name="sso_launch_service_day")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.day} {self.role}"


class Ticket(models.Model):
    """A CAS ticket (ST-, PT- or PGT-), kept only as the SHA-256 of its value, valid a few minutes.

    Service and proxy tickets are consumed by one conditional UPDATE on ``consumed_at`` at their first
    validation attempt, whatever its outcome. A proxy-granting ticket issues proxy tickets until it expires.
    """

    class Kind(models.TextChoices):
        SERVICE = "ST", _("Ticket de service")
        PROXY = "PT", _("Ticket de proxy")
        PROXY_GRANTING = "PGT", _("Ticket d'octroi de proxy")

    kind = models.CharField(max_length=3, choices=Kind.choices)
    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sso_tickets")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="tickets")
    service_url = models.CharField(max_length=1000)
    session_key = models.CharField(max_length=64, blank=True)
    primary = models.BooleanField(default=False)  # issued right after the person typed their password
    proxies = models.JSONField(default=list)  # the proxy chain, closest first (PT and PGT)
    role = models.CharField(max_length=24, blank=True)
    establishment = models.ForeignKey(Establishment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket CAS")
        verbose_name_plural = _("tickets CAS")
        indexes = [models.Index(fields=["expires_at"], name="sso_ticket_expires")]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:8]}"


class SignedInService(models.Model):
    """A service a session signed in to through CAS, told when that session ends (single logout).

    ``session_index`` is the service ticket, already consumed (it opens nothing any more): the
    ``SessionIndex`` the service knows its own session by.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sso_signed_in")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    service_url = models.CharField(max_length=1000)
    session_key = models.CharField(max_length=64, db_index=True)
    session_index = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service connecté")
        verbose_name_plural = _("services connectés")
        constraints = [models.CheckConstraint(condition=~Q(session_key=""), name="sso_signed_in_session")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.service_id}"


class SamlRequest(models.Model):
    """An AuthnRequest sent to EduConnect, awaiting its answer: its id (the answer's ``InResponseTo``), the
    browser that asked (the SHA-256 of a random cookie, so a response is only accepted where its request
    began), and where to go after. Consumed by one conditional UPDATE: a response answers it once."""

    request_id = models.CharField(max_length=64, unique=True)
    browser = models.CharField(max_length=64)
    next_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("demande ÉduConnect")
        verbose_name_plural = _("demandes ÉduConnect")
        indexes = [models.Index(fields=["expires_at"], name="sso_samlrequest_expires")]

    def __str__(self) -> str:
        return self.request_id


class SamlAssertion(models.Model):
    """An EduConnect assertion already accepted (the SHA-256 of its id), kept until it expires: the same
    assertion presented again is refused (replay)."""

    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("assertion ÉduConnect reçue")
        verbose_name_plural = _("assertions ÉduConnect reçues")
        indexes = [models.Index(fields=["expires_at"], name="sso_samlassertion_expires")]

    def __str__(self) -> str:
        return self.digest[:8]
