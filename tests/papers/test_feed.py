import datetime as dt

import pytest
from django.urls import reverse

from dailypapers.papers.models import Submission
from tests.factories import make_organization, make_paper, make_submitted_paper, submit

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)


def titles(response) -> list[str]:
    return [paper.title for paper in response.context["page"]]


def test_day_view_ranks_by_upvotes_then_submission_time(client):
    make_submitted_paper(DAY, upvotes=3, title="Three")
    late = make_paper(title="Ten, late", imported_upvotes=10)
    submit(late, DAY, hour=20)
    early = make_paper(title="Ten, early", imported_upvotes=10)
    submit(early, DAY, hour=8)
    make_submitted_paper(DAY + dt.timedelta(days=1), upvotes=99, title="Other day")

    response = client.get(reverse("papers:day", args=["2025-03-12"]))

    assert response.status_code == 200
    assert titles(response) == ["Ten, early", "Ten, late", "Three"]


def test_local_votes_add_to_imported_counts_in_ranking(client):
    make_submitted_paper(DAY, upvotes=5, title="Imported five")
    local = make_submitted_paper(DAY, upvotes=4, title="Four plus two local")
    local.upvotes = 2
    local.save()

    response = client.get(reverse("papers:day", args=["2025-03-12"]))

    assert titles(response) == ["Four plus two local", "Imported five"]
    assert b">6<" in response.content


def test_hidden_submissions_are_not_listed(client):
    make_submitted_paper(DAY, title="Visible")
    hidden = make_submitted_paper(DAY, title="Hidden one")
    Submission.objects.filter(paper=hidden).update(hidden=True)

    response = client.get(reverse("papers:day", args=["2025-03-12"]))

    assert titles(response) == ["Visible"]


def test_date_navigation_skips_empty_days(client):
    make_submitted_paper(dt.date(2025, 3, 1), title="Before")
    make_submitted_paper(DAY, title="Middle")
    make_submitted_paper(dt.date(2025, 3, 20), title="After")

    response = client.get(reverse("papers:day", args=["2025-03-12"]))

    assert response.context["previous"].key == "2025-03-01"
    assert response.context["next"].key == "2025-03-20"
    assert b'href="/papers/date/2025-03-01"' in response.content


def test_week_and_month_views_cover_their_period(client):
    make_submitted_paper(dt.date(2025, 3, 10), upvotes=1, title="Monday")
    make_submitted_paper(dt.date(2025, 3, 16), upvotes=2, title="Sunday")
    make_submitted_paper(dt.date(2025, 3, 17), upvotes=3, title="Next Monday")
    make_submitted_paper(dt.date(2025, 4, 1), upvotes=4, title="April")

    week = client.get(reverse("papers:week", args=["2025-W11"]))
    month = client.get(reverse("papers:month", args=["2025-03"]))

    assert titles(week) == ["Sunday", "Monday"]
    assert titles(month) == ["Next Monday", "Sunday", "Monday"]
    assert month.context["next"].key == "2025-04"
    assert week.context["next"].key == "2025-W12"


