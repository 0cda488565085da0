"""Subscribing to and leaving the email digests (double opt-in)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from dailypapers.digests import tokens
from dailypapers.digests.models import Subscription

# At most one confirmation email per address in this many seconds: submitting the form again
# (or someone else submitting your address) does not fill an inbox.
CONFIRM_RESEND_SECONDS = 10 * 60


def normalize(email: str) -> str:
    return email.strip().lower()


def subscribe(email: str, frequency: str, user=None) -> Subscription:
    """Create or update the subscription of `email` and send it one confirmation email.

    An active subscription only changes its frequency (no email). An unconfirmed or
    unsubscribed one gets a confirmation link; only following it (re)activates the address,
    so nobody can sign up someone else, and an unsubscribe is undone only by its owner. A
    member subscribing one of their own confirmed addresses is active at once, no email."""
    if frequency not in dict(Subscription.FREQUENCIES):
        raise ValueError(f"unknown frequency {frequency!r}")
    email = normalize(email)
    owner = user if user is not None and _owns(user, email) else None
    subscription = _upsert(email, frequency, owner)
    if subscription.active:
        return subscription
    if owner is not None:
        _activate(subscription)
    else:
        send_confirmation(subscription)
    return subscription


def _owns(user, email: str) -> bool:
    """Whether `email` is one of the member's confirmed addresses (allauth verified it)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def _upsert(email: str, frequency: str, owner) -> Subscription:
    # A member has at most one subscription (one-to-one): a second address stays unlinked.
    if owner is not None and Subscription.objects.filter(user=owner).exclude(email=email).exists():
        owner = None
    try:
        with transaction.atomic():
            subscription, created = Subscription.objects.get_or_create(
                email=email, defaults={"frequency": frequency, "user": owner}
            )
    except IntegrityError:  # a concurrent request created it first
        subscription, created = Subscription.objects.get(email=email), False
    changed = []
    if not created and subscription.frequency != frequency:
        subscription.frequency = frequency
        changed.append("frequency")
    if owner is not None and subscription.user_id is None:
        subscription.user = owner
        changed.append("user")
    if changed:
        subscription.save(update_fields=changed)
    return subscription


def _activate(subscription: Subscription) -> None:
    subscription.confirmed_at = timezone.now()
    subscription.unsubscribed_at = None
    subscription.save(update_fields=["confirmed_at", "unsubscribed_at"])


def _resend_key(subscription: Subscription) -> str:
    return f"digests:confirm-sent:{subscription.email}"


def send_confirmation(subscription: Subscription) -> bool:
    """Mail the confirmation link, unless one went to this address recently. True if sent."""
    if not cache.add(_resend_key(subscription), 1, CONFIRM_RESEND_SECONDS):
        return False
    confirmation_email(subscription, "digests/email/confirm").send()
    return True


def confirmation_email(
    subscription: Subscription, templates: str, connection=None
) -> EmailMultiAlternatives:
    """An email carrying a fresh confirmation link (valid a week from now), text and HTML,
    from `templates`/{subject.txt,body.txt,body.html}: the first one, or the reminder."""
    context = {"subscription": subscription, "confirm_url": tokens.confirm_url(subscription)}
    subject = render_to_string(f"{templates}/subject.txt", context)
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"{templates}/body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.email],
        connection=connection,
    )
    email.attach_alternative(render_to_string(f"{templates}/body.html", context), "text/html")
    return email


def confirm(token: str) -> Subscription:
    """Activate the subscription a confirmation link names. Raises `tokens.BadToken`.

    A link issued before the address unsubscribed does not bring it back."""
    subscription, issued = tokens.read_confirm(token)
    left = subscription.unsubscribed_at
    if left is not None and issued <= int(left.timestamp() * 1000):
        raise tokens.BadToken("This link is older than your unsubscribe; subscribe again.")
    if not subscription.active:
        _activate(subscription)
    return subscription


def unsubscribe(token: str) -> Subscription:
    """Stop all digests to the address an unsubscribe link names, at once. Raises BadToken."""
    subscription = tokens.read_unsubscribe(token)
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
        # Someone who leaves and comes straight back gets their confirmation link at once.
        cache.delete(_resend_key(subscription))
    return subscription


class NoConfirmedAddress(Exception):
    """The member has no confirmed email address: nothing can be sent to them."""


def member_address(user) -> str | None:
    """The address a member's digest goes to: their primary confirmed one (allauth), else any
    confirmed one; None when they have none."""
    addresses = EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "pk")
    address = addresses.values_list("email", flat=True).first()
    return normalize(address) if address else None


def member_subscription(user) -> Subscription | None:
    """The member's own subscription: the one linked to them, else one of their address that
    someone (they, before signing up) made without being logged in."""
    linked = Subscription.objects.filter(user=user).first()
    if linked is not None:
        return linked
    address = member_address(user)
    return Subscription.objects.filter(email=address).first() if address else None


def update_member_subscription(
    user, frequency: str | None, wants_for_you: bool
) -> Subscription | None:
    """What a member chose on their settings page: `frequency` None turns the digest off
    (`unsubscribed_at`, as a footer link would), daily or weekly turns it on at once at their
    confirmed address. Choosing it again after an unsubscribe re-activates it: the owner,
    logged in, asking for it is the consent a confirmation link stands for.
    Raises NoConfirmedAddress when turning it on without a confirmed address."""
    subscription = member_subscription(user)
    if frequency is None:
        if subscription is None:
            return None
        changed = ["wants_for_you"]
        subscription.wants_for_you = wants_for_you
        if subscription.unsubscribed_at is None:
            subscription.unsubscribed_at = timezone.now()
            changed.append("unsubscribed_at")
        subscription.save(update_fields=changed)
        return subscription
    address = member_address(user)
    if address is None:
        raise NoConfirmedAddress("Confirm an email address first: digests go only to one.")
    if subscription is not None and subscription.email != address:
        # Their primary address changed: the digest follows it, unless that address has a
        # subscription of its own already (then the member keeps the one they have).
        if not Subscription.objects.filter(email=address).exists():
            try:
                with transaction.atomic():
                    Subscription.objects.filter(pk=subscription.pk).update(email=address)
                subscription.email = address
            except IntegrityError:  # a concurrent subscribe took that address first
                pass
        address = subscription.email
    subscription = subscribe(address, frequency, user=user)
    if subscription.wants_for_you != wants_for_you:
        subscription.wants_for_you = wants_for_you
        subscription.save(update_fields=["wants_for_you"])
    return subscription
