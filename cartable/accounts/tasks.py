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
                "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            },
        )
    return len(users)
