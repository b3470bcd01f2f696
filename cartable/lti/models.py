"""LTI 1.3 tools registered with Cartable (the platform), their deployments, the links teachers place, the
line items and scores of Assignment and Grade Services, and the short-lived rows of the protocol (login
hints, nonces, service tokens)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cartable.core.authz import ScopedManager
from cartable.directory.models import Establishment, EstablishmentScoped, Group, SchoolClass, Subject, User


class Tool(models.Model):
    """A tool Cartable launches (LTI 1.3): registered for the region (``establishment`` empty, one deployment
    per establishment) or by one establishment. ``client_id`` is Cartable's, given to the tool."""

    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.CASCADE, related_name="lti_tools"
    )
    name = models.CharField(_("nom"), max_length=120)
    client_id = models.CharField(_("identifiant client"), max_length=64, unique=True)
    login_url = models.URLField(_("adresse d'initiation de connexion"), max_length=500)
    launch_url = models.URLField(_("adresse de lancement"), max_length=500)
    deep_link_url = models.URLField(_("adresse de sélection de contenu (Deep Linking)"), max_length=500, blank=True)
    redirect_uris = models.TextField(_("adresses de redirection"), help_text=_("Une adresse par ligne."))
    jwks_url = models.URLField(_("adresse du jeu de clés (JWKS) de l'outil"), max_length=500, blank=True)
    public_key = models.TextField(_("clé publique de l'outil (PEM)"), blank=True)
    allow_deep_linking = models.BooleanField(_("sélection de contenu (Deep Linking)"), default=True)
    allow_ags = models.BooleanField(_("notes (Assignment and Grade Services)"), default=False)
    allow_nrps = models.BooleanField(_("liste de la classe (Names and Role Provisioning)"), default=False)
    send_names = models.BooleanField(_("transmettre les noms"), default=False)
    send_email = models.BooleanField(_("transmettre les adresses électroniques"), default=False)
    enabled = models.BooleanField(_("actif"), default=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("enregistré par")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("outil LTI")
        verbose_name_plural = _("outils LTI")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["establishment", "enabled"], name="lti_tool_estab")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(jwks_url="", public_key=""), name="lti_tool_has_a_key")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def redirect_uri_list(self) -> list[str]:
        return [line.strip() for line in self.redirect_uris.splitlines() if line.strip()]


class Deployment(EstablishmentScoped):
    """The tool's deployment in one establishment: the ``deployment_id`` the tool is told at each launch."""

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(_("identifiant de déploiement"), max_length=64)

    class Meta:
        verbose_name = _("déploiement LTI")
        verbose_name_plural = _("déploiements LTI")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "tool"], name="lti_deployment_once"),
            models.UniqueConstraint(fields=["tool", "deployment_id"], name="lti_deployment_id_unique"),
        ]

    def __str__(self) -> str:
        return self.deployment_id


class Link(EstablishmentScoped):
    """A resource link: an activity of a tool a teacher placed for a class or a group (by hand, by Deep
    Linking, or from a learning path or a homework), launched by its students."""

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(_("titre"), max_length=200)
    url = models.URLField(_("adresse de l'activité"), max_length=500, blank=True)
    custom = models.JSONField(_("paramètres personnalisés"), default=dict, blank=True)
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("classe")
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("groupe")
    )
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("matière")
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("placée par")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activité LTI")
        verbose_name_plural = _("activités LTI")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["establishment", "school_class"], name="lti_link_class")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(school_class__isnull=False, group__isnull=True)
                | models.Q(school_class__isnull=True, group__isnull=False),
                name="lti_link_one_audience",
            )
        ]

    def __str__(self) -> str:
        return self.title


class LineItem(EstablishmentScoped):
    """A column of grades a tool created (AGS) for a link's context: one evaluation of the gradebook."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="line_items")
    label = models.CharField(max_length=200)
    score_maximum = models.DecimalField(max_digits=9, decimal_places=4)
    resource_id = models.CharField(max_length=200, blank=True)
    tag = models.CharField(max_length=200, blank=True)
    # The gradebook's evaluation (grades' id: the gradebook is reached through its actions).
    evaluation_id = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("colonne de notes LTI")
        verbose_name_plural = _("colonnes de notes LTI")
        indexes = [models.Index(fields=["establishment", "link"], name="lti_lineitem_link")]

    def __str__(self) -> str:
        return self.label


class Score(EstablishmentScoped):
    """The last score a tool posted for a student on a line item, with the tool's ``timestamp``: an older
    one never replaces it."""

    line_item = models.ForeignKey(LineItem, on_delete=models.CASCADE, related_name="scores")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    score_given = models.DecimalField(max_digits=9, decimal_places=4, null=True, blank=True)
    score_maximum = models.DecimalField(max_digits=9, decimal_places=4)
    activity_progress = models.CharField(max_length=20, blank=True)
    grading_progress = models.CharField(max_length=20, blank=True)
    timestamp = models.DateTimeField()

    class Meta:
        verbose_name = _("score LTI")
        verbose_name_plural = _("scores LTI")
        constraints = [models.UniqueConstraint(fields=["line_item", "student"], name="lti_score_once")]

    def __str__(self) -> str:
        return f"{self.line_item_id} {self.student_id}"


class LoginHint(models.Model):
    """One launch begun: the ``login_hint`` sent to the tool's login initiation (kept as its SHA-256),
    for one person, one tool and one link (or a Deep Linking request for a class or group). Consumed once,
    valid a few minutes."""

    class Message(models.TextChoices):
        RESOURCE_LINK = "LtiResourceLinkRequest", _("Lancement")
        DEEP_LINKING = "LtiDeepLinkingRequest", _("Sélection de contenu")

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="+")
    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=24, choices=Message.choices)
    link = models.ForeignKey(Link, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=24)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    consumed_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)  # a Deep Linking answer came back

    class Meta:
        verbose_name = _("lancement LTI en cours")
        verbose_name_plural = _("lancements LTI en cours")
        indexes = [models.Index(fields=["expires_at"], name="lti_hint_expires")]

    def __str__(self) -> str:
        return self.digest[:8]


class Nonce(models.Model):
    """A ``nonce`` (or an assertion's ``jti``) already seen for a tool, kept until it expires: seen twice,
    refused (replay)."""

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="+")
    value = models.CharField(max_length=64)  # SHA-256 of what the tool sent
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("nonce LTI")
        verbose_name_plural = _("nonces LTI")
        constraints = [models.UniqueConstraint(fields=["tool", "value"], name="lti_nonce_once")]
        indexes = [models.Index(fields=["expires_at"], name="lti_nonce_expires")]

    def __str__(self) -> str:
        return self.value[:8]


class ServiceToken(models.Model):
    """An access token Cartable gave a tool (OAuth 2 client credentials with a signed JWT assertion) for
    its services, kept as its SHA-256, with the scopes granted."""

    digest = models.CharField(max_length=64, unique=True)
    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="+")
    scopes = models.CharField(max_length=500)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("jeton de service LTI")
        verbose_name_plural = _("jetons de service LTI")
        indexes = [models.Index(fields=["expires_at"], name="lti_token_expires")]

    def __str__(self) -> str:
        return self.digest[:8]

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()
