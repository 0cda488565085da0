"""The one reminder an unconfirmed address gets.

DIGEST_REMIND_AFTER_HOURS after subscribing, an address that has not confirmed (nor left) gets
one more email with a fresh confirmation link, and then never another. The reminder is
recorded (`reminded_at`, a compare-and-set on NULL) before it is sent: two workers, or a run by
hand beside the worker, cannot both send it, and a run killed mid-send loses that reminder
rather than sending it twice.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass, field
from itertools import chain

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import QuerySet
from django.utils import timezone

from dailypapers.digests import tokens
from dailypapers.digests.models import Subscription
from dailypapers.digests.send import keyset_batches, server_down
from dailypapers.digests.services import confirmation_email

TEMPLATES = "digests/email/reminder"
# Addresses that subscribed longer ago than this get no reminder: someone who ignored the
# confirmation for over a week is not waiting for a nudge, and the first run after this
# feature ships (or after a long outage) does not write to every old unconfirmed address.
REMIND_WITHIN = dt.timedelta(seconds=tokens.CONFIRM_MAX_AGE)


@dataclass
class ReminderReport:
    sent: int = 0
    failed: int = 0  # recorded as reminded all the same: at most one, never two
    stopped: str = ""  # the mail server could not be reached: the rest wait for the next run
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        line = f"reminders: sent {self.sent}, failed {self.failed}"
        return f"{line}; stopped early: {self.stopped}" if self.stopped else line


def due_reminders(now: dt.datetime | None = None) -> QuerySet[Subscription]:
    """Unconfirmed, not unsubscribed, never reminded subscriptions created between
    REMIND_WITHIN and DIGEST_REMIND_AFTER_HOURS ago (0 or less: reminders are off)."""
    if settings.DIGEST_REMIND_AFTER_HOURS <= 0:
        return Subscription.objects.none()
    now = now or timezone.now()
    after = dt.timedelta(hours=settings.DIGEST_REMIND_AFTER_HOURS)
    return Subscription.objects.filter(
        confirmed_at__isnull=True,
        unsubscribed_at__isnull=True,
        reminded_at__isnull=True,
        hard_bounces__lt=settings.DIGEST_MAX_BOUNCES,
        created_at__lte=now - after,
        created_at__gt=now - REMIND_WITHIN,
    ).order_by("pk")


def send_reminders(now: dt.datetime | None = None) -> ReminderReport:
    """Send every due reminder once, over one SMTP connection."""
    report = ReminderReport()
    now = now or timezone.now()
    if not due_reminders(now).exists():
        return report  # the hourly job's usual case: no SMTP session for nothing
    connection = get_connection()
    try:
        # Connect before claiming anything: with the server down, no reminder is used up.
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        report.stopped = str(error)
        return report
    try:
        for subscription in chain.from_iterable(keyset_batches(due_reminders(now))):
            if not _claim(subscription, now):
                continue  # another run reminded it (or it was confirmed) in between
            error = _send(subscription, connection)
            if error is None:
                report.sent += 1
                continue
            report.failed += 1
            report.errors.append(f"{subscription.email}: {error}")
            if server_down(error):
                report.stopped = str(error)
                break
    finally:
        connection.close()
    return report


def _claim(subscription: Subscription, now: dt.datetime) -> bool:
    """Record the reminder; True for the one run whose update found it still due."""
    return bool(
        Subscription.objects.filter(
            pk=subscription.pk,
            reminded_at__isnull=True,
            confirmed_at__isnull=True,
            unsubscribed_at__isnull=True,
        ).update(reminded_at=now)
    )


def reminder_email(subscription: Subscription, connection=None) -> EmailMultiAlternatives:
    """The reminder: text and HTML, with a new confirmation link (valid a week from now,
    whatever the age of the first one)."""
    return confirmation_email(subscription, TEMPLATES, connection)


def _send(subscription: Subscription, connection) -> Exception | None:
    try:
        connection.open()  # a no-op while the session is open; reconnects after an error
        reminder_email(subscription, connection).send()
    except (smtplib.SMTPException, OSError) as error:
        connection.close()  # a broken session must not poison the next message
        return error
    return None
