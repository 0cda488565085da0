"""The one reminder an unconfirmed address gets, over a real SMTP server: after
DIGEST_REMIND_AFTER_HOURS, never before, never to a confirmed or unsubscribed address, never
twice (run again, or runs at once), and its fresh link confirms."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from dailypapers.digests.models import Subscription
from dailypapers.digests.reminders import send_reminders
from dailypapers.digests.tasks import REMIND_MINUTE, remind_due, send_digest_reminders
from tests.digests.helpers import subscribe
from tests.papers.shared_db import shared_database  # noqa: F401
from tests.smtp import free_port
from tests.threads import at_once


def pending(email: str, hours_ago: float, **fields) -> Subscription:
    """An unconfirmed subscription made `hours_ago` hours ago."""
    subscription = subscribe(email, confirmed=False, **fields)
    created = timezone.now() - dt.timedelta(hours=hours_ago)
    Subscription.objects.filter(pk=subscription.pk).update(created_at=created)
    subscription.refresh_from_db()
    return subscription


def reminded(email: str) -> bool:
    return Subscription.objects.get(email=email).reminded_at is not None


@pytest.mark.django_db
def test_one_reminder_after_the_delay_not_before_and_only_to_the_unconfirmed(smtp_server, settings):
    settings.DIGEST_REMIND_AFTER_HOURS = 48
    pending("due@example.org", hours_ago=49)
    pending("early@example.org", hours_ago=47)
    pending("weekly@example.org", hours_ago=60, frequency="weekly")
    pending("long-ago@example.org", hours_ago=24 * 8)  # past the link's week: left alone
    pending("left@example.org", hours_ago=49, unsubscribed_at=timezone.now())
    pending("reminded@example.org", hours_ago=72, reminded_at=timezone.now())
    subscribe("confirmed@example.org")
    Subscription.objects.filter(email="confirmed@example.org").update(
        created_at=timezone.now() - dt.timedelta(hours=49)
    )

    report = send_reminders()

    assert (report.sent, report.failed) == (2, 0)
    assert sorted(r for m in smtp_server.messages for r in m.recipients) == [
        "due@example.org",
        "weekly@example.org",
    ]
    assert reminded("due@example.org") and not reminded("early@example.org")

    # Run again: nothing more; an hour later the early one's turn has come, once.
    assert send_reminders().sent == 0
    later = timezone.now() + dt.timedelta(hours=1)
    assert send_reminders(now=later).sent == 1
    assert send_reminders(now=later + dt.timedelta(hours=1)).sent == 0
    received = Counter(r for m in smtp_server.messages for r in m.recipients)
    assert received == {"due@example.org": 1, "weekly@example.org": 1, "early@example.org": 1}


@pytest.mark.django_db
def test_the_reminder_says_it_is_the_only_one_and_its_link_confirms(smtp_server, settings, client):
    settings.BASE_URL = "https://papers.example.org"
    pending("ada@example.org", hours_ago=50, frequency="weekly")

    send_reminders()

    (message,) = smtp_server.to("ada@example.org")
    assert message.subject == "Reminder: confirm your Daily Papers digest subscription"
    for part in (message.text, message.html):
        assert "only reminder" in part and "weekly Daily Papers digest" in part
    (link,) = [u for u in message.links() if "/subscribe/confirm/" in u]
    assert link.startswith("https://papers.example.org/subscribe/confirm/")
    assert f'href="{link}"' in message.html  # the same link in both parts
    path = re.sub(r"^https?://[^/]+", "", link)

    assert client.get(path).status_code == 200  # a mail scanner's visit confirms nothing
    assert not Subscription.objects.get().active
    assert client.post(path).status_code == 200
    assert Subscription.objects.get().active


@pytest.mark.django_db
def test_zero_hours_turns_reminders_off(smtp_server, settings):
    settings.DIGEST_REMIND_AFTER_HOURS = 0
    pending("off@example.org", hours_ago=49)

    assert send_reminders().sent == 0
    assert smtp_server.messages == [] and not reminded("off@example.org")


@pytest.mark.django_db
def test_digests_remind_command(smtp_server):
    pending("cli@example.org", hours_ago=49)
    out = StringIO()

    call_command("digests", "remind", stdout=out)

    assert out.getvalue() == "reminders: sent 1, failed 0\n"
    assert len(smtp_server.to("cli@example.org")) == 1


@pytest.mark.django_db
def test_an_unreachable_server_uses_up_no_reminder(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    pending("waiting@example.org", hours_ago=49)
    out = StringIO()

    with pytest.raises(SystemExit) as exit:
        call_command("digests", "remind", stdout=out)

    assert exit.value.code == 1
    assert "sent 0, failed 0; stopped early:" in out.getvalue()
    assert not reminded("waiting@example.org")  # the next run, with the server back, sends it


@pytest.mark.django_db(transaction=True)
def test_runs_at_once_send_each_reminder_once(shared_database, smtp_server):  # noqa: F811
    addresses = [f"pending{n}@example.org" for n in range(20)]
    for address in addresses:
        pending(address, hours_ago=49)

    reports, errors = at_once([send_reminders] * 3)

    assert errors == []
    assert Counter(r for m in smtp_server.messages for r in m.recipients) == Counter(addresses)
    assert sum(report.sent for report in reports) == 20


def test_the_job_is_hourly():
    day = dt.datetime(2026, 11, 16)
    minutes = [day + dt.timedelta(minutes=m) for m in range(24 * 60)]
    due = [when for when in minutes if remind_due(when)]
    assert due == [day.replace(hour=h, minute=REMIND_MINUTE) for h in range(24)]


@pytest.mark.django_db
def test_the_job_sends_the_due_reminders(smtp_server):
    pending("job@example.org", hours_ago=49)

    send_digest_reminders.call_local()

    assert len(smtp_server.to("job@example.org")) == 1
    assert reminded("job@example.org")
