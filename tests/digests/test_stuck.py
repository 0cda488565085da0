"""Stuck deliveries for an operator: `digests stuck` lists what a dead run left claimed,
`digests resend-stuck` sends it again (by hand only), once even with two operators at it."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from io import StringIO

import pytest
from django.core.mail import make_msgid
from django.core.management import call_command
from django.utils import timezone

from dailypapers.digests.models import DigestDelivery
from dailypapers.digests.send import STUCK_AFTER
from dailypapers.digests.stuck import resend_stuck
from tests.digests.helpers import subscribe
from tests.factories import make_member, make_submitted_paper
from tests.papers.shared_db import shared_database  # noqa: F401
from tests.smtp import free_port
from tests.threads import at_once

DAY = dt.date(2026, 11, 20)
DAILY = "daily:2026-11-20"


@pytest.fixture
def paper(settings):
    settings.BASE_URL = "https://papers.example.org"
    return make_submitted_paper(DAY, upvotes=5, title="Stuck paper")


def delivery(email: str, status: str = "claimed", age_minutes: int = 20, key: str = DAILY):
    """A delivery row as a run leaves it; `age_minutes` since it was claimed."""
    return DigestDelivery.objects.create(
        subscription=subscribe(email, frequency=key.split(":")[0]),
        period_key=key,
        status=status,
        claimed_at=timezone.now() - dt.timedelta(minutes=age_minutes),
        message_id=make_msgid(domain="localhost"),
    )


def run(*args: str, stdin: str | None = None, monkeypatch=None) -> tuple[str, str, int]:
    """The command's stdout, stderr and exit code."""
    out, err = StringIO(), StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        call_command("digests", *args, stdout=out, stderr=err)
    except SystemExit as exit:
        return out.getvalue(), err.getvalue(), exit.code
    return out.getvalue(), err.getvalue(), 0


@pytest.mark.django_db
def test_stuck_lists_only_claims_older_than_stuck_after(paper):
    stuck = delivery("stuck@example.org", age_minutes=16)
    delivery("young@example.org", age_minutes=5)  # another run at work
    delivery("sent@example.org", status="sent")
    delivery("failed@example.org", status="failed")
    weekly = delivery("weekly@example.org", age_minutes=16, key="weekly:2026-W47")
    left = delivery("left@example.org")  # unsubscribed since: nothing to do about it
    left.subscription.unsubscribed_at = timezone.now()
    left.subscription.save(update_fields=["unsubscribed_at"])

    out, _, code = run("stuck")

    assert code == 1  # something to look at: monitoring sees it
    lines = out.splitlines()
    assert lines[-1] == "stuck: 2"
    email, period, claimed_at, message_id = lines[0].split("\t")
    assert (email, period, message_id) == ("stuck@example.org", DAILY, stuck.message_id)
    assert dt.datetime.fromisoformat(claimed_at) == stuck.claimed_at.replace(microsecond=0)
    assert lines[1].split("\t")[:2] == ["weekly@example.org", weekly.period_key]
    # Filtered by frequency, and by the period holding a date.
    assert run("stuck", "--period", "weekly")[0].splitlines()[-1] == "stuck: 1"
    assert run("stuck", "--date", "2026-11-20")[0].splitlines()[-1] == "stuck: 2"
    assert run("stuck", "--period", "weekly", "--date", "2026-11-27")[::2] == ("stuck: 0\n", 0)


@pytest.mark.django_db
def test_resend_stuck_sends_each_stuck_one_again_and_marks_it_sent(smtp_server, paper):
    first = delivery("first@example.org")
    second = delivery("second@example.org", age_minutes=60)
    delivery("young@example.org", age_minutes=5)
    delivery("done@example.org", status="sent")

    out, _, code = run("resend-stuck", "--period", "daily", "--date", "2026-11-21", "--yes")

    assert code == 0 and "resent 2, skipped 0, failed 0" in out
    assert sorted(r for m in smtp_server.messages for r in m.recipients) == [
        "first@example.org",
        "second@example.org",
    ]
    (received,) = smtp_server.to("first@example.org")
    # The digest itself, both parts, under the Message-ID of the copy that may have arrived.
    assert received.message["Message-ID"] == first.message_id
    assert "Stuck paper" in received.text and "Stuck paper" in received.html
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    for row in (first, second):
        row.refresh_from_db()
        assert row.status == "sent" and row.sent_at is not None and row.attempts == 1
    young = DigestDelivery.objects.get(subscription__email="young@example.org")
    assert young.status == "claimed"

    # Nothing left to resend, and a regular run counts them as delivered.
    out, _, code = run("resend-stuck", "--period", "daily", "--yes")
    assert (out, code) == ("resent 0: nothing stuck\n", 0)
    out, _, code = run("send", "--period", "daily", "--date", "2026-11-20")
    assert "sent 0, skipped (already) 4" in out and "stuck 0" in out
    assert len(smtp_server.messages) == 2


