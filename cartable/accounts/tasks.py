"""Background work of the accounts app: the password reset e-mail.

The page only queues the task, so it answers at once and in the same time whether the address
belongs to an account or not; the worker finds the accounts and sends the links.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.tasks import task
from django.utils import translation

from cartable.accounts.forms import ResetRequestForm


@task
def send_password_reset(email: str, language: str = "fr") -> int:
    """E-mail a one-time reset link to each active account with this address; returns how many."""
    form = ResetRequestForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(form.cleaned_data["email"]))
    with translation.override(language):
        form.save(
            domain_override=urlsplit(settings.CARTABLE_BASE_URL).netloc or "localhost",
            subject_template_name="accounts/password_reset_subject.txt",
            email_template_name="accounts/password_reset_email.txt",
            extra_email_context={
                "base_url": settings.CARTABLE_BASE_URL.rstrip("/"),
                "site_name": settings.CARTABLE_SITE_NAME,
                "valid_minutes": str(settings.PASSWORD_RESET_TIMEOUT // 60),
            },
        )
    return len(users)


@task
def purge_account_records() -> dict[str, int]:
    """Apply the accounts retention rules: failed sign-ins after the throttle window, activation codes a
    month after they expired or were used, session records whose session is gone."""
    import datetime as dt

    from django.contrib.sessions.models import Session
    from django.db.models import Q
    from django.utils import timezone

    from cartable.accounts import throttle
    from cartable.accounts.models import AccountSession, ActivationCode

    month_ago = timezone.now() - dt.timedelta(days=30)
    attempts = throttle.purge_old()
    codes, _ = ActivationCode.objects.filter(Q(expires_at__lt=month_ago) | Q(used_at__lt=month_ago)).delete()
    sessions, _ = AccountSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()
    return {"login_attempts": attempts, "activation_codes": codes, "account_sessions": sessions}
