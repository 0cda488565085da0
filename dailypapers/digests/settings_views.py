"""The digest form of the member settings page posts here; the page itself is accounts'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from dailypapers.digests import services
from dailypapers.digests.member_settings import DigestSettingsForm


@login_required
@require_POST
def digest_settings(request: HttpRequest) -> HttpResponse:
    back = redirect(reverse("accounts:settings") + "#digest")
    form = DigestSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose off, daily or weekly for the digest.")
        return back
    frequency, for_you = form.chosen_frequency(), form.cleaned_data["wants_for_you"]
    try:
        subscription = services.update_member_subscription(request.user, frequency, for_you)
    except services.NoConfirmedAddress as refusal:
        messages.error(request, str(refusal))
        return back
    if frequency is None:
        messages.success(request, "Digest off: no more digest emails.")
    elif not subscription.active:
        # Kept at an address no longer confirmed on the account: it confirms by email.
        messages.info(request, f"We sent a confirmation link to {subscription.email}.")
    else:
        section = "with" if subscription.wants_for_you else "without"
        messages.success(
            request,
            f"Digest saved: {subscription.get_frequency_display().lower()}, {section} "
            f"“for you”, to {subscription.email}.",
        )
    return back
