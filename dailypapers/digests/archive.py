"""Reads for the digest's web pages: the public web version of a sent digest, and the staff
preview of the exact email.

The web version recomposes the period's digest (`compose.compose`) rather than storing what
went out: the papers and their order are the feed's as of now, so a paper hidden by a
moderator since the send drops out of it too.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.urls import reverse

from dailypapers.digests import compose, tokens
from dailypapers.digests.for_you import section_for
from dailypapers.digests.models import DigestDelivery, Subscription
from dailypapers.papers.periods import Period, parse_period

# The URL's period kind for each frequency: /digest/daily/2026-11-20, /digest/weekly/2026-W47.
PERIOD_KINDS = {Subscription.DAILY: "day", Subscription.WEEKLY: "week"}
# A sent digest stays sent (deliveries are never deleted but with their subscription), so a
# "yes" is kept for good. A "no" is kept briefly (the page is public: repeated requests for an
# unsent period cost no query each, though the (period_key, status) index makes one cheap); a
# digest sent meanwhile shows within this many seconds.
NOT_SENT_SECONDS = 60


def web_version_url(digest: compose.Digest) -> str:
    """The absolute address of `digest`'s public web version (for the email's "View this
    digest in your browser" line)."""
    return digest.web_url


def web_version_path(frequency: str, period: Period) -> str:
    return reverse("digests:web_version", args=[frequency, period.key])


def parse_web_key(frequency: str, key: str) -> Period:
    """The period a web-version URL names; ValueError when the key is malformed, impossible
    (2026-13-40, 2026-W60) or of the other frequency (a week key under daily)."""
    kind = PERIOD_KINDS.get(frequency)
    if kind is None:
        raise ValueError(f"unknown frequency: {frequency!r}")
    return parse_period(kind, key)


def was_sent(period_key: str, cached: bool = True) -> bool:
    """Whether at least one subscriber was sent the digest of `period_key` ("daily:…").
    `cached=False` asks the database and stores only a "yes" (the staff preview, looked at
    just before a send: its "no" must not hide the web version once the digest goes out)."""
    cache_key = sent_cache_key(period_key)
    known = cache.get(cache_key) if cached else None
    if known is not None:
        return known
    sent = DigestDelivery.objects.filter(period_key=period_key, status=DigestDelivery.SENT).exists()
    if sent or cached:
        cache.set(cache_key, sent, timeout=None if sent else NOT_SENT_SECONDS)
    return sent


def sent_cache_key(period_key: str) -> str:
    return f"digest:sent:{period_key}"


def sent_digest(frequency: str, period: Period) -> compose.Digest | None:
    """The digest of `period` as the web shows it, or None when it was never sent or has no
    visible papers now."""
    digest = compose.compose(frequency, period.start)
    # Daily composes the latest feed day on or before the date: a day whose papers were all
    # hidden since would come back as an earlier day, which is not the page asked for.
    if digest is None or digest.period_key != f"{frequency}:{period.key}":
        return None
    if not was_sent(digest.period_key):
        return None
    return digest


def relative_url(url: str) -> str:
    """A link of the email (absolute on the public origin) as a path on this site: a web page
    links within the host it was served from, whatever BASE_URL says."""
    origin = tokens.absolute("")
    if url == origin:
        return "/"
    return url.removeprefix(origin) if url.startswith(origin + "/") else url


def preview_subscription(user) -> Subscription:
    """Whose email the staff preview shows: the member's own subscription, else an unsaved
    one for their address. Unsaved, it has no id, so its unsubscribe links name none and
    `tokens.read_unsubscribe` refuses them: nothing in the preview acts on a real address."""
    own = Subscription.objects.filter(user=user).first()
    if own is not None:
        return own
    return Subscription(email=user.email or f"{user.get_username()}@localhost")


def preview_message(digest: compose.Digest, subscription: Subscription):
    """The email `subscription` gets for `digest`, built as the sender builds it ("for you"
    section included, when the member has one); nothing is sent or recorded."""
    return compose.message(digest, subscription, for_you=section_for(digest, subscription))


def parse_preview_date(value: str | None, default: dt.date) -> dt.date:
    """`?date=YYYY-MM-DD` (the day only, ASCII digits); ValueError otherwise."""
    if not value:
        return default
    return parse_period("day", value).start
