"""Account models: preferences, activation codes, charters and their acceptance, login attempts, sessions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Preferences(models.Model):
    """Comfort settings of one person, applied on every page and every device."""

    class Theme(models.TextChoices):
        LIGHT = "light", _("Clair")
        DARK = "dark", _("Sombre")
        CONTRAST = "contrast", _("Contraste élevé")

    class TextSize(models.TextChoices):
        NORMAL = "normal", _("Normale")
        LARGE = "large", _("Grande")
        LARGER = "larger", _("Très grande")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences")
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES, default="fr")
    theme = models.CharField(_("thème"), max_length=16, choices=Theme.choices, default=Theme.LIGHT)
    text_size = models.CharField(_("taille du texte"), max_length=16, choices=TextSize.choices, default=TextSize.NORMAL)
    dyslexia_font = models.BooleanField(_("police adaptée à la dyslexie"), default=False)
    reduced_motion = models.BooleanField(_("réduire les animations"), default=False)

    class Meta:
        verbose_name = _("préférences")
        verbose_name_plural = _("préférences")

    def __str__(self) -> str:
        return f"{self.user}"

    @property
    def body_classes(self) -> str:
        classes = [f"theme-{self.theme}", f"text-{self.text_size}"]
        if self.dyslexia_font:
            classes.append("font-dyslexia")
        if self.reduced_motion:
            classes.append("reduced-motion")
        return " ".join(classes)


DEFAULT_BODY_CLASSES = "theme-light text-normal"


class ActivationCode(models.Model):
    """A one-time code handed out by the school to activate a provisioned account. Stored hashed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    used_at = models.DateTimeField(_("utilisé le"), null=True, blank=True)
    revoked_at = models.DateTimeField(
        _("remplacé le"), null=True, blank=True, help_text=_("Un code plus récent a été remis à la personne.")
    )

    class Meta:
        verbose_name = _("code d'activation")
        verbose_name_plural = _("codes d'activation")

    def __str__(self) -> str:
        return f"{self.user} ({self.expires_at:%Y-%m-%d})"

    def is_expired(self, now) -> bool:
        return self.expires_at <= now


class Charter(models.Model):
    """A versioned text every person must accept: the usage charter or the privacy notice."""

    class Kind(models.TextChoices):
        USAGE = "usage", _("Charte d'utilisation")
        PRIVACY = "privacy", _("Notice de confidentialité")

    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("titre"), max_length=160)
    body = models.TextField(_("texte"))
    published_at = models.DateTimeField(_("publiée le"))

    class Meta:
        verbose_name = _("charte")
        verbose_name_plural = _("chartes")
        ordering = ["kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["kind", "version"], name="charter_unique_version")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class CharterAcceptance(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="charter_acceptances")
    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("acceptation de charte")
        verbose_name_plural = _("acceptations de charte")
        constraints = [models.UniqueConstraint(fields=["user", "charter"], name="charter_accepted_once")]

    def __str__(self) -> str:
        return f"{self.user} — {self.charter}"


class LoginAttempt(models.Model):
    """A failed sign-in, kept a short while to slow down guessing (per account and per address)."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("échec de connexion")
        verbose_name_plural = _("échecs de connexion")
        indexes = [models.Index(fields=["ip_address", "at"], name="login_attempt_ip_at")]

    def __str__(self) -> str:
        return f"{self.username} {self.ip_address} {self.at}"


class ResetMailRequest(models.Model):
    """A password-reset e-mail asked for, kept an hour to limit how many one address receives (or one
    network asks for). Counted in the database, so every server process and thread sees the same count.
    The address is kept only as a digest: the record never holds the e-mail itself."""

    email_digest = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("demande de réinitialisation")
        verbose_name_plural = _("demandes de réinitialisation")
        indexes = [models.Index(fields=["ip_address", "at"], name="reset_request_ip_at")]

    def __str__(self) -> str:
        return f"{self.email_digest[:8]} {self.ip_address} {self.at}"


class AccountSession(models.Model):
    """A session opened by a person, so that disabling the account can end all of them at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session ouverte")
        verbose_name_plural = _("sessions ouvertes")
        indexes = [models.Index(fields=["user", "created_at"], name="account_session_user")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class SecondFactorPolicy(models.Model):
    """The region's rule: the staff roles that must give a second factor after their password (one row).

    Off by default (no role), as in the demo; the regional administrator switches it on per role.
    """

    roles = models.CharField(_("rôles tenus de donner un second facteur"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("règle de double authentification")
        verbose_name_plural = _("règles de double authentification")

    def __str__(self) -> str:
        return self.roles or "-"

    @property
    def role_list(self) -> list[str]:
        return [r for r in self.roles.split(",") if r]
