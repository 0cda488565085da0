"""Sending a period's digest to every active subscription of a frequency, at most once each.

The rule (exactly once = never twice): before sending, a `DigestDelivery` row is claimed for
(subscription, period) — the unique constraint lets only one run win it — and the email's
Message-ID is stored with it. After the SMTP server accepts the message, the row is marked
`sent`. A process killed between claim and acceptance leaves a `claimed` row: a re-run does not
send it again (the message may have gone out), it counts it as `stuck` once older than
STUCK_AFTER (younger, another run is sending it: skipped) and the command exits 1
so an operator can look (`--email` sends one by hand). An SMTP error marks the row `failed`;
later runs retry it once the backoff has passed, up to MAX_ATTEMPTS. A permanent refusal
(5xx) also counts a hard bounce; at DIGEST_MAX_BOUNCES the address gets no more digests.

Each member's "for you" section (`for_you`) is picked per batch, for the subscriptions the
batch will send, and its paper ids go into the claim (the same one write), so a later digest
of an overlapping period never shows them again. A dry run composes every message as a real
run would (the section included) and sends none: it measures what a run costs.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from dailypapers.digests.compose import Digest, DigestPaper, compose, digest_period, message
from dailypapers.digests.for_you import ForYou, section_for, section_ids
from dailypapers.digests.models import DigestDelivery, Subscription

BATCH = 500
MAX_ATTEMPTS = 5
# A failed delivery waits RETRY_AFTER * 2^(attempts - 1) before the next try.
RETRY_AFTER = dt.timedelta(minutes=5)
# A claim younger than this is another run at work (skipped); older, a run that died (stuck).
STUCK_AFTER = dt.timedelta(minutes=15)


@dataclass
class Report:
    period_key: str = ""
    sent: int = 0
    skipped: int = 0  # delivered already, being sent by another run, or given up
    failed: int = 0
    waiting: int = 0  # failed before, backoff not over
    stuck: int = 0  # claimed by a run that died before the send ended: not re-sent
    no_digest: bool = False
    dry_run: bool = False
    stopped: str = ""  # why the run stopped early (the mail server unreachable)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.no_digest:
            return f"{self.period_key or 'no feed day'}: no digest, no papers in the period"
        verb = "would send" if self.dry_run else "sent"
        line = (
            f"{self.period_key}: {verb} {self.sent}, skipped (already) {self.skipped}, "
            f"failed {self.failed}, waiting to retry {self.waiting}, stuck {self.stuck}"
        )
        return f"{line}; stopped early: {self.stopped}" if self.stopped else line


def due_subscriptions(frequency: str) -> Iterator[list[Subscription]]:
    """Active subscriptions of `frequency` under the bounce limit, in batches by primary key
    (keyset paging: constant memory and no growing OFFSET at 100 K addresses)."""
    subscriptions = Subscription.objects.filter(
        frequency=frequency,
        confirmed_at__isnull=False,
        unsubscribed_at__isnull=True,
        hard_bounces__lt=settings.DIGEST_MAX_BOUNCES,
    )
    return keyset_batches(subscriptions)


def keyset_batches(subscriptions: QuerySet[Subscription]) -> Iterator[list[Subscription]]:
    """`subscriptions` in batches of BATCH by primary key: constant memory, no growing
    OFFSET (also the reminders' walk)."""
    subscriptions = subscriptions.order_by("pk")
    last = 0
    while batch := list(subscriptions.filter(pk__gt=last)[:BATCH]):
        yield batch
        last = batch[-1].pk


def send_digests(frequency: str, on: dt.date | None = None, dry_run: bool = False) -> Report:
    digest = compose(frequency, on)
    if digest is None:
        return _no_digest(frequency, on, dry_run)
    report = Report(period_key=digest.period_key, dry_run=dry_run)
    connection = None if dry_run else get_connection()
    for_you = ForYou(digest)
    try:
        for batch in due_subscriptions(frequency):
            _send_batch(digest, for_you, batch, report, connection)
    except _ServerDown as down:
        # The rest stay unclaimed for the next run, rather than each waiting out a timeout
        # against a server that is not there (and collecting a failed attempt for nothing).
        report.stopped = str(down)
    finally:
        if connection is not None:
            connection.close()
    return report


def send_one(frequency: str, address: str, on: dt.date | None = None) -> Report:
    """The digest to one subscribed address, outside the exactly-once bookkeeping (a test
    or a hand re-send): nothing is claimed or recorded."""
    subscription = Subscription.objects.filter(email=address.strip().lower()).first()
    if subscription is None:
        raise LookupError(f"no subscription for {address!r}")
    if subscription.unsubscribed_at is not None:
        raise LookupError(f"{address!r} has unsubscribed: no digest goes there any more")
    digest = compose(frequency, on)
    if digest is None:
        return _no_digest(frequency, on)
    message(digest, subscription, for_you=section_for(digest, subscription)).send()
    return Report(period_key=digest.period_key, sent=1)


def _no_digest(frequency: str, on: dt.date | None, dry_run: bool = False) -> Report:
    period = digest_period(frequency, on)
    key = f"{frequency}:{period.key}" if period else ""
    return Report(period_key=key, no_digest=True, dry_run=dry_run)


def _send_batch(
    digest: Digest, for_you: ForYou, batch: list[Subscription], report: Report, connection
) -> None:
    existing = {
        delivery.subscription_id: delivery
        for delivery in DigestDelivery.objects.filter(
            subscription__in=batch, period_key=digest.period_key
        )
    }
    now = timezone.now()
    due = []
    for subscription in batch:
        delivery = existing.get(subscription.pk)
        if delivery is not None and not _retry_due(delivery, now):
            _count_unclaimable(delivery, report)
        else:
            due.append(subscription)
    # Sections only for what this run will send: a re-run over delivered rows picks nothing.
    sections = for_you.sections(due)
    for subscription in due:
        section = sections.get(subscription.pk, [])
        email = message(digest, subscription, connection=connection, for_you=section)
        if report.dry_run:
            # Built as the SMTP server would receive it (MIME, encoded): the real run's cost.
            email.message().as_bytes()
            report.sent += 1
            continue
        delivery = _claim(
            digest, subscription, existing.get(subscription.pk), email, section, report
        )
        if delivery is not None:
            _deliver(subscription, delivery, email, report, connection)


def _claim(
    digest: Digest,
    subscription: Subscription,
    delivery: DigestDelivery | None,
    email: EmailMessage,
    section: list[DigestPaper],
    report: Report,
) -> DigestDelivery | None:
    """The delivery row this run now owns, or None (counted) when another run has it. The
    claim carries the email's Message-ID (a stuck row names the message that may have gone)
    and its "for you" papers (never shown again), in the one write."""
    now, message_id = timezone.now(), email.extra_headers["Message-ID"]
    for_you_ids = section_ids(section)
    if delivery is None:
        try:
            with transaction.atomic():
                return DigestDelivery.objects.create(
                    subscription=subscription,
                    period_key=digest.period_key,
                    claimed_at=now,
                    message_id=message_id,
                    for_you_ids=for_you_ids,
                )
        except IntegrityError:
            report.skipped += 1  # a concurrent run claimed it between our read and insert
            return None
    # Compare-and-set on the row's state as read: of two runs retrying it, one wins.
    won = DigestDelivery.objects.filter(
        pk=delivery.pk, status=DigestDelivery.FAILED, attempts=delivery.attempts
    ).update(
        status=DigestDelivery.CLAIMED,
        claimed_at=now,
        message_id=message_id,
        for_you_ids=for_you_ids,
    )
    if not won:
        report.skipped += 1
        return None
    return delivery


def _retry_due(delivery: DigestDelivery, now: dt.datetime) -> bool:
    if delivery.status != DigestDelivery.FAILED or delivery.attempts >= MAX_ATTEMPTS:
        return False
    wait = RETRY_AFTER * 2 ** max(delivery.attempts - 1, 0)
    return delivery.claimed_at + wait <= now


def _count_unclaimable(delivery: DigestDelivery, report: Report) -> None:
    stale = delivery.claimed_at + STUCK_AFTER <= timezone.now()
    if delivery.status == DigestDelivery.CLAIMED and stale:
        report.stuck += 1
    elif delivery.status == DigestDelivery.FAILED and delivery.attempts < MAX_ATTEMPTS:
        report.waiting += 1
    else:
        report.skipped += 1


def _deliver(
    subscription: Subscription,
    delivery: DigestDelivery,
    email: EmailMessage,
    report: Report,
    connection,
) -> None:
    try:
        # Opened here, not by send(): send() closes a connection it opened itself, and one
        # SMTP session for the whole run is what keeps 100 K messages cheap.
        connection.open()
        email.send()
    except (smtplib.SMTPException, OSError) as error:
        connection.close()  # a broken session must not poison the next message
        _record_failure(subscription, delivery, error)
        report.failed += 1
        report.errors.append(f"{subscription.email}: {error}")
        if server_down(error):
            raise _ServerDown(str(error)) from error
        return
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        status=DigestDelivery.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, error=""
    )
    report.sent += 1


