"""Conditional GET for what readers poll: the RSS/Atom feeds and `/papers/<id>.md`.

The validator is a strong ETag of the body (Django's `set_response_etag`), not the time:
a vote that reorders a feed changes its body, and so its ETag, while its `Last-Modified`
(the newest entry's date, set by the syndication framework) stays put. So a reader's
`If-None-Match` is answered with a 304, and `If-Modified-Since` alone is not: it would
tell a reader "unchanged" about a feed whose order changed.

Comparison is weak, as RFC 9110 asks of `If-None-Match` (Django's helpers strip `W/`), so a
proxy that compresses the body and weakens the tag on the way still gets its 304. `*` and
lists of tags are Django's too.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag


def public_conditional(request: HttpRequest, response: HttpResponse, max_age: int) -> HttpResponse:
    """`response` for any cache to keep `max_age` seconds, tagged with its body's ETag, or a
    bodiless 304 (with the same ETag and caching headers) when the reader already has it.

    An error is for no cache to keep (`no-store`): a 429 or a 503 outlives its cause there.
    A redirect keeps whatever caching its view gave it."""
    if response.status_code >= 400:
        response["Cache-Control"] = "no-store"
        return response
    if response.status_code != 200:
        return response
    patch_cache_control(response, public=True, max_age=max_age)
    set_response_etag(response)
    return get_conditional_response(request, etag=response.get("ETag"), response=response)
