"""Every write of the accounts app: keyword-only, atomic, audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models as django_models
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.accounts import charters as charter_cache
from cartable.accounts import sessions, throttle
from cartable.accounts.activation import ActivationError, generate_code, hash_code
from cartable.accounts.models import AccountSession, ActivationCode, Charter, CharterAcceptance, Preferences
from cartable.accounts.queries import check_code_usable
from cartable.core import audit, erasure, registry
from cartable.core.notify import notify
from cartable.directory.actor import Actor
from cartable.directory.models import User

PREFERENCE_FIELDS = ("language", "theme", "text_size", "dyslexia_font", "reduced_motion")


@transaction.atomic
def accept_charters(*, actor: Actor | None, user, charters: Iterable[Charter]) -> None:
    """Record that ``user`` accepted these charter versions."""
    for charter in charters:
        _obj, created = CharterAcceptance.objects.get_or_create(user=user, charter=charter)
        if created:
            audit.record(
                actor=actor,
                verb="accounts.accept_charter",
                target=charter,
                subject_id=user.pk,
                after={"kind": charter.kind, "version": charter.version},
            )


@transaction.atomic
def publish_charter(*, actor: Any, kind: str, title: str, body: str) -> Charter:
    """Publish the next version of a charter: everybody must accept it again before going on."""
    latest = Charter.objects.select_for_update().filter(kind=kind).order_by("-version").first()
    charter = Charter.objects.create(
        kind=kind,
        version=(latest.version + 1) if latest else 1,
        title=title,
        body=body,
        published_at=timezone.now(),
    )
    audit.record(
        actor=actor,
        verb="accounts.publish_charter",
        target=charter,
        after={"kind": kind, "version": charter.version, "title": title},
    )
    transaction.on_commit(charter_cache.forget_current)
    return charter


@transaction.atomic
def issue_activation_code(*, actor: Any, user: User, valid_days: int = 30) -> str:
    """Give ``user`` a new one-time activation code and return it in clear (only its hash is kept).

    The person's previous unused codes stop working: only the last code handed out is valid.
    """
    now = timezone.now()
    revoked = ActivationCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    code = generate_code()
    row = ActivationCode.objects.create(
        user=user, code_hash=hash_code(code), expires_at=now + timedelta(days=valid_days)
    )
    audit.record(
        actor=actor,
        verb="accounts.issue_activation_code",
        target=row,
        subject_id=user.pk,
        after={"expires_at": row.expires_at.isoformat(), "revoked_codes": revoked},
    )
    return code


@transaction.atomic
def activate_account(*, user: User, code: ActivationCode, password: str, ip_address: str | None = None) -> User:
    """Activate a provisioned account with its code: the code is spent and the chosen password set.

    The code is checked again under a row lock, so two tabs cannot spend it twice. The first
    activation sends a welcome notice (in the application and by e-mail).
    """
    locked = ActivationCode.objects.select_for_update().get(pk=code.pk)
    if locked.user_id != user.pk or not user.is_active:
        raise ActivationError("invalid")
    check_code_usable(locked)
    now = timezone.now()
    locked.used_at = now
    locked.save(update_fields=["used_at"])
    first_time = user.activated_at is None
    user.set_password(password)
    if first_time:
        user.activated_at = now
    user.save(update_fields=["password", "activated_at"])
    audit.record(
        actor=Actor(user, ip_address=ip_address),
        verb="accounts.activate",
        target=user,
        subject_id=user.pk,
        after={"activated_at": (user.activated_at or now).isoformat(), "code": locked.pk, "first_time": first_time},
    )
    if first_time:
        notify(
            recipients=[user],
            kind="accounts.welcome",
            title=_("Bienvenue sur %(site)s") % {"site": settings.CARTABLE_SITE_NAME},
            body=_(
                "Votre compte est activé. Retrouvez ici votre cahier de textes, votre agenda, vos messages "
                "et les actualités de votre établissement."
            ),
            url="/",
            target=user,
            channels=("in_app", "email"),
        )
    throttle.clear(user.username)
    return user


@transaction.atomic
def change_password(*, actor: Any, user: User, password: str, revoke: Iterable[registry.SecretLinks] = ()) -> int:
    """Set a new password chosen by the person (the old one was checked by the form), and revoke the secret
    links (calendar feeds...) they chose to revoke with it; returns how many links were revoked.

    The person's other sessions end on their next request (Django checks the password hash).
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    revoked = {links.key: links.revoke_all(actor=actor, user=user) for links in revoke}
    audit.record(
        actor=actor,
        verb="accounts.password_change",
        target=user,
        subject_id=user.pk,
        after={"revoked": revoked} if revoked else None,
    )
    return sum(revoked.values())


