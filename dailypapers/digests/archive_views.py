"""The staff preview of a digest email (`/digest/preview`) and the public web version of a
sent digest (`/digest/daily/2026-11-20`, `/digest/weekly/2026-W47`)."""

from __future__ import annotations

import dataclasses
from email.header import decode_header, make_header
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dailypapers.digests import archive, compose
from dailypapers.digests.models import Subscription
from dailypapers.papers import feed_cache
from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.middleware import policy

PARTS = ("", "html", "text")
# The HTML part, framed by the preview page or opened alone: the email's own markup, which
# styles itself inline (style attributes, perhaps a <style> element, as mail clients expect)
# and runs nothing. So: no script, no plugin, no form, no fetch (`default-src 'none'`,
# `sandbox` with no allowance), inline styles and remote images allowed as a mail client
# shows them, and framed by this site's own pages only.
EMAIL_PART_POLICY = (
    policy(
        {
            "default-src": "'none'",
            "style-src": "'unsafe-inline'",
            "img-src": "https: data:",
            "base-uri": "'none'",
            "form-action": "'none'",
            "frame-ancestors": "'self'",
        }
    )
    + "; sandbox"
)
# Headers the preview lists: the ones a reader or a mail client acts on (MIME plumbing aside).
MIME_HEADERS = {"content-type", "mime-version", "content-transfer-encoding"}


class BadPreview(ValueError):
    """A preview request whose parameters name no digest (shown to staff as a 400)."""


@never_cache  # the staff member's own email, with their unsubscribe links
@require_safe
def preview(request: HttpRequest) -> HttpResponse:
    # Visitors are sent to log in; members who are not staff get the 404 everyone gets for
    # a page that is not there, so the preview's existence tells them nothing.
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise Http404("No such page.")
    frequency = request.GET.get("period") or Subscription.DAILY
    part = request.GET.get("part", "")
    try:
        if frequency not in archive.PERIOD_KINDS:
            raise BadPreview("The period must be daily or weekly.")
        if part not in PARTS:
            raise BadPreview("The part must be html or text (or left out for this page).")
        try:
            on = archive.parse_preview_date(request.GET.get("date"), feed_today())
        except ValueError as error:
            raise BadPreview("The date must be a day written YYYY-MM-DD.") from error
    except BadPreview as error:
        # The form keeps a period that was valid, so only the bad field needs fixing.
        kept = frequency if frequency in archive.PERIOD_KINDS else ""
        return _preview_problem(request, part, str(error), status=400, frequency=kept)

    digest = compose.compose(frequency, on)
    if digest is None:
        problem = f"No {frequency} digest for {on:%Y-%m-%d}: that period has no papers."
        return _preview_problem(request, part, problem, status=404, frequency=frequency, on=on)
    subscription = archive.preview_subscription(request.user)
    email = archive.preview_message(digest, subscription)
    html = email.alternatives[0][0] if email.alternatives else ""
    if part == "text":
        return HttpResponse(email.body, content_type="text/plain; charset=utf-8")
    if part == "html":
        return _email_part(html)

    query = {"period": frequency, "date": on.isoformat()}
    context = {
        **_form_context(frequency, on),
        "digest": digest,
        "email": email,
        "subscription": subscription,
        "own_subscription": subscription.pk is not None,
        "headers": _headers(email),
        "html_url": f"{reverse('digests:preview')}?{urlencode({**query, 'part': 'html'})}",
        "text_url": f"{reverse('digests:preview')}?{urlencode({**query, 'part': 'text'})}",
        "web_version_path": archive.web_version_path(frequency, digest.period),
        "web_version_sent": archive.was_sent(digest.period_key, cached=False),
    }
    return render(request, "digests/preview.html", context)


def _email_part(html: str) -> HttpResponse:
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    # Set here, so neither the site's policy (frame-ancestors 'none') nor the clickjacking
    # middleware (DENY) replaces them: the preview page frames this response.
    response.headers["Content-Security-Policy"] = EMAIL_PART_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _preview_problem(
    request: HttpRequest, part: str, problem: str, status: int, frequency: str = "", on=None
) -> HttpResponse:
    if part in ("html", "text"):
        return HttpResponse(f"{problem}\n", status=status, content_type="text/plain; charset=utf-8")
    context = {**_form_context(frequency or Subscription.DAILY, on), "problem": problem}
    return render(request, "digests/preview.html", context, status=status)


def _form_context(frequency: str, on) -> dict:
    return {
        "frequency": frequency,
        "date": on.isoformat() if on else "",
        "frequencies": Subscription.FREQUENCIES,
    }


def _headers(email) -> list[tuple[str, str]]:
    """The headers of the message as it would be sent, decoded for reading (a non-ASCII
    subject travels as an encoded word)."""
    message = email.message()
    return [
        (name, str(make_header(decode_header(value))))
        for name, value in message.items()
        if name.lower() not in MIME_HEADERS
    ]


@require_safe
def web_version(request: HttpRequest, frequency: str, key: str) -> HttpResponse:
    try:
        period = archive.parse_web_key(frequency, key)
    except ValueError as error:
        raise Http404("No such digest.") from error
    # Shared between readers like the feed pages (a vote shows within FEED_CACHE_SECONDS,
    # moderation at once): the digest holds nothing per reader.
    digest = feed_cache.shared(
        f"digest:{frequency}:{period.key}", lambda: archive.sent_digest(frequency, period)
    )
    if digest is None:
        raise Http404("No digest was sent for this period.")
    papers = [
        dataclasses.replace(paper, url=archive.relative_url(paper.url)) for paper in digest.papers
    ]
    context = {"digest": digest, "period": digest.period, "papers": papers}
    return render(request, "digests/web_version.html", context)
