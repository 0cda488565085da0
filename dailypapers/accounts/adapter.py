"""Allauth adapters: our client-IP rule, 429 pages for login limits, GitHub only if set up."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from dailypapers.papers.ratelimit import client_ip, too_many_requests


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # The same address our own rate limits count (the trusted proxy's, when there is one).
        return client_ip(request) or super().get_client_ip(request)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Too many failed logins answer 429 with our page, like every other rate limit,
        rather than a form error a script would take for a wrong password."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code != "too_many_login_attempts":
                raise
            raise ImmediateHttpResponse(too_many_requests(request, "login attempts")) from None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request: HttpRequest, provider, client_id=None) -> SocialApp:
        """A provider that is not configured is a page that does not exist (404), not a
        server error: its login URL exists whether or not the operator set it up."""
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404("This sign-in method is not set up on this site.") from None
