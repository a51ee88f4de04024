"""How allauth signs people in here: no self-service sign-up, and failed sign-ins that slow an
attacker without letting a third party lock the real person out."""

from __future__ import annotations

import hashlib
import time

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from notifications.email import AUTOMATED_HEADERS, build_email

from .languages import language_for_user

#: allauth's e-mails that are ours as a branded triple (`templates/emails/<name>-*`); the others
#: keep allauth's text and still carry the automated-message header.
BRANDED_EMAILS = {
    "account/email/password_reset_key": "password-reset",
    "account/email/unknown_account": "unknown-account",
}


def _account_failures_key(login: str) -> str:
    digest = hashlib.sha256(login.strip().lower().encode()).hexdigest()
    return f"accounts:login-failed:account:{digest}"


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: coaches invite leaders and sponsors, practices invite coaches.

    Failed sign-ins are counted three ways (DESIGN.md section 6):

    - per address (`ACCOUNT_RATE_LIMITS["login_failed"]`, `/ip`): refuses an address that guesses;
    - per address and account together (the same setting's `/key`, whose key includes the address):
      refuses an address that guesses one person's password;
    - per account across all addresses: never refuses (that would let anyone lock a coach out with a
      wrong password a minute), only slows every attempt on that account by
      `LOGIN_ACCOUNT_SLOWDOWN_SECONDS` once it has had `LOGIN_ACCOUNT_SLOWDOWN_AFTER` failures within
      `LOGIN_ACCOUNT_WINDOW_SECONDS`.
    """

    def is_open_for_signup(self, request) -> bool:
        return False

    def format_email_subject(self, subject: str) -> str:
        return subject  # no "[host]" prefix: the sender already says who writes

    def render_mail(self, template_prefix: str, email, context: dict, headers: dict | None = None):
        """In the recipient's language when the address is a person's (a password reset asked for
        from someone else's browser still arrives in the account holder's language)."""
        headers = {**AUTOMATED_HEADERS, **(headers or {})}
        to = [email] if isinstance(email, str) else list(email)
        with translation.override(self._language_of(context, to)):
            name = BRANDED_EMAILS.get(template_prefix)
            if name is None:
                return super().render_mail(template_prefix, email, context, headers)
            return build_email(template=name, to=to, context=context, headers=headers)

    @staticmethod
    def _language_of(context: dict, to: list[str]) -> str:
        from .models import User

        user = context.get("user")
        if not isinstance(user, User) and to:
            user = User.objects.filter(email__iexact=to[0]).first()
        return language_for_user(user) if isinstance(user, User) else translation.get_language()

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{self.get_client_ip(request)}"

    def _delete_login_attempts_cached_email(self, request, **credentials) -> None:
        super()._delete_login_attempts_cached_email(request, **credentials)
        cache.delete(_account_failures_key(self._login_of(credentials)))

    @staticmethod
    def _login_of(credentials: dict) -> str:
        return str(credentials.get("email", credentials.get("username", "")))

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        failures = cache.get(_account_failures_key(self._login_of(credentials)), 0)
        if failures >= settings.LOGIN_ACCOUNT_SLOWDOWN_AFTER:
            time.sleep(settings.LOGIN_ACCOUNT_SLOWDOWN_SECONDS)

    def authentication_failed(self, request, **credentials) -> None:
        key = _account_failures_key(self._login_of(credentials))
        if cache.add(key, 1, timeout=settings.LOGIN_ACCOUNT_WINDOW_SECONDS):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=settings.LOGIN_ACCOUNT_WINDOW_SECONDS)
