"""The second factor after the password (TOTP with django-otp, single-use recovery codes): who must give
one, the challenge between the password and the session, and the session's marks.

Every door calls :func:`sign_in`: Cartable's login page and the CAS server's. A person with a confirmed
factor is not signed in after the password: the session keeps a pending sign-in (five minutes) and the
challenge page finishes it. A person whose role the region requires to have a factor and who has none is
signed in, but ``SecondFactorMiddleware`` sends every page to the enrolment until they have one.
"""

from __future__ import annotations

import time

from django.contrib.auth import login as auth_login
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cartable.accounts import throttle
from cartable.accounts.models import SecondFactorPolicy
from cartable.accounts.policies import ENROLLING_ROLES
from cartable.directory.actor import current
from cartable.directory.models import Membership, User

PENDING = "cartable.mfa.pending"  # {"user": id, "at": time, "next": url}
MUST_ENROL = "cartable.mfa.enrol"
VERIFIED = "cartable.mfa.verified"
PENDING_SECONDS = 300
# The roles that may enrol (and that the region may oblige to): staff, direction, administrators.
FACTOR_ROLES = ENROLLING_ROLES
RECOVERY_CODES = 10


def has_factor(user: User) -> bool:
    """Whether the person has a confirmed TOTP device (one query)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def required_roles() -> list[str]:
    policy = SecondFactorPolicy.objects.filter(pk=1).first()
    return policy.role_list if policy else []


def is_required_for(user: User) -> bool:
    """Whether one of the person's current roles must give a second factor (at most two queries)."""
    roles = set(required_roles())
    if not roles:
        return False
    return current(Membership.objects.filter(person=user, role__in=roles)).exists()


def sign_in(request: HttpRequest, user: User, *, next_url: str) -> HttpResponseBase | None:
    """After a good password: the challenge when the person has a factor (returned), else signed in (None)."""
    if has_factor(user):
        request.session[PENDING] = {"user": user.pk, "at": time.time(), "next": next_url}
        return redirect(f"{reverse('accounts:mfa_challenge')}?{urlencode({'next': next_url})}")
    finish(request, user)
    if is_required_for(user):
        request.session[MUST_ENROL] = True
    return None


def finish(request: HttpRequest, user: User, *, verified: bool = False) -> None:
    auth_login(request, user)  # a new session id at every sign-in
    throttle.clear(user.username)
    request.session.pop(PENDING, None)
    if verified:
        request.session[VERIFIED] = True


def pending_user(request: HttpRequest) -> tuple[User | None, str]:
    """The person who typed their password and owes a code, and where they were going (none: expired)."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, ""
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user, str(pending.get("next") or "")


def recovery_codes_left(user: User) -> int:
    device = StaticDevice.objects.filter(user=user, name="recovery").first()
    return device.token_set.count() if device else 0


def pending_device(user: User) -> TOTPDevice | None:
    """The TOTP device being enrolled (not confirmed yet)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
