"""One digest: the top papers of a period, rendered as an email (subject, text and HTML).

Reads papers through `papers.queries` only. Links are absolute (`tokens.absolute`: BASE_URL,
else the local fallback): a mail client has no page to resolve a relative link against.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator

from dailypapers.digests import tokens
from dailypapers.digests.models import Subscription
from dailypapers.papers import queries
from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.periods import Period, period_containing

AUTHORS_SHOWN = 3
EXCERPT_CHARS = 280
TEMPLATES = "digests/email/digest"
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class DigestPaper:
    title: str
    authors: str
    organization: str
    upvotes: int
    excerpt: str
    url: str


@dataclass(frozen=True)
class Digest:
    frequency: str
    period: Period
    papers: list[DigestPaper]

    @property
    def period_key(self) -> str:
        """The `DigestDelivery.period_key`: "daily:2026-11-20", "weekly:2026-W47"."""
        return f"{self.frequency}:{self.period.key}"


# One origin for every link of an email: the unsubscribe links' (`tokens`).
absolute = tokens.absolute


def digest_period(frequency: str, on: dt.date | None = None) -> Period | None:
    """Daily: the latest feed day on or before `on` (today in the feed's time zone); weekly:
    the ISO week containing `on`. None when there is no feed day to send."""
    on = on or feed_today()
    if frequency == Subscription.WEEKLY:
        return period_containing("week", on)
    day = queries.latest_feed_date(on)
    return period_containing("day", day) if day else None


def compose(frequency: str, on: dt.date | None = None) -> Digest | None:
    """The digest of `frequency` for `on`, or None when its period has no papers."""
    period = digest_period(frequency, on)
    if period is None:
        return None
    papers = list(queries.papers_in_period(period)[: settings.DIGEST_SIZE])
    if not papers:
        return None
    return Digest(frequency, period, [_digest_paper(paper) for paper in papers])


def _digest_paper(paper) -> DigestPaper:
    names = [authorship.author.name for authorship in paper.authorships.all()]
    authors = ", ".join(names[:AUTHORS_SHOWN]) + (" et al." if len(names) > AUTHORS_SHOWN else "")
    return DigestPaper(
        title=_one_line(paper.title),
        authors=authors,
        organization=str(paper.organization) if paper.organization else "",
        upvotes=paper.score,
        # Plain text with math left as written ($x^2$): a mail client renders no TeX.
        excerpt=Truncator(_one_line(paper.abstract)).chars(EXCERPT_CHARS),
        url=absolute(paper.get_absolute_url()),
    )


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()


def message(digest: Digest, subscription: Subscription, connection=None) -> EmailMultiAlternatives:
    """The email of `digest` for `subscription`, with its Message-ID already set (the sender
    records it before sending) and RFC 8058 one-click unsubscribe headers."""
    links = subscription_links(subscription)
    context = {"digest": digest, "period": digest.period, "papers": digest.papers, **links}
    subject = _one_line(render_to_string(f"{TEMPLATES}/subject.txt", context))
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{TEMPLATES}/body.txt", context),
        to=[subscription.email],
        connection=connection,
        headers={
            "Message-ID": make_msgid(domain=_mail_domain()),
            "List-Unsubscribe": f"<{links['one_click_url']}>, <{_mailto()}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    email.attach_alternative(render_to_string(f"{TEMPLATES}/body.html", context), "text/html")
    return email


def subscription_links(subscription: Subscription) -> dict[str, str]:
    """The footer's links: unsubscribe page, one-click endpoint and preferences."""
    return {
        "unsubscribe_url": tokens.unsubscribe_url(subscription),
        "one_click_url": tokens.one_click_url(subscription),
        # Members have no digest settings page yet: the form changes the frequency.
        "preferences_url": absolute(reverse("digests:subscribe")),
        "site_url": absolute("/"),
    }


def _mail_domain() -> str:
    from email.utils import parseaddr

    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def _mailto() -> str:
    from email.utils import parseaddr

    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"
    return f"mailto:{address}?subject=unsubscribe"
