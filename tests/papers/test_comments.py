"""Comments on the paper page: post, reply, edit, delete, report; counts stay exact."""

import datetime as dt
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dailypapers.papers import queries, services
from dailypapers.papers.models import Comment, CommentReport
from dailypapers.papers.periods import period_containing
from dailypapers.papers.services import CommentRefused
from tests.factories import make_member, make_paper, make_submitted_paper

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def paper():
    return make_submitted_paper(DAY, arxiv_id="2503.00001", title="Comment Paper")


@pytest.fixture
def ada():
    return make_member("ada")


@pytest.fixture
def bob():
    return make_member("bob")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, paper) -> str:
    response = client.get(paper.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def post(client: Client, paper, body: str, parent=None, **extra):
    data = {"body": body, "parent": parent.pk if parent else ""}
    return client.post(reverse("papers:comment-post", args=[paper.arxiv_id]), data, **extra)


def card_count(paper) -> int:
    """The local comment count the paper's feed card shows."""
    cards = queries.papers_in_period(period_containing("day", DAY))
    return next(card.local_comments for card in cards if card.pk == paper.pk)


# Posting


def test_member_posts_a_comment_and_sees_it_on_the_page(paper, ada):
    client = logged_in(ada)

    response = post(client, paper, "A **fine** result.")

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url == f"/papers/2503.00001#comment-{comment.pk}"
    html = page(client, paper)
    assert f'id="comment-{comment.pk}"' in html
    assert "A <strong>fine</strong> result." in html
    assert 'href="/u/ada"' in html


def test_anonymous_visitor_gets_a_login_link_that_comes_back(client, paper):
    html = page(client, paper)

    assert 'href="/accounts/login/?next=/papers/2503.00001%23comments"' in html
    assert 'name="body"' not in html


def test_anonymous_post_goes_to_login_and_stores_nothing(client, paper):
    response = post(client, paper, "Hello")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
    assert "2503.00001" in response.url
    assert not Comment.objects.exists()


def test_posting_needs_the_csrf_token(paper, ada):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)

    response = post(client, paper, "Hello")

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_the_comment_form_carries_the_csrf_token(paper, ada):
    html = page(logged_in(ada), paper)

    assert 'name="csrfmiddlewaretoken"' in html
    assert f'action="/papers/{paper.arxiv_id}/comments"' in html


def test_get_on_the_post_url_is_405(paper, ada):
    assert logged_in(ada).get(f"/papers/{paper.arxiv_id}/comments").status_code == 405


@pytest.mark.parametrize("body", ["", "   \n  ", "\x00"])
def test_an_empty_comment_is_refused_with_a_clear_message(paper, ada, body):
    response = post(logged_in(ada), paper, body)

    assert response.status_code == 400
    assert "A comment cannot be empty." in response.content.decode()
    assert not Comment.objects.exists()


def test_a_comment_over_5000_characters_is_refused_and_kept_in_the_form(paper, ada):
    response = post(logged_in(ada), paper, "x" * 5001)

    html = response.content.decode()
    assert response.status_code == 400
    assert "at most 5,000 characters (this one has 5,001)" in html
    assert "x" * 5001 in html  # what was typed is not lost
    assert not Comment.objects.exists()


def test_a_comment_of_exactly_5000_characters_is_accepted(paper, ada):
    assert post(logged_in(ada), paper, "y" * 5000).status_code == 302
    assert len(Comment.objects.get().body) == 5000


def test_windows_line_ends_count_once(paper, ada):
    services.post_comment(ada, paper, "a\r\nb")

    assert Comment.objects.get().body == "a\nb"


def test_comment_on_an_unknown_paper_is_404(ada):
    response = logged_in(ada).post("/papers/2599.99999/comments", {"body": "Hello"})
    assert response.status_code == 404


def test_top_level_comments_read_oldest_first(paper, ada, bob):
    first = services.post_comment(ada, paper, "First")
    second = services.post_comment(bob, paper, "Second")

    threads = queries.comment_threads(paper)

    assert [c.pk for c in threads] == [first.pk, second.pk]
    html = page(Client(), paper)
    assert html.index("First") < html.index("Second")


# Hostile text


HOSTILE_BODIES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(2)">x</a>',
    r"$\frac{",
]


def test_hostile_comments_render_inert_on_the_page(paper, ada):
    for body in HOSTILE_BODIES:
        services.post_comment(ada, paper, body)

    html = page(Client(), paper)

    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert '<a href="javascript' not in html and 'javascript:alert(1)"' not in html
    assert '&lt;a href="javascript:alert(2)"&gt;x&lt;/a&gt;' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "[x](javascript:alert(1))" in html
    assert r"$\frac{" in html


