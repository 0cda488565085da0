"""The "not interested" link of a paper in a digest's "for you" section. GET only shows a
button (mail scanners fetch every link, and must not mark anything); the POST records it. No
login: the signed link names the member and the paper."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from dailypapers.digests import for_you, tokens
from dailypapers.digests.views import bad_link


@require_http_methods(["GET", "POST"])
def not_interested(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, paper = for_you.not_interested_target(token)
    except tokens.BadToken as error:
        return bad_link(request, error, subscribe_again=False)
    if request.method == "POST":
        for_you.mark_not_interested(user, paper)
        return render(request, "digests/not_interested_done.html", {"paper": paper})
    return render(request, "digests/not_interested.html", {"paper": paper})