@pytest.mark.django_db
def test_a_resend_carries_the_for_you_papers_its_claim_stored(smtp_server, paper):
    member = make_member("reader")
    # Of another day: only the section can show it (the top list is the day's).
    picked = make_submitted_paper(DAY - dt.timedelta(days=1), title="Picked for this member")
    stuck = delivery("reader@example.org")
    DigestDelivery.objects.filter(pk=stuck.pk).update(for_you_ids=[picked.pk])
    stuck.subscription.user = member
    stuck.subscription.save(update_fields=["user"])

    run("resend-stuck", "--period", "daily", "--yes")

    (received,) = smtp_server.to("reader@example.org")
    assert "Picked for this member" in received.text and "Picked for this member" in received.html
    assert any("/digest/not-interested/" in link for link in received.links())
    stuck.refresh_from_db()
    assert stuck.for_you_ids == [picked.pk] and stuck.status == "sent"


@pytest.mark.django_db
def test_resend_stuck_email_sends_only_that_address(smtp_server, paper):
    delivery("one@example.org")
    delivery("other@example.org")

    out, _, code = run("resend-stuck", "--period", "daily", "--email", "One@Example.org", "--yes")

    assert code == 0 and "resent 1," in out
    assert [m.recipients for m in smtp_server.messages] == [["one@example.org"]]
    assert run("stuck")[0].splitlines()[-1] == "stuck: 1"


@pytest.mark.django_db
def test_resend_stuck_asks_first_without_yes(smtp_server, paper, monkeypatch):
    stuck = delivery("ask@example.org")

    out, _, code = run("resend-stuck", "--period", "daily", stdin="n\n", monkeypatch=monkeypatch)

    assert code == 0
    assert f"ask@example.org\t{DAILY}" in out and stuck.message_id in out
    assert "mail server's log" in out and out.endswith("resent 0: not confirmed\n")
    assert smtp_server.messages == []

    out, _, code = run("resend-stuck", "--period", "daily", stdin="y\n", monkeypatch=monkeypatch)
    assert code == 0 and "resent 1," in out
    assert len(smtp_server.to("ask@example.org")) == 1


@pytest.mark.django_db
def test_an_unreachable_server_leaves_it_to_the_retries_and_exits_1(settings, paper):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    first, second = delivery("a@example.org"), delivery("b@example.org")

    out, err, code = run("resend-stuck", "--period", "daily", "--yes")

    assert code == 1 and "resent 0, skipped 0, failed 1" in out and "a@example.org" in err
    first.refresh_from_db()
    second.refresh_from_db()
    # Not sent, so the regular runs may retry it; the run stopped before the second one.
    assert (first.status, first.attempts) == ("failed", 1)
    assert second.status == "claimed"


@pytest.mark.django_db
def test_a_stuck_delivery_of_a_period_that_lost_its_papers_is_not_sent(smtp_server, paper):
    delivery("gone@example.org")
    paper.submission.delete()

    out, err, code = run("resend-stuck", "--period", "daily", "--yes")

    assert code == 1 and "failed 1" in out and "no papers" in err
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_two_operators_resending_at_once_send_each_once(shared_database, smtp_server):  # noqa: F811
    make_submitted_paper(DAY, upvotes=1)
    addresses = [f"stuck{n}@example.org" for n in range(10)]
    for address in addresses:
        delivery(address, age_minutes=int(STUCK_AFTER.total_seconds() // 60) + 5)

    reports, errors = at_once([lambda: resend_stuck("daily", DAY)] * 2)

    assert errors == []
    assert Counter(r for m in smtp_server.messages for r in m.recipients) == Counter(addresses)
    assert sum(report.resent for report in reports) == 10
    assert DigestDelivery.objects.filter(status="sent").count() == 10
