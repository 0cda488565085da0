"""Confirming an email address: why a login waits for it, and sending the link again.

With mandatory verification allauth answers a sign-up, and a login before the address is
confirmed, with the same "check your email" page. We remember (in the session) whose address
awaits confirmation, so the page can say why the login did not go through and offer to send
the link again without asking for the address: only the person who just gave the password
(or signed up) in this browser can have it resent.
"""

from __future__ import annotations

from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

SESSION_KEY = "dailypapers_awaiting_confirmation"


def awaiting(request: HttpRequest, user: AbstractBaseUser | None) -> None:
    """Note whose address awaits confirmation; after a login, say why it did not log in."""
    address = unconfirmed_address(user.pk) if user is not None else None
    if address is None:
        return
    request.session[SESSION_KEY] = user.pk
    match = request.resolver_match
    if match is not None and match.url_name == "account_login":
        messages.warning(
            request,
            f"You can log in once your email address is confirmed: follow the link we "
            f"emailed to {address.email}.",
        )


def unconfirmed_address(user_id: int | None) -> EmailAddress | None:
    addresses = EmailAddress.objects.filter(user_id=user_id, verified=False)
    return addresses.order_by("-primary", "pk").first() if user_id else None


def resend(request: HttpRequest) -> str:
    """Send the link again to the awaiting address; what to tell the visitor. Allauth's
    own limit holds (one confirmation email per address per 3 minutes)."""
    address = unconfirmed_address(request.session.get(SESSION_KEY))
    if address is None:
        return (
            "Log in with your username and password: if your address is not confirmed yet, "
            "we send the link again."
        )
    # Allauth's internal flow, because it is the one that applies its rate limit.
    if send_verification_email_to_address(request, address):
        return f"We sent the confirmation link again to {address.email}."
    return (
        f"We sent a link to {address.email} less than three minutes ago: look in your spam "
        "folder, or try again in a few minutes."
    )