def test_a_hostile_username_renders_inert(paper):
    villain = make_member('<img src=x onerror=alert(1)>"')
    services.post_comment(villain, paper, "hi")

    html = page(Client(), paper)

    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;" in html


# Replies


def test_a_reply_joins_the_thread_under_its_comment(paper, ada, bob):
    top = services.post_comment(ada, paper, "Question?")

    response = post(logged_in(bob), paper, "Answer.", parent=top)

    reply = Comment.objects.get(body="Answer.")
    assert response.status_code == 302
    assert reply.parent_id == top.pk
    [thread] = queries.comment_threads(paper)
    assert [r.pk for r in thread.thread] == [reply.pk]


def test_a_reply_to_a_reply_attaches_to_the_top_level_comment(paper, ada, bob):
    top = services.post_comment(ada, paper, "Question?")
    reply = services.post_comment(bob, paper, "Answer.", parent=top)

    again = services.post_comment(ada, paper, "Thanks!", parent=reply)

    assert again.parent_id == top.pk
    [thread] = queries.comment_threads(paper)
    assert [r.body for r in thread.thread] == ["Answer.", "Thanks!"]


def test_replies_render_nested_under_their_comment(paper, ada, bob):
    top = services.post_comment(ada, paper, "Question?")
    services.post_comment(bob, paper, "Answer.", parent=top)
    services.post_comment(ada, paper, "Another thread")

    html = page(Client(), paper)

    replies = html.index('class="comment-list replies"')
    assert html.index("Question?") < replies < html.index("Answer.") < html.index("Another")


def test_a_reply_to_a_comment_of_another_paper_is_refused(paper, ada, bob):
    other = services.post_comment(ada, make_paper(), "Elsewhere")

    response = post(logged_in(bob), paper, "Reply", parent=other)

    assert response.status_code == 400
    assert "no longer there" in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", ["abc", "99999999", "99999999999999999999999", "-1"])
def test_a_reply_to_a_missing_comment_is_refused_clearly(paper, ada, parent):
    url = reverse("papers:comment-post", args=[paper.arxiv_id])

    response = logged_in(ada).post(url, {"body": "Reply", "parent": parent})

    assert response.status_code == 400
    assert "no longer there" in response.content.decode()


def test_a_reply_to_a_hidden_comment_is_refused(paper, ada, bob):
    top = services.post_comment(ada, paper, "Spam")
    services.set_comment_hidden(top, True)

    with pytest.raises(CommentRefused):
        services.post_comment(bob, paper, "Reply", parent=top)


# Editing


def test_author_edits_within_15_minutes_and_the_comment_says_edited(paper, ada):
    comment = services.post_comment(ada, paper, "Typo hre")
    client = logged_in(ada)
    assert "Typo hre</textarea>" in page(client, paper)  # the edit form, filled in

    response = client.post(reverse("papers:comment-edit", args=[comment.pk]), {"body": "Fixed"})

    comment.refresh_from_db()
    assert response.status_code == 302
    assert comment.body == "Fixed" and comment.edited_at is not None
    assert "· edited" in page(client, paper)


def test_after_15_minutes_the_edit_form_goes_and_the_service_refuses(paper, ada):
    comment = services.post_comment(ada, paper, "Old words")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=15, seconds=1)
    )
    comment.refresh_from_db()
    client = logged_in(ada)

    html = page(client, paper)
    response = client.post(reverse("papers:comment-edit", args=[comment.pk]), {"body": "New"})

    assert "<summary>Edit</summary>" not in html
    assert response.status_code == 400
    assert "15 minutes" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Old words" and comment.edited_at is None


def test_the_edit_window_is_15_minutes_exactly(paper, ada):
    comment = services.post_comment(ada, paper, "Words")
    limit = comment.created_at + dt.timedelta(minutes=15)

    services.edit_comment(ada, comment, "Still in time", now=limit)
    with pytest.raises(CommentRefused):
        services.edit_comment(ada, comment, "Too late", now=limit + dt.timedelta(seconds=1))

    assert comment.body == "Still in time"


def test_nobody_edits_someone_elses_comment(paper, ada, bob):
    comment = services.post_comment(ada, paper, "Mine")

    response = logged_in(bob).post(reverse("papers:comment-edit", args=[comment.pk]), {"body": "X"})

    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine"
    assert "<summary>Edit</summary>" not in page(logged_in(bob), paper)


def test_an_edit_to_empty_is_refused(paper, ada):
    comment = services.post_comment(ada, paper, "Words")

    response = logged_in(ada).post(reverse("papers:comment-edit", args=[comment.pk]), {"body": ""})

    assert response.status_code == 400
    comment.refresh_from_db()
    assert comment.body == "Words"


