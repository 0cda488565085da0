"""One digest: the top papers of a period, rendered as an email (subject, text and HTML).

Reads papers through `papers.queries` only. Links are absolute (`tokens.absolute`: BASE_URL,
else the local fallback): a mail client has no page to resolve a relative link against.

A run composes up to 100 K emails of one digest, so the part every subscriber shares (the
subject, the header and top list in both parts) is rendered once per `Digest` and held by it;
each message renders only what is its own: the "for you" section and the footer's links.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
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
    paper_id: int = 0


@dataclass(frozen=True)
class ForYouItem:
    """A paper of a member's "for you" section, with its "not interested" link."""

    paper: DigestPaper
    not_interested_url: str


@dataclass(frozen=True)
class Digest:
    frequency: str
    period: Period
    papers: list[DigestPaper]

    @property
    def period_key(self) -> str:
        """The `DigestDelivery.period_key`: "daily:2026-11-20", "weekly:2026-W47"."""
        return f"{self.frequency}:{self.period.key}"

    @property
    def paper_ids(self) -> set[int]:
        return {paper.paper_id for paper in self.papers}

    # The shared part, rendered on first use and kept (cached_property writes the instance's
    # __dict__ directly, which a frozen dataclass allows).

    @cached_property
    def subject(self) -> str:
        return _one_line(render_to_string(f"{TEMPLATES}/subject.txt", self._context))

    @cached_property
    def top_text(self) -> str:
        """The text part's header and top list (the web version can show these too)."""
        return render_to_string(f"{TEMPLATES}/top.txt", self._context)

    @cached_property
    def top_html(self) -> SafeString:
        """The HTML part's header and top list, escaped."""
        return render_to_string(f"{TEMPLATES}/top.html", self._context)

    @cached_property
    def web_url(self) -> str:
        """Its public web version (`archive_views.web_version`): "view in your browser"."""
        return absolute(reverse("digests:web_version", args=[self.frequency, self.period.key]))

    @property
    def _context(self) -> dict:
        return {"digest": self, "period": self.period, "papers": self.papers}


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
    return Digest(frequency, period, [digest_paper(paper) for paper in papers])


def digest_paper(paper) -> DigestPaper:
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
        paper_id=paper.pk,
    )


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()


def message(
    digest: Digest,
    subscription: Subscription,
    connection=None,
    for_you: Sequence[DigestPaper] = (),
) -> EmailMultiAlternatives:
    """The email of `digest` for `subscription`, with its Message-ID already set (the sender
    records it before sending) and RFC 8058 one-click unsubscribe headers. `for_you`: the
    papers of the member's "for you" section (`for_you.sections`), shown after the top list;
    none, no section (a subscription without a member has nobody to be "not interested")."""
    links = subscription_links(subscription)
    context = {
        "digest": digest,
        "period": digest.period,
        "top_text": digest.top_text,
        "top_html": digest.top_html,
        "for_you": for_you_items(subscription, for_you),
        **links,
    }
    email = EmailMultiAlternatives(
        subject=digest.subject,
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


def for_you_items(subscription: Subscription, papers: Sequence[DigestPaper]) -> list[ForYouItem]:
    if not papers or subscription.user_id is None:
        return []
    return [
        ForYouItem(paper, tokens.not_interested_url(subscription.user_id, paper.paper_id))
        for paper in papers
    ]


def subscription_links(subscription: Subscription) -> dict[str, str]:
    """The footer's links: unsubscribe page, one-click endpoint and preferences."""
    unsubscribe = tokens.unsubscribe_token(subscription)  # signed once for both links
    # A member manages the digest (frequency, "for you") on their settings page; an address
    # without an account has the subscribe form, which changes the frequency.
    if subscription.user_id is not None:
        preferences = reverse("accounts:settings") + "#digest"
    else:
        preferences = reverse("digests:subscribe")
    return {
        "unsubscribe_url": absolute(reverse("digests:unsubscribe", args=[unsubscribe])),
        "one_click_url": absolute(reverse("digests:one_click", args=[unsubscribe])),
        "preferences_url": absolute(preferences),
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
