"""The staff preview of a digest email and the public web version of a sent digest."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from dailypapers.digests import archive, tokens
from dailypapers.digests.compose import compose
from dailypapers.digests.models import DigestDelivery, Subscription
from dailypapers.digests.send import send_digests
from dailypapers.papers import services
from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.models import Paper
from dailypapers.papers.services.votes import set_upvote
from dailypapers.search import index_papers
from tests.digests.helpers import subscribe
from tests.factories import make_member, make_submitted_paper

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 20)  # a Friday, in ISO week 2026-W47
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"
PREVIEW = "/digest/preview"
ARABIC_DAY = "\u0662\u0660\u0662\u0666-\u0661\u0661-\u0662\u0660"  # 2026-11-20, Arabic-Indic


@pytest.fixture
def papers(settings):
    settings.BASE_URL = "https://papers.example.org"
    return [
        make_submitted_paper(DAY, upvotes=3, arxiv_id="2511.00003", title="Sparse attention"),
        make_submitted_paper(DAY, upvotes=8, arxiv_id="2511.00008", title="Rubric reward models"),
    ]


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_user(
        "editor", "editor@example.org", "a long test password", is_staff=True
    )
    client.force_login(user)
    return user


def text(response) -> str:
    return response.content.decode()


# --- the staff preview -----------------------------------------------------------------------


def test_staff_sees_the_exact_email_with_both_parts_and_its_headers(client, staff, papers):
    response = client.get(PREVIEW, {"period": "daily", "date": "2026-11-20"})
    assert response.status_code == 200
    page = text(response)
    assert "Daily Papers: the day&#x27;s top papers, Nov 20, 2026" in page  # the Subject header
    assert "editor@example.org" in page  # To
    assert re.search(r"<th[^>]*>From</th><td>[^<]+</td>", page)
    assert re.search(r"<th[^>]*>List-Unsubscribe</th><td>&lt;https://papers.example.org/", page)
    assert "List-Unsubscribe=One-Click" in page
    assert "Message-ID" in page
    # The text part in the page, the HTML part framed from ?part=html.
    assert "1. Rubric reward models" in page and "2. Sparse attention" in page
    frame = re.search(r'<iframe class="email-frame" src="([^"]+)"', page).group(1)
    assert frame == f"{PREVIEW}?period=daily&amp;date=2026-11-20&amp;part=html"
    assert "no-store" in response["Cache-Control"]  # their own links: never in a shared cache

    html = client.get(PREVIEW, {"period": "daily", "date": "2026-11-20", "part": "html"})
    assert html.status_code == 200 and html["Content-Type"] == "text/html; charset=utf-8"
    body = text(html)
    assert body.startswith("<!DOCTYPE html>")
    assert 'href="https://papers.example.org/papers/2511.00008"' in body
    assert body.index("Rubric reward models") < body.index("Sparse attention")
    # Framed by the preview page only, and nothing in it runs.
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    policy = html["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "frame-ancestors 'none'" not in policy
    assert "default-src 'none'" in policy and "sandbox" in policy and "script-src" not in policy

    plain = client.get(PREVIEW, {"period": "daily", "date": "2026-11-20", "part": "text"})
    assert plain.status_code == 200 and plain["Content-Type"] == "text/plain; charset=utf-8"
    assert "1. Rubric reward models" in text(plain)
    assert "https://papers.example.org/papers/2511.00003" in text(plain)
    assert "Unsubscribe: https://papers.example.org/unsubscribe/" in text(plain)


def test_the_rest_of_the_page_is_the_sites_and_keeps_its_policy(client, staff, papers):
    response = client.get(PREVIEW, {"period": "daily", "date": "2026-11-20"})
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_weekly_preview_is_the_iso_week(client, staff, papers):
    make_submitted_paper(DAY - dt.timedelta(days=4), upvotes=50, title="Monday's best")
    make_submitted_paper(DAY + dt.timedelta(days=3), upvotes=99, title="Next week's")
    response = client.get(PREVIEW, {"period": "weekly", "date": "2026-11-18", "part": "text"})
    assert response.status_code == 200
    body = text(response)
    assert "1. Monday's best" in body and "2. Rubric reward models" in body
    assert "Next week's" not in body


def test_the_date_defaults_to_today_in_the_feeds_time_zone(client, staff, settings):
    settings.FEED_TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: often a day ahead of UTC
    today = feed_today()
    make_submitted_paper(today - dt.timedelta(days=1), title="Yesterday's paper")
    make_submitted_paper(today, title="Today's paper")
    response = client.get(PREVIEW, {"period": "daily", "part": "text"})
    assert "1. Today's paper" in text(response)
    assert "Yesterday's paper" not in text(response)
    page = text(client.get(PREVIEW))  # the period defaults to daily
    assert f'value="{today.isoformat()}"' in page and "Today&#x27;s paper" in page


def test_a_staff_members_own_subscription_gets_their_real_links(client, staff, papers):
    own = subscribe("editor-digest@example.org", frequency="weekly", user=staff)
    page = text(client.get(PREVIEW, {"period": "daily", "date": "2026-11-20"}))
    assert "editor-digest@example.org" in page and "your own subscription" in page
    body = text(client.get(PREVIEW, {"period": "daily", "date": "2026-11-20", "part": "text"}))
    token = re.search(r"/unsubscribe/([^/\s]+)", body).group(1)
    assert tokens.read_unsubscribe(token) == own


def test_the_preview_has_the_members_for_you_section_as_the_sender_builds_it(
    client, staff, settings
):
    settings.BASE_URL = "https://papers.example.org"
    settings.DIGEST_SIZE = 1
    settings.DIGEST_FOR_YOU_MIN_UPVOTES = 3
    earlier = DAY - dt.timedelta(days=1)
    liked = [
        make_submitted_paper(earlier, title=f"Reward models for RLHF, part {n}", abstract=text_)
        for n, text_ in enumerate(
            [
                "Reward models trained on human preferences for reinforcement learning.",
                "Preference-based reward modelling for aligning language models with RLHF.",
                "Learning reward functions from pairwise human comparisons.",
            ]
        )
    ]
    make_submitted_paper(DAY, upvotes=9, title="Top of the day: galaxy rotation curves")
    make_submitted_paper(
        DAY,
        title="Reward model ensembles against reward hacking in RLHF",
        abstract="We train reward models from human preference data for reinforcement learning.",
    )
    index_papers(list(Paper.objects.values_list("pk", flat=True)))
    for paper in liked:
        set_upvote(staff, paper, True)
    subscribe("editor@example.org", user=staff, wants_for_you=True)

    body = text(client.get(PREVIEW, {"date": "2026-11-20", "part": "text"}))
    top, _, section = body.partition("For you:")
    assert "1. Top of the day: galaxy rotation curves" in top
    assert "* Reward model ensembles against reward hacking in RLHF" in section
    assert "Not interested: https://papers.example.org/digest/not-interested/" in section
    # Nothing recorded: the section is picked again by the real send.
    assert not DigestDelivery.objects.exists()


def test_without_a_subscription_nothing_is_saved_and_no_link_acts(client, staff, papers):
    # An address subscription that happens to share the staff member's address: the preview
    # must hand out no working link for it.
    stranger = subscribe("editor@example.org")
    body = text(client.get(PREVIEW, {"period": "daily", "date": "2026-11-20", "part": "text"}))
    assert "editor@example.org" in client.get(PREVIEW, {"date": "2026-11-20"}).content.decode()
    token = re.search(r"/unsubscribe/([^/\s]+)", body).group(1)
    with pytest.raises(tokens.BadToken):
        tokens.read_unsubscribe(token)
    one_click = client.post(f"/unsubscribe/{token}/one-click", {"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 400
    stranger.refresh_from_db()
    assert stranger.active
    assert list(Subscription.objects.all()) == [stranger]
    assert not DigestDelivery.objects.exists()


def test_a_visitor_is_sent_to_log_in(client, papers):
    response = client.get(PREVIEW, {"period": "daily", "date": "2026-11-20"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/digest/preview")
    for part in ("html", "text"):
        assert client.get(PREVIEW, {"date": "2026-11-20", "part": part}).status_code == 302


def test_a_member_who_is_not_staff_gets_a_404(client, papers):
    client.force_login(make_member())
    for part in ("", "html", "text"):
        response = client.get(PREVIEW, {"date": "2026-11-20", "part": part})
        assert response.status_code == 404
        assert "Rubric reward models" not in text(response)


@pytest.mark.parametrize(
    "params, says",
    [
        ({"period": "monthly"}, "The period must be daily or weekly."),
        ({"date": "2026-13-40"}, "The date must be a day written YYYY-MM-DD."),
        ({"date": "20261120"}, "The date must be a day written YYYY-MM-DD."),
        ({"date": ARABIC_DAY}, "The date must be a day written YYYY-MM-DD."),
        ({"date": "2026-11-20\n"}, "The date must be a day written YYYY-MM-DD."),
        ({"part": "pdf"}, "The part must be html or text"),
    ],
)
def test_bad_parameters_answer_400_saying_which(client, staff, papers, params, says):
    response = client.get(PREVIEW, {"period": "daily", "date": "2026-11-20", **params})
    assert response.status_code == 400
    assert says in text(response)
    assert "<form" in text(response)  # with the form to try again


def test_a_bad_date_keeps_the_chosen_period_in_the_form(client, staff, papers):
    response = client.get(PREVIEW, {"period": "weekly", "date": "2026-11-31"})
    assert response.status_code == 400
    assert '<option value="weekly" selected>' in text(response)


def test_a_bad_parameter_of_a_part_answers_plain_text(client, staff, papers):
    response = client.get(PREVIEW, {"date": "2026-02-30", "part": "html"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "The date must be a day" in text(response)


def test_a_period_without_papers_answers_404_saying_so(client, staff, papers):
    response = client.get(PREVIEW, {"period": "daily", "date": "2026-11-19"})
    assert response.status_code == 404
    assert "No daily digest for 2026-11-19: that period has no papers." in text(response)
    assert "<iframe" not in text(response)
    weekly = client.get(PREVIEW, {"period": "weekly", "date": "2026-11-30", "part": "text"})
    assert weekly.status_code == 404 and "No weekly digest for 2026-11-30" in text(weekly)


def test_hostile_titles_stay_inert_in_the_preview(client, staff, settings):
    settings.BASE_URL = "https://papers.example.org"
    make_submitted_paper(DAY, title=HOSTILE, abstract=HOSTILE)
    page = text(client.get(PREVIEW, {"date": "2026-11-20"}))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the text part, shown as text
    html = text(client.get(PREVIEW, {"date": "2026-11-20", "part": "html"}))
    assert "<script>alert" not in html and "<img src=x" not in html
    plain = client.get(PREVIEW, {"date": "2026-11-20", "part": "text"})
    assert plain["Content-Type"] == "text/plain; charset=utf-8"
    assert plain["X-Content-Type-Options"] == "nosniff"  # never sniffed into HTML


# --- the public web version ------------------------------------------------------------------


def web(client, path: str):
    return client.get(f"/digest/{path}")


def test_the_web_version_appears_once_the_digest_is_sent(client, smtp_server, papers):
    subscribe("reader@example.org")
    assert web(client, "daily/2026-11-20").status_code == 404  # composed, never sent
    # A "no" is kept for NOT_SENT_SECONDS (the lookup scans the deliveries): let it expire.
    cache.delete(archive.sent_cache_key("daily:2026-11-20"))
    assert send_digests("daily", DAY).sent == 1

    response = web(client, "daily/2026-11-20")
    assert response.status_code == 200
    page = text(response)
    assert "The top papers of the day" in page and "Nov 20, 2026" in page
    assert page.index("Rubric reward models") < page.index("Sparse attention")
    # A page of this site: relative links to the papers, the site's layout.
    assert 'href="/papers/2511.00008"' in page
    assert "papers.example.org" not in page
    assert 'class="brand"' in page and "Search any paper" in page
    # The shared part only: no subscriber, no token, no unsubscribe link.
    assert "reader@example.org" not in page
    assert "/unsubscribe/" not in page
    assert "Manage preferences" not in page


def test_a_preview_before_the_send_does_not_hide_the_web_version(
    client, staff, smtp_server, papers
):
    subscribe("reader@example.org")
    page = text(client.get(PREVIEW, {"date": "2026-11-20"}))
    assert 'href="/digest/daily/2026-11-20"' in page and "404 until then" in page
    send_digests("daily", DAY)
    assert web(client, "daily/2026-11-20").status_code == 200
    assert "404 until then" not in text(client.get(PREVIEW, {"date": "2026-11-20"}))


def test_the_web_version_is_public_and_the_same_for_everyone(client, smtp_server, papers):
    subscribe("reader@example.org")
    send_digests("daily", DAY)
    anonymous = text(web(client, "daily/2026-11-20"))
    client.force_login(make_member())
    member = text(web(client, "daily/2026-11-20"))
    for page in (anonymous, member):
        assert "Rubric reward models" in page and "Sparse attention" in page


def test_the_weekly_web_version(client, smtp_server, papers):
    make_submitted_paper(DAY - dt.timedelta(days=4), upvotes=50, title="Monday's best")
    subscribe("weekly@example.org", frequency="weekly")
    assert web(client, "weekly/2026-W47").status_code == 404
    cache.delete(archive.sent_cache_key("weekly:2026-W47"))
    send_digests("weekly", DAY)
    page = text(web(client, "weekly/2026-W47"))
    assert "The top papers of the week" in page and "Week 47" in page
    assert page.index("Monday&#x27;s best") < page.index("Rubric reward models")
    # The daily digest of a day of that week was never sent.
    assert web(client, "daily/2026-11-20").status_code == 404


def test_a_claimed_or_failed_delivery_is_not_a_sent_digest(client, papers):
    for email, status in (("a@example.org", "claimed"), ("b@example.org", "failed")):
        DigestDelivery.objects.create(
            subscription=subscribe(email),
            period_key="daily:2026-11-20",
            status=status,
            claimed_at=timezone.now(),
        )
    assert web(client, "daily/2026-11-20").status_code == 404


def test_a_sent_daily_digest_of_another_day_shows_nothing_here(client, papers):
    DigestDelivery.objects.create(
        subscription=subscribe("a@example.org"),
        period_key="daily:2026-11-20",
        status="sent",
        claimed_at=timezone.now(),
    )
    assert web(client, "daily/2026-11-20").status_code == 200
    # 2026-11-21 has no papers: the daily digest "on or before" it is the 20th's, but that is
    # another page.
    assert web(client, "daily/2026-11-21").status_code == 404


def test_a_paper_hidden_since_the_send_leaves_the_web_version(client, smtp_server, papers):
    subscribe("reader@example.org")
    send_digests("daily", DAY)
    services.set_paper_hidden(papers[1], True)
    page = text(web(client, "daily/2026-11-20"))
    assert "Rubric reward models" not in page and "Sparse attention" in page


def test_hostile_titles_stay_inert_on_the_web_version(client, smtp_server, settings):
    make_submitted_paper(DAY, title=HOSTILE, abstract=HOSTILE)
    subscribe("reader@example.org")
    send_digests("daily", DAY)
    page = text(web(client, "daily/2026-11-20"))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "path",
    [
        "daily/2026-13-40",
        "daily/2026-02-30",
        "daily/0000-01-01",
        "daily/20261120",
        "daily/2026-11-20x",
        f"daily/{ARABIC_DAY}",
        "daily/2026-W47",  # a week under daily
        "weekly/2026-11-20",  # a day under weekly
        "weekly/2026-W60",
        "weekly/2026-W00",
        "weekly/2025-W53",  # 2025 has 52 ISO weeks
        "weekly/9999-W99",
        "monthly/2026-11",
    ],
)
def test_bad_keys_answer_404(client, papers, path):
    DigestDelivery.objects.create(
        subscription=subscribe("a@example.org"),
        period_key="daily:2026-11-20",
        status="sent",
        claimed_at=timezone.now(),
    )
    assert web(client, path).status_code == 404


def test_the_web_version_url_is_absolute_on_the_public_origin(settings, papers):
    digest = compose("weekly", DAY)
    assert archive.web_version_url(digest) == "https://papers.example.org/digest/weekly/2026-W47"
    settings.BASE_URL = ""
    daily = compose("daily", DAY)
    assert archive.web_version_url(daily) == "http://localhost:8000/digest/daily/2026-11-20"


def test_every_email_links_its_web_version_in_both_parts(client, smtp_server, papers):
    subscribe("reader@example.org")
    send_digests("daily", DAY)
    email = smtp_server.messages[0]
    url = "https://papers.example.org/digest/daily/2026-11-20"
    assert f"View this digest in your browser: {url}" in email.text
    assert f'<a href="{url}"' in email.html
    assert web(client, "daily/2026-11-20").status_code == 200