# Deleting


def test_author_deletes_a_comment_without_replies_and_it_is_gone(paper, ada):
    comment = services.post_comment(ada, paper, "Regret")

    response = logged_in(ada).post(reverse("papers:comment-delete", args=[comment.pk]))

    assert response.status_code == 302
    assert not Comment.objects.exists()
    assert "Regret" not in page(Client(), paper)


def test_a_deleted_comment_with_replies_keeps_the_thread_as_deleted(paper, ada, bob):
    top = services.post_comment(ada, paper, "Controversial")
    services.post_comment(bob, paper, "I disagree", parent=top)

    logged_in(ada).post(reverse("papers:comment-delete", args=[top.pk]))

    html = page(Client(), paper)
    assert "Controversial" not in html
    assert "[deleted]" in html and "I disagree" in html
    assert 'href="/u/ada"' not in html  # the author's name goes with the words
    assert card_count(paper) == 1


def test_the_deleted_placeholder_goes_with_its_last_reply(paper, ada, bob):
    top = services.post_comment(ada, paper, "Controversial")
    reply = services.post_comment(bob, paper, "I disagree", parent=top)
    services.delete_comment(ada, top)

    services.delete_comment(bob, reply)

    assert not Comment.objects.exists()


def test_nobody_deletes_someone_elses_comment(paper, ada, bob):
    comment = services.post_comment(ada, paper, "Mine")

    response = logged_in(bob).post(reverse("papers:comment-delete", args=[comment.pk]))

    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk, body="Mine").exists()


def test_deleting_twice_is_harmless(paper, ada):
    comment = services.post_comment(ada, paper, "Once")
    client = logged_in(ada)
    client.post(reverse("papers:comment-delete", args=[comment.pk]))

    assert client.post(reverse("papers:comment-delete", args=[comment.pk])).status_code == 404


# Reporting


def test_a_member_reports_a_comment_once(paper, ada, bob):
    comment = services.post_comment(ada, paper, "Buy cheap pills")
    client = logged_in(bob)
    url = reverse("papers:comment-report", args=[comment.pk])

    first = client.post(url, {"reason": "spam"})
    second = client.post(url, {"reason": "spam again"})

    assert first.status_code == 302
    assert second.status_code == 400
    assert "You already reported this comment." in second.content.decode()
    report = CommentReport.objects.get()
    assert (report.comment, report.reporter, report.reason) == (comment, bob, "spam")
    html = page(client, paper)
    assert "Reported" in html and "<summary>Report</summary>" not in html


def test_a_report_needs_a_reason(paper, ada, bob):
    comment = services.post_comment(ada, paper, "Hmm")

    response = logged_in(bob).post(reverse("papers:comment-report", args=[comment.pk]), {})

    assert response.status_code == 400
    assert "what is wrong" in response.content.decode()
    assert not CommentReport.objects.exists()


def test_nobody_reports_their_own_comment(paper, ada):
    comment = services.post_comment(ada, paper, "Mine")

    with pytest.raises(CommentRefused):
        services.report_comment(ada, comment, "oops")
    assert "<summary>Report</summary>" not in page(logged_in(ada), paper)


# Rate limit


