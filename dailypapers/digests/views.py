"""Subscribe, confirm and unsubscribe pages. Links in emails only show a button on GET:
mail scanners fetch every link, and must neither confirm nor unsubscribe anyone."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dailypapers.digests import services, tokens
from dailypapers.digests.forms import SubscribeForm
from dailypapers.papers.ratelimit import action_limited, too_many_requests


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    member = request.user if request.user.is_authenticated else None
    initial = {"email": member.email} if member is not None else {}
    form = SubscribeForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if action_limited(request, "signup"):
            return too_many_requests(request, "subscriptions")
        if form.is_valid():
            email, frequency = form.cleaned_data["email"], form.cleaned_data["frequency"]
            services.subscribe(email, frequency, user=member)
            # The same page whatever the address's state: it tells nobody who subscribes.
            return render(request, "digests/subscribe_sent.html", {"email": email})
    status = 400 if form.is_bound else 200
    return render(request, "digests/subscribe.html", {"form": form}, status=status)


def bad_link(
    request: HttpRequest, error: tokens.BadToken, subscribe_again: bool = True
) -> HttpResponse:
    """A broken, tampered or expired link of an email: 400, saying why."""
    context = {"message": str(error), "subscribe_again": subscribe_again}
    return render(request, "digests/bad_link.html", context, status=400)


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscription = services.confirm(token)
            return render(request, "digests/confirm_done.html", {"subscription": subscription})
        subscription, _ = tokens.read_confirm(token)
    except tokens.BadToken as error:
        return bad_link(request, error)
    return render(request, "digests/confirm.html", {"subscription": subscription})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscription = services.unsubscribe(token)
            return render(request, "digests/unsubscribe_done.html", {"subscription": subscription})
        subscription = tokens.read_unsubscribe(token)
    except tokens.BadToken as error:
        return bad_link(request, error)
    return render(request, "digests/unsubscribe.html", {"subscription": subscription})


@csrf_exempt  # RFC 8058: the mail client POSTs without cookies or a form of ours.
@require_POST
def one_click(request: HttpRequest, token: str) -> HttpResponse:
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return HttpResponse(
            "Expected List-Unsubscribe=One-Click.\n", status=400, content_type="text/plain"
        )
    try:
        services.unsubscribe(token)
    except tokens.BadToken as error:
        return HttpResponse(f"{error}\n", status=400, content_type="text/plain")
    return HttpResponse("Unsubscribed.\n", content_type="text/plain")