def _record_failure(subscription: Subscription, delivery: DigestDelivery, error: Exception) -> None:
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        status=DigestDelivery.FAILED, attempts=F("attempts") + 1, error=str(error)[:2000]
    )
    if _permanent(error):
        Subscription.objects.filter(pk=subscription.pk).update(hard_bounces=F("hard_bounces") + 1)


def _permanent(error: Exception) -> bool:
    """A 5xx answer about this message or recipient (not the connection): a hard bounce."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code >= 500 for code, _ in error.recipients.values())
    code = getattr(error, "smtp_code", 0)
    return isinstance(code, int) and 500 <= code < 600


class _ServerDown(Exception):
    """The mail server cannot be reached or refuses service: stop the run."""


def server_down(error: Exception) -> bool:
    """Whether `error` means no message can get through now (stop the run, spend no
    attempt): also used by resend-stuck and the reminders."""
    session_errors = (
        smtplib.SMTPConnectError,
        smtplib.SMTPServerDisconnected,
        smtplib.SMTPHeloError,
        smtplib.SMTPAuthenticationError,
    )
    if isinstance(error, session_errors) or not isinstance(error, smtplib.SMTPException):
        return True  # refused, timed out, TLS or login failed: no message can get through
    return getattr(error, "smtp_code", 0) == 421  # "service not available, closing"