@transaction.atomic
def reset_password(*, user: User, password: str, ip_address: str | None = None) -> None:
    """Set the password chosen through an e-mailed reset link (the link's token was checked)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        actor=Actor(user, ip_address=ip_address), verb="accounts.password_reset", target=user, subject_id=user.pk
    )
    throttle.clear(user.username)


@transaction.atomic
def update_preferences(*, actor: Any, user: User, **values: Any) -> Preferences:
    """Change some of the person's comfort settings (the row is created the first time)."""
    unknown = set(values) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown preferences: {sorted(unknown)}")
    prefs, created = Preferences.objects.select_for_update().get_or_create(user=user)
    before = {name: getattr(prefs, name) for name in PREFERENCE_FIELDS}
    for name, value in values.items():
        setattr(prefs, name, value)
    prefs.full_clean(exclude=["user"])
    prefs.save()
    after = {name: getattr(prefs, name) for name in PREFERENCE_FIELDS}
    changed = {name for name in PREFERENCE_FIELDS if before[name] != after[name]}
    if changed or created:
        audit.record(
            actor=actor,
            verb="accounts.update_preferences",
            target=prefs,
            subject_id=user.pk,
            before={n: before[n] for n in sorted(changed)},
            after={n: after[n] for n in sorted(changed)},
        )
    # The cached relation on this user object now reflects the new values.
    user.preferences = prefs
    return prefs


@transaction.atomic
def deactivate_account(*, actor: Any, user: User) -> int:
    """Disable an account: it can no longer sign in, and every session it has open ends now.

    Returns how many sessions were ended.
    """
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = sessions.end_all(user)
    audit.record(
        actor=actor, verb="accounts.deactivate", target=user, subject_id=user.pk, after={"sessions_ended": ended}
    )
    return ended


@transaction.atomic
def end_sessions_of(*, actor: Actor | None, user_ids: Iterable[int], reason: str) -> int:
    """End every open session of these people at once (their entitlement ended: a directory feed said they
    left); audited per person who had one, with ``reason``. Returns how many sessions ended."""
    rows = AccountSession.objects.filter(user_id__in=list(user_ids))
    per_person: dict[int, int] = {}
    for user_id in rows.values_list("user_id", flat=True):
        per_person[user_id] = per_person.get(user_id, 0) + 1
    if not per_person:
        return 0
    ended = sessions.end(rows)
    for user_id, count in sorted(per_person.items()):
        audit.record(
            actor=actor,
            verb="accounts.end_sessions_of",
            target=User(pk=user_id),
            subject_id=user_id,
            after={"ended": count, "reason": reason},
        )
    return ended


@transaction.atomic
def end_sessions(*, actor: Actor, session_ids: Iterable[int] | None = None, keep_key: str | None = None) -> int:
    """End the actor's own open sessions: those of ``session_ids``, or all of them (but the one of ``keep_key``,
    the current one, when given). Another person's session ids end nothing. Audited; returns how many."""
    if actor.user_id is None:
        raise PermissionDenied
    rows = AccountSession.objects.filter(user_id=actor.user_id)
    if session_ids is not None:
        rows = rows.filter(pk__in=list(session_ids))
    if keep_key:
        rows = rows.exclude(session_key=keep_key)
    ended = sessions.end(rows)
    audit.record(
        actor=actor,
        verb="accounts.end_sessions",
        target=actor.user,
        subject_id=actor.user_id,
        after={"ended": ended, "all": session_ids is None, "kept_current": bool(keep_key)},
    )
    return ended


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