@pytest.mark.parametrize(
    "url",
    [
        "/papers/date/2025-13-01",
        "/papers/date/20250301",
        "/papers/date/yesterday",
        "/papers/week/2025-W54",
        "/papers/week/2025-11",
        "/papers/month/2025-00",
        "/papers/month/March",
        "/papers/date/2026-06-01%0A",
        "/papers/week/2026-W01%0A",
        "/papers/month/2026-06%0A",
        # 2026-06-01, 2026-W01 and 2026-06 in Arabic-Indic digits.
        "/papers/date/\u0662\u0660\u0662\u0666-\u0660\u0666-\u0660\u0661",
        "/papers/week/\u0662\u0660\u0662\u0666-W\u0660\u0661",
        "/papers/month/\u0662\u0660\u0662\u0666-\u0660\u0666",
    ],
)
def test_malformed_dates_give_404_page(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert b"Search every paper" in response.content


def test_home_falls_back_to_latest_day_and_says_so(client):
    make_submitted_paper(DAY, title="Old news")

    response = client.get("/")

    assert titles(response) == ["Old news"]
    assert "showing the latest day with papers, Mar 12, 2025" in response.content.decode()


def test_card_shows_org_authors_comments_code_and_date(client):
    org = make_organization("deepthink", fullname="DeepThink Lab")
    make_submitted_paper(
        DAY,
        upvotes=7,
        organization=org,
        authors=("A One", "B Two", "C Three", "D Four", "E Five", "F Six"),
        imported_comments=3,
        github_repo="https://github.com/example/repo",
        github_stars=1200,
    )

    html = client.get(reverse("papers:day", args=["2025-03-12"])).content.decode()

    assert "DeepThink Lab" in html
    assert "A One" in html and "D Four" in html and "E Five" not in html
    assert "+2 more" in html
    assert "0 comments" in html and "3 comments on Hugging Face" in html
    assert 'href="https://github.com/example/repo"' in html
    assert "1,200" in html
    assert "Mar 12, 2025" in html


def test_hostile_abstract_is_escaped(client):
    make_submitted_paper(DAY, abstract='<script>alert("x")</script> $x^2$')

    html = client.get(reverse("papers:day", args=["2025-03-12"])).content.decode()

    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_latest_week_redirects_to_the_week_with_papers(client):
    make_submitted_paper(DAY)

    response = client.get("/papers/week")

    assert response.status_code == 302
    assert response.url == "/papers/week/2025-W11"


def test_card_counts_the_comments_the_paper_page_shows_and_labels_imported_ones(client):
    from django.contrib.auth.models import User

    from dailypapers.papers.models import Comment

    paper = make_submitted_paper(DAY, imported_comments=2)
    user = User.objects.create(username="reader")
    Comment.objects.create(paper=paper, author=user, body="Nice")
    Comment.objects.create(paper=paper, author=user, body="Spam", hidden=True)

    html = client.get(reverse("papers:day", args=["2025-03-12"])).content.decode()
    page = client.get(paper.get_absolute_url()).content.decode()

    assert "· 1 comment</span>" in html and "2 comments on Hugging Face" in html
    assert "3 comments" not in html
    assert 'Comments <span class="muted">(1)</span>' in page


def test_card_of_a_paper_with_only_imported_comments_says_none_here(client):
    make_submitted_paper(DAY, imported_comments=12)

    html = client.get(reverse("papers:day", args=["2025-03-12"])).content.decode()

    assert "· 0 comments</span>" in html and "12 comments on Hugging Face" in html


def test_excerpt_cuts_long_abstracts_at_a_word():
    from dailypapers.papers.templatetags.paper_tags import excerpt

    text = "word " * 100

    assert excerpt("short", 320) == "short"
    assert excerpt(text, 22) == "word word word word…"
    assert len(excerpt(text)) <= 321


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/papers/week",
        "/papers/month",
        "/papers/date/2025-03-12",
        "/papers/week/2025-W11",
        "/papers/month/2025-03",
        "/papers/date/9999-12-31",
        "/papers/week/9999-W52",
        "/papers/month/9999-12",
        "/papers/trending",
    ],
)
def test_a_submission_dated_in_year_9999_breaks_no_page(client, url):
    make_submitted_paper(DAY, title="Present")
    make_submitted_paper(dt.date(9999, 12, 31), title="Far future")

    response = client.get(url, follow=True)

    assert response.status_code == 200


def test_the_week_before_year_10000_is_a_neighbour_with_a_link(client):
    make_submitted_paper(DAY, title="Present")
    make_submitted_paper(dt.date(9999, 12, 31), title="Far future")

    week = client.get("/papers/week/2025-W11")
    last = client.get("/papers/week/9999-W52")

    assert b'href="/papers/week/9999-W52"' in week.content
    assert titles(last) == ["Far future"] and last.context["next"] is None


@pytest.mark.parametrize(
    "url,link",
    [
        ("/papers/date/2025-03-12", 'href="/papers/date/0999-01-05">← Jan 5, 0999<'),
        ("/papers/week/2025-W11", 'href="/papers/week/0999-W01">← Week 1 · Dec 31, 0998'),
        ("/papers/month/2025-03", 'href="/papers/month/0999-01">← January 0999<'),
    ],
)
def test_years_below_1000_are_zero_padded_in_links_and_labels(client, url, link):
    make_submitted_paper(DAY, title="Present")
    make_submitted_paper(dt.date(999, 1, 5), title="Ancient")

    assert link in client.get(url).content.decode()


def test_home_notice_writes_a_year_below_1000_with_four_digits(client):
    make_submitted_paper(dt.date(999, 1, 5), title="Ancient")

    html = client.get("/").content.decode()

    assert "showing the latest day with papers, Jan 5, 0999." in html
