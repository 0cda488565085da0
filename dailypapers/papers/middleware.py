"""A Content-Security-Policy header on every response (Django 5.2 has no built-in CSP)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Everything the pages load is served from this origin (KaTeX and its fonts are vendored),
# so scripts, styles and fonts come from 'self' only and no inline script or handler runs.
# Images are the exception: thumbnails and organization avatars are remote https URLs.
# KaTeX sizes its spans through element.style (CSSOM), which CSP does not govern, but its
# stretchy SVGs (\vec, \widehat, \overrightarrow…) get a `style` attribute, which Chromium
# blocks under `style-src 'self'` (the arrow then renders unsized; tests/e2e checks). Their
# widths vary per formula, so no hash can list them: `style-src-attr 'unsafe-inline'` allows
# style attributes only. Stylesheets and <style> elements stay 'self' (`style-src`), and a
# style attribute cannot run script.
# The admin needs nothing more: Django 5.2's admin has no inline script or handler (its
# constants travel in data- attributes of external scripts; tests/e2e logs in and edits under
# this policy). Its one inline <style> (a column width) is on change lists of a ModelAdmin
# that turns both action bars off (actions_on_top and actions_on_bottom), which none does.
DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' https: data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


POLICY = policy(DIRECTIVES)


class ContentSecurityPolicyMiddleware:
    """Adds the policy unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