def _end_sessions(model: type[django_models.Model], user: User) -> int:
    """Every open session of the person ends (through the session engine, so its caches are cleared too)."""
    return sessions.end_all(user)


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Preferences: erasure.delete("user"),
    ActivationCode: erasure.delete("user"),
    CharterAcceptance: erasure.delete("user"),
    AccountSession: _end_sessions,
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="accounts", rules=ERASURE, user=user, model=model, actor=actor)


# --- the second factor (TOTP and recovery codes, django-otp) ---------------------------------------------

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from cartable.accounts import mfa  # noqa: E402
from cartable.accounts.models import SecondFactorPolicy  # noqa: E402
from cartable.core import authz  # noqa: E402


@transaction.atomic
def start_totp_enrolment(*, actor: Actor) -> TOTPDevice:
    """A new, unconfirmed TOTP device for the actor (an earlier unconfirmed one is dropped)."""
    authz.require(actor, "accounts.enrol_factor", None)
    TOTPDevice.objects.filter(user_id=actor.person_id, confirmed=False).delete()
    return TOTPDevice.objects.create(user_id=actor.person_id, name="totp", confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, actor: Actor, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device with a code from the application; returns the new recovery codes (shown once),
    or None when the code is wrong. Any earlier factor of the person is replaced."""
    authz.require(actor, "accounts.enrol_factor", None)
    if device.user_id != actor.person_id or device.confirmed or not device.verify_token(code.strip()):
        return None
    TOTPDevice.objects.filter(user_id=actor.person_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user_id=actor.person_id).delete()
    recovery = StaticDevice.objects.create(user_id=actor.person_id, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _n in range(mfa.RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    audit.record(actor=actor, verb="accounts.mfa.enrol", target=device, subject_id=actor.person_id)
    return codes


@transaction.atomic
def verify_second_factor(*, user: User, code: str, ip_address: str | None) -> bool:
    """Check a code from the person's application, or one of their recovery codes (then used up). A code
    already used is refused (django-otp keeps the last accepted time step). Failures count in the throttle."""
    code = code.strip().replace(" ", "")
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    matched = None
    if totp is not None and code.isdigit() and totp.verify_token(code):
        matched = totp
    else:
        for device in StaticDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(code):  # deletes the recovery code it matched
                matched = device
                break
    if matched is None:
        throttle.record_failure(user.username, ip_address)
        return False
    audit.record(
        actor=None,
        verb="accounts.mfa.verify",
        target=matched,
        subject_id=user.pk,
        after={"recovery_code": isinstance(matched, StaticDevice)},
    )
    return True


@transaction.atomic
def reset_second_factors(*, actor: Actor, user: User) -> int:
    """Remove every factor of a person (lost phone): audited, and the person told by e-mail."""
    authz.require(actor, "accounts.reset_factors", user)
    totp, _rows = TOTPDevice.objects.filter(user=user).delete()
    static, _rows = StaticDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, verb="accounts.mfa.reset", target=user, subject_id=user.pk)
    if user.email:
        from django.core.mail import send_mail

        subject = _("Cartable : votre double authentification a été réinitialisée")
        body = _(
            "Bonjour,\n\nUn administrateur a retiré votre second facteur de connexion. À votre prochaine "
            "connexion, vous en enregistrerez un nouveau.\n\nSi vous n'avez rien demandé, prévenez votre "
            "établissement."
        )
        address = user.email
        transaction.on_commit(lambda: send_mail(subject, body, None, [address]))
    return totp + static


@transaction.atomic
def set_second_factor_roles(*, actor: Actor, roles: Iterable[str]) -> SecondFactorPolicy:
    """The staff roles that must give a second factor, region-wide (the regional administrator)."""
    authz.require(actor, "accounts.set_factor_policy", None)
    wanted = sorted(set(roles) & mfa.FACTOR_ROLES)
    policy, _created = SecondFactorPolicy.objects.select_for_update().get_or_create(pk=1)
    before = policy.role_list
    policy.roles = "," + ",".join(wanted) + "," if wanted else ""
    policy.save()
    audit.record(
        actor=actor, verb="accounts.mfa.policy", target=policy, before={"roles": before}, after={"roles": wanted}
    )
    return policy


ERASURE[TOTPDevice] = erasure.delete("user")
ERASURE[StaticDevice] = erasure.delete("user")
