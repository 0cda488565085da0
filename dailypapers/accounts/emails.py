"""Allauth's emails in the site's own name: "Daily Papers" and its public origin.

Without `django.contrib.sites`, allauth names the site after the host the request came in
on, so a message read "Hello from 127.0.0.1:18441!" and linked wherever the request was
served. With DAILYPAPERS_BASE_URL set, emails name that host and their links start there;
without it (a laptop), the request's own origin is all there is.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest

SITE_NAME = "Daily Papers"


@dataclass(frozen=True)
class Site:
    """What allauth's templates read as `current_site`."""

    name: str
    domain: str


def public_origin(request: HttpRequest | None) -> str:
    """`https://papers.example.org`: BASE_URL, else the request's origin ("" with neither)."""
    if settings.BASE_URL:
        return settings.BASE_URL.rstrip("/")
    return request.build_absolute_uri("/").rstrip("/") if request is not None else ""


def on_public_origin(url: str, request: HttpRequest | None) -> str:
    """An absolute URL allauth built from the request, moved onto the public origin."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return public_origin(request) + path if public_origin(request) else url


def email_context(request: HttpRequest | None) -> dict:
    """Context every allauth email gets: the site as we name it, and its front page."""
    origin = public_origin(request)
    return {"current_site": Site(SITE_NAME, urlsplit(origin).netloc), "site_url": origin + "/"}
