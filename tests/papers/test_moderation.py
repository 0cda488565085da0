"""Moderators hide and unhide comments, submissions and whole papers, from the paper page and
the admin; what they hide vanishes at once for everyone else, on every list and count."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dailypapers.papers import feed_cache, queries, services
from dailypapers.papers.models import Comment, CommentReport, Paper, Submission
from dailypapers.papers.periods import period_containing
from dailypapers.papers.ranking import CACHE_KEY, compute_trending, refresh_trending
from tests.factories import make_member, make_organization, make_paper, make_submitted_paper

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)


@pytest.fixture
def moderator():
    user = make_member("mod")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def ada():
    return make_member("ada")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html_of(client: Client, url: str, status: int = 200) -> str:
    cache.clear()  # each look is a fresh render, not a cached feed page
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


# Comments from the page


def test_moderator_hides_a_comment_from_the_page(moderator, ada):
    paper = make_submitted_paper(DAY, arxiv_id="2503.00001")
    comment = services.post_comment(ada, paper, "Rude words")
    reply = services.post_comment(make_member("bob"), paper, "Quoting: rude words", parent=comment)
    staff = logged_in(moderator)
    assert "Rude words" in html_of(staff, paper.get_absolute_url())

    response = staff.post(reverse("papers:comment-hidden", args=[comment.pk]), {"hidden": "1"})

    assert response.status_code == 302
    assert response.url == f"/papers/2503.00001#comment-{comment.pk}"
    for viewer in (Client(), logged_in(ada)):
        html = html_of(viewer, paper.get_absolute_url())
        assert "Rude words" not in html and "Quoting" not in html
        assert "No comments yet." in html
    staff_html = html_of(staff, paper.get_absolute_url())
    assert "Rude words" in staff_html and "hidden by a moderator" in staff_html
    assert "Quoting" in staff_html
    assert [c.pk for c in queries.comment_threads(paper, include_hidden=True)] == [comment.pk]
    assert reply.pk in {r.pk for r in queries.comment_threads(paper, True)[0].thread}


def test_moderator_unhides_a_comment_from_the_page(moderator, ada):
    paper = make_submitted_paper(DAY)
    comment = services.post_comment(ada, paper, "Fine after all")
    services.set_comment_hidden(comment, True)

    logged_in(moderator).post(reverse("papers:comment-hidden", args=[comment.pk]), {"hidden": "0"})

    assert "Fine after all" in html_of(Client(), paper.get_absolute_url())


def test_moderator_hides_with_htmx_and_gets_the_section(moderator, ada):
    paper = make_submitted_paper(DAY)
    comment = services.post_comment(ada, paper, "Spam")

    response = logged_in(moderator).post(
        reverse("papers:comment-hidden", args=[comment.pk]), {"hidden": "1"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<h2 id="comments-h">') and "hidden by a moderator" in html


def test_only_moderators_see_hide_buttons(moderator, ada):
    paper = make_submitted_paper(DAY)
    services.post_comment(ada, paper, "Hello")

    assert "Hide paper" in html_of(logged_in(moderator), paper.get_absolute_url())
    for viewer in (Client(), logged_in(ada)):
        html = html_of(viewer, paper.get_absolute_url())
        assert "Hide paper" not in html and ">Hide<" not in html


@pytest.mark.parametrize("who", ["anonymous", "member", "author"])
def test_only_moderators_may_hide(who, ada):
    paper = make_submitted_paper(DAY, arxiv_id="2503.00002")
    comment = services.post_comment(ada, paper, "Mine")
    client = {"anonymous": Client(), "member": logged_in(make_member("bob"))}.get(who)
    client = client or logged_in(ada)

    answers = [
        client.post(reverse("papers:comment-hidden", args=[comment.pk]), {"hidden": "1"}),
        client.post("/papers/2503.00002/hidden", {"hidden": "1"}),
        client.post("/papers/2503.00002/submission/hidden", {"hidden": "1"}),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert not Comment.objects.get().hidden
    assert not Paper.objects.get().hidden and not Submission.objects.get().hidden


def test_moderation_needs_the_csrf_token(moderator):
    make_submitted_paper(DAY, arxiv_id="2503.00003")
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)

    assert client.post("/papers/2503.00003/hidden", {"hidden": "1"}).status_code == 403
    assert not Paper.objects.get().hidden


def test_hiding_a_comment_resolves_its_reports(ada):
    paper = make_submitted_paper(DAY)
    comment = services.post_comment(ada, paper, "Spam")
    services.report_comment(make_member("bob"), comment, "spam")

    services.set_comment_hidden(comment, True)

    assert CommentReport.objects.get().resolved


def test_hiding_drops_the_cached_feeds_after_commit(ada, django_capture_on_commit_callbacks):
    paper = make_submitted_paper(DAY)
    comment = services.post_comment(ada, paper, "Spam")
    refresh_trending()
    before = feed_cache.generation()

    with django_capture_on_commit_callbacks(execute=True):
        services.set_comment_hidden(comment, True)
    assert feed_cache.generation() == before + 1

    with django_capture_on_commit_callbacks(execute=True):
        services.set_paper_hidden(paper, True)
    assert feed_cache.generation() == before + 2
    assert cache.get(CACHE_KEY) is None

    refresh_trending()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_submission_hidden(paper.submission, True)
    assert feed_cache.generation() == before + 3
    assert cache.get(CACHE_KEY) is None


# Whole papers


def hideable_corpus():
    """A hidden-to-be paper and a control, alike in every list they could appear on."""
    org = make_organization("acme")
    kwargs = {"organization": org, "authors": ("Grace Hopper",)}
    spam = make_submitted_paper(
        DAY, arxiv_id="2503.00010", title="Zebra spam paper", upvotes=9, **kwargs
    )
    fine = make_submitted_paper(
        DAY, arxiv_id="2503.00011", title="Zebra fine paper", upvotes=1, **kwargs
    )
    return spam, fine


LISTS = [
    "/",
    "/papers/date/2025-03-12",
    "/papers/week/2025-W11",
    "/papers/month/2025-03",
    "/papers/trending",
    "/org/acme",
    "/authors/Grace Hopper",
    "/search?q=zebra&mode=keyword",
]


def test_a_hidden_paper_leaves_every_list_and_its_page_is_404(client, moderator):
    spam, fine = hideable_corpus()
    for url in LISTS:
        assert "Zebra spam paper" in html_of(client, url), url

    response = logged_in(moderator).post("/papers/2503.00010/hidden", {"hidden": "1"})

    assert response.status_code == 302 and response.url == "/papers/2503.00010"
    for url in LISTS:
        html = html_of(client, url)
        assert "Zebra spam paper" not in html, url
        assert "Zebra fine paper" in html, url
    assert queries.cards_in_order([spam.pk, fine.pk]) == [fine]  # search and similar papers
    assert "2503.00010" not in compute_trending(now=dt.datetime(2025, 3, 13, tzinfo=dt.UTC)).scores
    html_of(client, "/papers/2503.00010", status=404)
    html_of(client, "/papers/2503.00010.md", status=404)
    html_of(logged_in(make_member("bob")), "/papers/2503.00010", status=404)


def test_moderators_still_see_a_hidden_paper_with_a_banner_and_can_unhide(client, moderator):
    spam, _ = hideable_corpus()
    services.set_paper_hidden(spam, True)
    staff = logged_in(moderator)

    html = html_of(staff, "/papers/2503.00010")
    assert "Hidden:" in html and "Unhide paper" in html
    assert html_of(staff, "/papers/2503.00010.md").startswith("# Zebra spam paper")

    staff.post("/papers/2503.00010/hidden", {"hidden": "0"})

    assert "Zebra spam paper" in html_of(client, "/papers/date/2025-03-12")
    html_of(client, "/papers/2503.00010")


def test_a_hidden_paper_takes_no_comments(ada):
    spam, _ = hideable_corpus()
    services.set_paper_hidden(spam, True)

    response = logged_in(ada).post("/papers/2503.00010/comments", {"body": "Hi"})

    assert response.status_code == 404
    with pytest.raises(services.CommentRefused):
        services.post_comment(ada, spam, "Hi")


def test_comments_of_a_hidden_paper_cannot_be_changed(ada):
    spam, _ = hideable_corpus()
    comment = services.post_comment(ada, spam, "On a paper about to go")
    services.set_paper_hidden(spam, True)

    response = logged_in(ada).post(reverse("papers:comment-edit", args=[comment.pk]), {"body": "x"})
    assert response.status_code == 404


def test_day_navigation_skips_a_day_whose_papers_are_all_hidden(client):
    make_submitted_paper(dt.date(2025, 3, 10), title="Monday")
    hidden = make_submitted_paper(dt.date(2025, 3, 11), title="Tuesday")
    make_submitted_paper(DAY, title="Wednesday")
    services.set_paper_hidden(hidden, True)

    html = html_of(client, "/papers/date/2025-03-12")
    assert "/papers/date/2025-03-10" in html and "/papers/date/2025-03-11" not in html
    assert queries.latest_feed_date(on_or_before=dt.date(2025, 3, 11)) == dt.date(2025, 3, 10)


def test_a_hidden_submission_leaves_the_feeds_but_the_paper_page_stays(client, moderator):
    spam, _ = hideable_corpus()

    logged_in(moderator).post("/papers/2503.00010/submission/hidden", {"hidden": "1"})

    assert Submission.objects.get(paper=spam).hidden
    assert "Zebra spam paper" not in html_of(client, "/papers/date/2025-03-12")
    assert "Zebra spam paper" not in html_of(client, "/papers/trending")
    html_of(client, "/papers/2503.00010")
    staff_html = html_of(logged_in(moderator), "/papers/2503.00010")
    assert "Submission hidden:" in staff_html and "Unhide submission" in staff_html


def test_hiding_the_submission_of_a_paper_never_submitted_is_404(moderator):
    make_paper("2503.00020")

    response = logged_in(moderator).post("/papers/2503.00020/submission/hidden", {"hidden": "1"})

    assert response.status_code == 404


# The admin


def hide_in_change_list(admin_client, model: str, pk: int, hidden: bool = True) -> None:
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(pk),
        "_save": "Save",
    }
    if hidden:
        form["form-0-hidden"] = "on"
    response = admin_client.post(reverse(f"admin:papers_{model}_changelist"), form)
    assert response.status_code == 302


def test_admin_hides_a_paper_from_its_change_list(admin_client, client):
    spam, _ = hideable_corpus()

    hide_in_change_list(admin_client, "paper", spam.pk)

    assert Paper.objects.get(pk=spam.pk).hidden
    assert "Zebra spam paper" not in html_of(client, "/papers/date/2025-03-12")


@pytest.mark.parametrize("model", ["paper", "submission", "comment"])
def test_admin_hide_and_unhide_actions(admin_client, model, ada):
    spam, fine = hideable_corpus()
    objects = {
        "paper": [spam, fine],
        "submission": [spam.submission, fine.submission],
        "comment": [services.post_comment(ada, spam, "a"), services.post_comment(ada, fine, "b")],
    }[model]
    url = reverse(f"admin:papers_{model}_changelist")
    selected = [obj.pk for obj in objects]

    admin_client.post(url, {"action": "hide_selected", "_selected_action": selected})
    assert all(type(obj).objects.get(pk=obj.pk).hidden for obj in objects)

    admin_client.post(url, {"action": "unhide_selected", "_selected_action": selected[:1]})
    assert [type(obj).objects.get(pk=obj.pk).hidden for obj in objects] == [False, True]


def test_admin_lists_open_reports_with_a_link_to_the_comment(admin_client, ada):
    paper = make_submitted_paper(DAY, arxiv_id="2503.00030")
    comment = services.post_comment(ada, paper, "<script>alert(1)</script> buy pills")
    services.report_comment(make_member("bob"), comment, '<img src=x onerror="alert(2)">')

    html = admin_client.get(reverse("admin:papers_commentreport_changelist")).content.decode()

    assert f'href="/papers/2503.00030#comment-{comment.pk}"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; buy pills" in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    comments = admin_client.get(reverse("admin:papers_comment_changelist")).content.decode()
    assert 'class="field-open_reports">1<' in comments


def test_admin_report_action_hides_the_comment_and_resolves(admin_client, ada, client):
    paper = make_submitted_paper(DAY)
    comment = services.post_comment(ada, paper, "Spam spam")
    report = services.report_comment(make_member("bob"), comment, "spam")
    url = reverse("admin:papers_commentreport_changelist")

    admin_client.post(url, {"action": "hide_comments", "_selected_action": [report.pk]})

    assert Comment.objects.get().hidden
    assert CommentReport.objects.get().resolved
    assert "Spam spam" not in html_of(client, paper.get_absolute_url())


# Cost


def feed_date_plans(run) -> list[str]:
    """The query plans of the submission reads `run` makes."""
    with CaptureQueriesContext(connection) as captured:
        run()
    plans = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A handful of rows: without this PostgreSQL reads the table whatever the indexes.
            cursor.execute("SET LOCAL enable_seqscan = off")
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        for query in captured.captured_queries:
            if 'FROM "papers_submission"' in query["sql"]:
                cursor.execute(prefix + query["sql"])
                plans.append(" / ".join(str(row[-1]) for row in cursor.fetchall()))
    return plans


def test_day_navigation_seeks_the_feed_index_despite_hidden_papers():
    for day in range(1, 20):
        make_submitted_paper(dt.date(2025, 3, day))
    period = period_containing("day", DAY)

    plans = feed_date_plans(lambda: (queries.neighbour_periods(period), queries.latest_feed_date()))

    assert len(plans) == 3, plans
    for plan in plans:  # walked in index order from the bound: no scan, no sort
        assert "submission_feed" in plan, plan
        assert "SCAN papers_submission" not in plan and "Seq Scan" not in plan, plan
        assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


def test_a_hidden_submission_no_longer_names_its_day_or_submitter_on_the_page(client):
    spam, _ = hideable_corpus()
    Submission.objects.filter(paper=spam).update(submitter_name="spammer", comment="Buy now")
    assert "spammer" in html_of(client, "/papers/2503.00010")

    services.set_submission_hidden(Submission.objects.get(paper=spam), True)

    html = html_of(client, "/papers/2503.00010")
    assert "spammer" not in html and "Buy now" not in html
    assert 'href="/papers/date/2025-03-12"' not in html
