"""Sending digests over a real SMTP server: each subscription gets a period's digest once."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dailypapers.digests import send
from dailypapers.digests.models import DigestDelivery, Subscription
from dailypapers.digests.send import send_digests
from tests.digests.helpers import subscribe
from tests.factories import make_submitted_paper
from tests.smtp import free_port

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 20)


@pytest.fixture
def papers(settings):
    settings.BASE_URL = "https://papers.example.org"
    return [make_submitted_paper(DAY, upvotes=n, title=f"Paper {n}") for n in (3, 8)]


def run(*args):
    """The command's output and exit code (0 unless it raised SystemExit)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("digests", "send", *args, stdout=out, stderr=StringIO())
    except SystemExit as exit:
        return out.getvalue(), exit.code
    return out.getvalue(), 0


def test_each_active_subscriber_gets_the_digest_once(smtp_server, papers):
    subscribe("a@example.org")
    subscribe("b@example.org")
    subscribe("weekly@example.org", frequency="weekly")
    subscribe("unconfirmed@example.org", confirmed=False)
    subscribe("gone@example.org", unsubscribed_at=timezone.now())
    subscribe("bounced@example.org", hard_bounces=3)

    out, code = run("--period", "daily", "--date", "2026-11-21")
    assert code == 0
    assert "daily:2026-11-20: sent 2, skipped (already) 0, failed 0" in out
    assert sorted(r for m in smtp_server.messages for r in m.recipients) == [
        "a@example.org",
        "b@example.org",
    ]

    out, code = run("--period", "daily", "--date", "2026-11-21")
    assert "sent 0, skipped (already) 2" in out
    assert len(smtp_server.messages) == 2
    deliveries = DigestDelivery.objects.filter(status="sent")
    assert deliveries.count() == 2
    assert {d.message_id for d in deliveries} == {
        str(m.message["Message-ID"]) for m in smtp_server.messages
    }


def test_the_received_message(smtp_server, papers):
    subscribe("reader@example.org")
    send_digests("daily", DAY)
    (received,) = smtp_server.to("reader@example.org")
    assert received.subject == "Daily Papers: the day's top papers, Nov 20, 2026"
    assert received.text.index("Paper 8") < received.text.index("Paper 3")
    assert '<a href="https://papers.example.org/papers/' in received.html
    links = received.links()
    assert links and all(link.startswith("https://papers.example.org/") for link in links)
    assert any("/unsubscribe/" in link for link in links)
    headers = received.message
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<https://papers.example.org/unsubscribe/" in headers["List-Unsubscribe"]
    assert "mailto:" in headers["List-Unsubscribe"]


def test_a_hostile_title_stays_inert(smtp_server, settings):
    make_submitted_paper(DAY, title='<script>alert(1)</script><a href="javascript:x()">y</a>')
    subscribe("reader@example.org")
    send_digests("daily", DAY)
    (received,) = smtp_server.messages
    assert "<script>" not in received.html
    assert 'href="javascript:' not in received.html
    assert "&lt;script&gt;" in received.html


def test_a_failed_send_is_retried_after_the_backoff(smtp_server, settings, papers):
    subscribe("reader@example.org")
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()  # nobody listens there
    out, code = run("--period", "daily", "--date", "2026-11-20")
    assert code == 1 and "failed 1" in out
    delivery = DigestDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 1)
    assert delivery.error

    settings.EMAIL_PORT = port
    out, code = run("--period", "daily", "--date", "2026-11-20")
    assert "sent 0" in out and "waiting to retry 1" in out
    assert smtp_server.messages == []

    DigestDelivery.objects.update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    out, code = run("--period", "daily", "--date", "2026-11-20")
    assert code == 0 and "sent 1" in out
    assert len(smtp_server.to("reader@example.org")) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert Subscription.objects.get().hard_bounces == 0