def test_posting_too_fast_answers_429(paper, ada, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": (2, 100)}
    client = logged_in(ada)

    answers = [post(client, paper, f"Comment {i}").status_code for i in range(3)]

    assert answers == [302, 302, 429]
    assert Comment.objects.count() == 2


def test_reporting_too_fast_answers_429(paper, ada, bob, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": (2, 100)}
    comments = [services.post_comment(ada, paper, f"Spam {i}") for i in range(3)]
    client = logged_in(bob)

    answers = [
        client.post(reverse("papers:comment-report", args=[c.pk]), {"reason": "spam"})
        for c in comments
    ]

    assert [a.status_code for a in answers] == [302, 302, 429]
    assert "Too many reports" in answers[2].content.decode()
    assert CommentReport.objects.count() == 2


def test_htmx_posting_too_fast_says_so_in_the_form(paper, ada, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": (1, 100)}
    client = logged_in(ada)
    post(client, paper, "One", **HTMX)

    response = post(client, paper, "Two", **HTMX)

    assert "Too many comments" in response.content.decode()
    assert response["HX-Retarget"] == "#comment-form-new"
    assert Comment.objects.count() == 1


# htmx


def test_htmx_post_answers_the_fresh_comments_section(paper, ada):
    response = post(logged_in(ada), paper, "Via htmx", **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<h2 id="comments-h">')
    assert "Via htmx" in html and "<html" not in html


def test_htmx_refusal_swaps_only_the_form_that_was_sent(paper, ada):
    top = services.post_comment(ada, paper, "Top")

    response = post(logged_in(ada), paper, "", parent=top, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#comment-form-reply-{top.pk}"
    assert response["HX-Reswap"] == "outerHTML"
    assert f'id="comment-form-reply-{top.pk}"' in html
    assert "A comment cannot be empty." in html


def test_the_page_forms_have_the_ids_refusals_target(paper, ada, bob):
    top = services.post_comment(bob, paper, "Top")
    mine = services.post_comment(ada, paper, "Mine")

    html = page(logged_in(ada), paper)

    for form_id in [
        "comment-form-new",
        f"comment-form-reply-{top.pk}",
        f"comment-form-report-{top.pk}",
        f"comment-form-edit-{mine.pk}",
    ]:
        assert f'id="{form_id}"' in html


# Counts


def test_card_and_page_counts_stay_exact_through_post_hide_and_delete(client, paper, ada, bob):
    one = services.post_comment(ada, paper, "One")
    services.post_comment(bob, paper, "Reply", parent=one)
    two = services.post_comment(bob, paper, "Two")
    assert card_count(paper) == 3

    services.set_comment_hidden(two, True)
    assert card_count(paper) == 2

    services.set_comment_hidden(one, True)  # its reply goes with it
    assert card_count(paper) == 0

    services.set_comment_hidden(one, False)
    services.delete_comment(ada, one)  # stays as [deleted] for its reply
    assert card_count(paper) == 1

    threads = queries.comment_threads(paper)
    assert queries.public_comment_count(threads) == card_count(paper)
    staff_threads = queries.comment_threads(paper, include_hidden=True)
    assert queries.public_comment_count(staff_threads) == card_count(paper)
    cache.clear()
    feed = client.get("/papers/date/2025-03-12").content.decode()
    assert "· 1 comment<" in feed
    assert 'Comments <span class="muted">(1)</span>' in page(client, paper)


def test_the_paper_page_runs_constant_queries_for_more_comments(paper, ada, bob):
    client = logged_in(bob)

    def add_thread():
        top = services.post_comment(ada, paper, "Top $x$ **bold**")
        services.post_comment(bob, paper, "Reply", parent=top)
        services.report_comment(bob, top, "spam")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(client, paper)
        return len(captured)

    add_thread()
    small = count()
    add_thread()
    add_thread()

    assert count() == small


def test_a_members_comment_list_skips_deleted_and_hidden_threads(paper, ada, bob):
    kept = services.post_comment(ada, paper, "Kept")
    gone = services.post_comment(ada, paper, "Deleted but holding a reply")
    services.post_comment(bob, paper, "Holding", parent=gone)
    services.delete_comment(ada, gone)
    hidden_top = services.post_comment(bob, paper, "Hidden thread")
    under_hidden = services.post_comment(ada, paper, "Under a hidden one", parent=hidden_top)
    services.set_comment_hidden(hidden_top, True)

    listed = list(queries.comments_by(ada))

    assert listed == [kept]
    assert under_hidden not in listed


def wait_for_a_lock_wait() -> None:
    """Until another session of this database waits on a row lock (PostgreSQL)."""
    with connection.cursor() as cursor:
        for _ in range(1000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the delete never waited for the reply's lock")


def in_thread(work, errors: list) -> threading.Thread:
    def run():
        try:
            work()
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_reply_racing_the_delete_of_the_last_reply_keeps_the_thread():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time (IMMEDIATE): there is no race to lose")
    paper = make_submitted_paper(DAY)
    ada, bob, cy = make_member("ada"), make_member("bob"), make_member("cy")
    top = services.post_comment(ada, paper, "Question")
    last = services.post_comment(bob, paper, "Only reply", parent=top)
    services.delete_comment(ada, top)  # "[deleted]", held by its one reply
    replied, release, errors = threading.Event(), threading.Event(), []

    def reply():  # posts, then holds its transaction open until released
        with transaction.atomic():
            services.post_comment(cy, paper, "Late reply", parent=last)
            replied.set()
            release.wait()

    replier = in_thread(reply, errors)
    replied.wait()
    deleter = in_thread(lambda: services.delete_comment(bob, last), errors)
    wait_for_a_lock_wait()  # the delete waits for the reply's lock on the thread
    release.set()
    replier.join()
    deleter.join()

    assert errors == []
    assert Comment.objects.filter(pk=top.pk, body="").exists()
    assert list(Comment.objects.filter(parent=top).values_list("body", flat=True)) == ["Late reply"]
