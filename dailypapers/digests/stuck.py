"""Stuck deliveries, for an operator: claimed by a run that died before the mail server
answered, so the digest may or may not have gone out.

`send` never sends these again by itself (never twice beats always once). The operator looks
up each one's Message-ID in the mail server's log; for the ones that did not go out,
`resend_stuck` sends the digest again and marks the row sent. Resending is always a human's
explicit choice: a second copy is possible when the log was not checked.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass, field

from django.core.mail import get_connection
from django.db.models import F, QuerySet
from django.utils import timezone

from dailypapers.digests.compose import compose, digest_paper, digest_period, message
from dailypapers.digests.models import DigestDelivery
from dailypapers.digests.send import STUCK_AFTER, server_down
from dailypapers.papers import queries
from dailypapers.papers.periods import parse_period

FREQUENCIES = ("daily", "weekly")


def period_keys(frequency: str | None, on: dt.date | None) -> list[str] | None:
    """The `period_key`s `frequency` and `on` name; None means every period. A date alone
    names the day's daily and weekly periods; a frequency alone, every period of it."""
    if on is None:
        return None
    keys = []
    for each in [frequency] if frequency else FREQUENCIES:
        period = digest_period(each, on)
        if period is not None:
            keys.append(f"{each}:{period.key}")
    return keys


def stuck_deliveries(
    frequency: str | None = None, on: dt.date | None = None, email: str | None = None
) -> QuerySet[DigestDelivery]:
    """Claimed deliveries older than STUCK_AFTER (younger ones are a run at work), oldest
    first, with their subscription. Those of addresses that unsubscribed since are left out:
    nothing is to be done about them."""
    found = DigestDelivery.objects.filter(
        status=DigestDelivery.CLAIMED,
        claimed_at__lte=timezone.now() - STUCK_AFTER,
        subscription__unsubscribed_at__isnull=True,
    ).select_related("subscription")
    keys = period_keys(frequency, on)
    if keys is not None:
        found = found.filter(period_key__in=keys)
    elif frequency:
        found = found.filter(period_key__startswith=f"{frequency}:")
    if email:
        found = found.filter(subscription__email=email.strip().lower())
    return found.order_by("claimed_at", "pk")


@dataclass
class ResendReport:
    resent: int = 0
    skipped: int = 0  # taken by another operator's resend, or no longer stuck
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"resent {self.resent}, skipped {self.skipped}, failed {self.failed}"


def resend_stuck(
    frequency: str,
    on: dt.date | None = None,
    email: str | None = None,
    only: list[int] | None = None,
) -> ResendReport:
    """Send the stuck deliveries of `frequency`'s period (the one `on` names; without `on`,
    every stuck period of that frequency) again, each marked sent once the server accepts it.
    `only`: of those, these delivery ids (the ones an operator was shown and agreed to).

    Each row is taken by a compare-and-set on its state as read (still claimed, same
    claimed_at): of two operators resending at once, one sends. The resend carries the row's
    Message-ID, so a mail system that got the first copy can tell the two are one message.
    """
    report = ResendReport()
    deliveries = stuck_deliveries(frequency, on, email)
    if only is not None:
        deliveries = deliveries.filter(pk__in=only)
    deliveries = list(deliveries)
    if not deliveries:
        return report
    digests = {}  # period_key -> Digest, composed once per period
    connection = get_connection()
    try:
        for delivery in deliveries:
            digest = digests.get(delivery.period_key)
            if digest is None:
                digest = digests[delivery.period_key] = _compose(delivery.period_key)
            if digest is None:
                report.failed += 1
                report.errors.append(f"{delivery.period_key}: no papers in the period any more")
                continue
            if not _resend(digest, delivery, report, connection):
                break  # the mail server is unreachable: the rest stay stuck, for a later try
    finally:
        connection.close()
    return report


def _compose(period_key: str):
    frequency, key = period_key.split(":", 1)
    period = parse_period("week" if frequency == "weekly" else "day", key)
    digest = compose(frequency, period.start)
    # The digest must be of the same period the row is for (a daily one moves on to a later
    # feed day when `on` has newer papers): only then is it the message that may be lost.
    return digest if digest is not None and digest.period_key == period_key else None


def _resend(digest, delivery: DigestDelivery, report: ResendReport, connection) -> bool:
    """Resend one; False when the mail server cannot be reached (stop)."""
    subscription = delivery.subscription
    won = DigestDelivery.objects.filter(
        pk=delivery.pk, status=DigestDelivery.CLAIMED, claimed_at=delivery.claimed_at
    ).update(claimed_at=timezone.now())
    if not won:
        report.skipped += 1
        return True
    # The message as claimed: its "for you" papers are the ones the claim stored (and that
    # later digests will not show again), not a new pick.
    section = [digest_paper(paper) for paper in queries.cards_in_order(delivery.for_you_ids)]
    email = message(digest, subscription, connection=connection, for_you=section)
    if delivery.message_id:
        email.extra_headers["Message-ID"] = delivery.message_id
    try:
        connection.open()
        email.send()
    except (smtplib.SMTPException, OSError) as error:
        connection.close()
        # Failed, so the regular runs retry it with their backoff: the operator chose to send.
        DigestDelivery.objects.filter(pk=delivery.pk).update(
            status=DigestDelivery.FAILED, attempts=F("attempts") + 1, error=str(error)[:2000]
        )
        report.failed += 1
        report.errors.append(f"{subscription.email}: {error}")
        return not server_down(error)
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        status=DigestDelivery.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, error=""
    )
    report.resent += 1
    return True