def test_a_permanent_refusal_counts_a_hard_bounce(smtp_server, papers):
    async def refuse(server, session, envelope):
        return "550 5.1.1 mailbox unavailable"

    smtp_server.handle_DATA = refuse
    subscribe("nobody@example.org")
    report = send_digests("daily", DAY)
    assert report.failed == 1
    assert Subscription.objects.get().hard_bounces == 1
    assert DigestDelivery.objects.get().status == "failed"


def test_a_claim_left_by_a_killed_run_is_not_sent_again(smtp_server, papers):
    subscription = subscribe("reader@example.org")
    claim = DigestDelivery.objects.create(
        subscription=subscription, period_key="daily:2026-11-20", claimed_at=timezone.now()
    )
    out, code = run("--period", "daily", "--date", "2026-11-20")
    assert code == 0 and "skipped (already) 1" in out and "stuck 0" in out  # another run's
    claim.claimed_at -= dt.timedelta(hours=1)
    claim.save()
    out, code = run("--period", "daily", "--date", "2026-11-20")
    assert code == 1 and "stuck 1" in out
    assert smtp_server.messages == []


def test_dry_run_sends_and_claims_nothing(smtp_server, papers):
    subscribe("a@example.org")
    subscribe("b@example.org")
    out, code = run("--period", "daily", "--date", "2026-11-20", "--dry-run")
    assert code == 0 and "would send 2" in out
    assert smtp_server.messages == [] and not DigestDelivery.objects.exists()


def test_one_address_by_hand(smtp_server, papers):
    subscribe("a@example.org")
    subscribe("b@example.org")
    out, code = run("--period", "daily", "--date", "2026-11-20", "--email", "B@example.org")
    assert code == 0 and "sent 1" in out
    assert [m.recipients for m in smtp_server.messages] == [["b@example.org"]]
    assert not DigestDelivery.objects.exists()
    with pytest.raises(CommandError, match="no subscription"):
        run("--period", "daily", "--email", "stranger@example.org")
    subscribe("gone@example.org", unsubscribed_at=timezone.now())
    with pytest.raises(CommandError, match="has unsubscribed"):
        run("--period", "daily", "--email", "gone@example.org")
    assert len(smtp_server.messages) == 1


def test_no_papers_no_digest(smtp_server):
    subscribe("a@example.org")
    out, code = run("--period", "weekly", "--date", "2026-11-20")
    assert code == 0 and out == "weekly:2026-W47: no digest, no papers in the period\n"
    out, code = run("--period", "daily", "--date", "2026-11-20")
    assert out == "no feed day: no digest, no papers in the period\n"
    assert smtp_server.messages == []


def test_a_bad_date_is_a_clear_error():
    with pytest.raises(CommandError, match="not a date"):
        run("--period", "daily", "--date", "20-11-2026")


def test_an_address_at_the_bounce_limit_gets_no_more(smtp_server, settings, papers):
    settings.DIGEST_MAX_BOUNCES = 1
    subscribe("reader@example.org", hard_bounces=1)
    subscribe("other@example.org", hard_bounces=0)
    assert send_digests("daily", DAY).sent == 1
    assert [m.recipients for m in smtp_server.messages] == [["other@example.org"]]


def test_an_unreachable_server_stops_the_run(smtp_server, settings, papers):
    for n in range(3):
        subscribe(f"reader{n}@example.org")
    settings.EMAIL_PORT = free_port()
    out, code = run("--period", "daily", "--date", "2026-11-20")
    assert code == 1 and "failed 1" in out and "stopped early" in out
    # The others stay unclaimed: the next run sends them without waiting for a backoff.
    assert DigestDelivery.objects.count() == 1


def test_a_delivery_is_given_up_after_the_last_attempt(smtp_server, papers):
    subscription = subscribe("reader@example.org")
    DigestDelivery.objects.create(
        subscription=subscription,
        period_key="daily:2026-11-20",
        status="failed",
        attempts=send.MAX_ATTEMPTS,
        claimed_at=timezone.now() - dt.timedelta(days=30),
    )
    report = send_digests("daily", DAY)
    assert (report.sent, report.skipped, report.waiting) == (0, 1, 0)
    assert smtp_server.messages == []
