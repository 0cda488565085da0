"""Allauth adapters: our client-IP rule, 429 pages for login limits, GitHub only if set up."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import reverse

from dailypapers.accounts import confirmation, emails
from dailypapers.papers.ratelimit import Refusal, client_ip, too_many_requests


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # The same address our own rate limits count (the trusted proxy's, when there is one).
        return client_ip(request) or super().get_client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # In our name, linking our public origin (`accounts.emails`), not the request's host.
        context = {**context, **emails.email_context(self.request)}
        super().send_mail(template_prefix, email, context)

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        url = super().get_email_confirmation_url(request, emailconfirmation)
        return emails.on_public_origin(url, request)

    def get_reset_password_from_key_url(self, key: str) -> str:
        return emails.on_public_origin(super().get_reset_password_from_key_url(key), self.request)

    def respond_email_verification_sent(self, request: HttpRequest, user) -> HttpResponseBase:
        """After a sign-up, or a login refused until the address is confirmed: the page
        says which, and offers to send the link again (`accounts.confirmation`)."""
        confirmation.awaiting(request, user)
        return super().respond_email_verification_sent(request, user)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Too many failed logins answer 429 with our page, like every other rate limit,
        rather than a form error a script would take for a wrong password."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code != "too_many_login_attempts":
                raise
            # Failed logins for this account, most likely (the per-address limit is far higher).
            per_account, per_ip = settings.RATE_LIMITS["login"]
            refused = (
                Refusal.whole_window("login", per_account)
                if per_account > 0
                else Refusal.whole_window("login_ip", per_ip)
            )
            response = too_many_requests(request, "login attempts", refused)
            raise ImmediateHttpResponse(response) from None


def allauth_refusal(request: HttpRequest) -> Refusal:
    """How allauth's own limits (`accounts.config`) show in a 429's RateLimit fields. Allauth
    counts them in sliding windows, so the wait is a whole minute; sign-ups per address, and
    every other account form under the login's per-address limit."""
    if request.path == reverse("account_signup"):
        return Refusal.whole_window("signup_ip", settings.RATE_LIMITS["signup"][1])
    return Refusal.whole_window("login_ip", settings.RATE_LIMITS["login"][1])


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request: HttpRequest, provider, client_id=None) -> SocialApp:
        """A provider that is not configured is a page that does not exist (404), not a
        server error: its login URL exists whether or not the operator set it up."""
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("This sign-in method is not set up on this site.") from None
