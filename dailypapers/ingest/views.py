"""The staff page `/status/ingest`: is every source still bringing papers?"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dailypapers.ingest import health


@staff_member_required
def status(request: HttpRequest) -> HttpResponse:
    sources = health.report()
    flagged = [source for source in sources if source.flags]
    context = {"sources": sources, "flagged": flagged, "stale_hours": health.stale_hours()}
    return render(request, "ingest/status.html", context)
