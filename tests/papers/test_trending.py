import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dailypapers.papers import services
from dailypapers.papers.models import Paper, Submission, Upvote
from dailypapers.papers.ranking import CACHE_KEY, compute_trending, decay, refresh_trending
from tests.factories import make_paper, make_submitted_paper, submit

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 12, 12, tzinfo=dt.UTC)


def submit_at(paper, when):
    submission = submit(paper, when.date())
    submission.submitted_at = when
    submission.save()


def test_decay_halves_every_half_life():
    assert decay(dt.timedelta(hours=36), 36) == pytest.approx(0.5)
    assert decay(dt.timedelta(hours=72), 36) == pytest.approx(0.25)
    assert decay(dt.timedelta(0), 36) == 1.0


def test_imported_counts_decay_from_submission_time():
    fresh = make_paper(title="fresh", imported_upvotes=10)
    submit_at(fresh, NOW - dt.timedelta(hours=1))
    old = make_paper(title="old", imported_upvotes=30)
    submit_at(old, NOW - dt.timedelta(hours=100))  # 30 * 0.5**(100/36) ≈ 4.4

    result = compute_trending(now=NOW)

    assert result.arxiv_ids == [fresh.arxiv_id, old.arxiv_id]
    assert result.rule == "imported"
    assert result.scores[old.arxiv_id] == pytest.approx(30 * 0.5 ** (100 / 36))


def test_local_votes_count_at_their_own_time():
    paper = make_paper(title="voted", imported_upvotes=0)
    submit_at(paper, NOW - dt.timedelta(hours=80))
    other = make_paper(title="imported only", imported_upvotes=1)
    submit_at(other, NOW - dt.timedelta(hours=80))
    for i in range(3):
        vote = Upvote.objects.create(user=User.objects.create(username=f"u{i}"), paper=paper)
        Upvote.objects.filter(pk=vote.pk).update(created_at=NOW - dt.timedelta(hours=36))

    result = compute_trending(now=NOW)

    assert result.rule == "votes"
    assert result.arxiv_ids[0] == paper.arxiv_id
    assert result.scores[paper.arxiv_id] == pytest.approx(1.5)


def test_an_archive_without_recent_papers_still_trends(client):
    paper = make_paper(title="archived", imported_upvotes=5)
    submit_at(paper, timezone.now() - dt.timedelta(days=400))

    result = compute_trending()
    page = client.get("/papers/trending").content.decode()

    assert result.stale and result.arxiv_ids == [paper.arxiv_id]
    assert "archived" in page and "the latest 100 submissions" in page


def test_one_new_submission_does_not_shrink_trending_to_itself(client):
    archive = [make_paper(title=f"imported {n}", imported_upvotes=n + 1) for n in range(3)]
    for paper in archive:
        submit_at(paper, NOW - dt.timedelta(days=30))
    newcomer = make_paper(title="new, no votes yet", imported_upvotes=0)
    submit_at(newcomer, NOW - dt.timedelta(hours=1))

    result = compute_trending(now=NOW)

    assert result.arxiv_ids == [*(p.arxiv_id for p in reversed(archive)), newcomer.arxiv_id]
    assert result.stale


def test_local_and_imported_votes_rank_in_one_list():
    imported = make_paper(title="imported", imported_upvotes=8)
    submit_at(imported, NOW - dt.timedelta(hours=36))  # 8 * 0.5 = 4
    local = make_paper(title="local", imported_upvotes=0)
    submit_at(local, NOW - dt.timedelta(hours=2))
    for i in range(5):
        vote = Upvote.objects.create(user=User.objects.create(username=f"v{i}"), paper=local)
        Upvote.objects.filter(pk=vote.pk).update(created_at=NOW - dt.timedelta(hours=1))
    quiet = make_paper(title="quiet", imported_upvotes=3)
    submit_at(quiet, NOW - dt.timedelta(hours=72))  # 3 * 0.25

    result = compute_trending(now=NOW)

    assert result.arxiv_ids == [local.arxiv_id, imported.arxiv_id, quiet.arxiv_id]


def test_an_archive_years_old_still_ranks_by_votes():
    for title, votes in [("one vote", 1), ("nine votes", 9)]:
        submit_at(make_paper(title=title, imported_upvotes=votes), NOW - dt.timedelta(days=3000))

    result = compute_trending(now=NOW)  # weights of 2**-2000: 0.0 as floats

    assert [Paper.objects.get(arxiv_id=a).title for a in result.arxiv_ids] == [
        "nine votes",
        "one vote",
    ]


def test_the_trending_page_states_its_rule_in_one_line_and_keeps_the_rest_folded(client):
    submit_at(make_paper(title="new", imported_upvotes=0), timezone.now() - dt.timedelta(hours=1))

    page = client.get("/papers/trending").content.decode()

    assert "Fallback rule in use" not in page  # it was said of papers with no imported votes
    assert '<details class="notice rule">' in page  # folded: no `open`
    assert "<summary>Ranked by recent upvotes: each loses half its weight every 36 hours." in page


def yesterday() -> dt.date:
    """A feed day whose noon submissions are in the past and inside the window, at any hour."""
    return timezone.now().date() - dt.timedelta(days=1)


def trending_titles(client) -> list[str]:
    return [paper.title for paper in client.get("/papers/trending").context["papers"]]


def test_hidden_submission_leaves_the_cached_trending_page_at_once(client):
    make_submitted_paper(yesterday(), upvotes=5, title="Fine paper")
    spam = make_submitted_paper(yesterday(), upvotes=9, title="Spam paper")
    assert trending_titles(client) == ["Spam paper", "Fine paper"]  # now cached

    Submission.objects.filter(paper=spam).update(hidden=True)  # not even through services

    assert trending_titles(client) == ["Fine paper"]


def test_hiding_through_services_drops_the_cached_trending_list(
    client, django_capture_on_commit_callbacks
):
    paper = make_submitted_paper(yesterday(), upvotes=5, title="Spam paper")
    trending_titles(client)

    with django_capture_on_commit_callbacks(execute=True):
        services.set_submission_hidden(paper.submission, True)

    assert cache.get(CACHE_KEY) is None
    assert Submission.objects.get(paper=paper).hidden


def test_unhidden_submission_returns_to_trending_at_once(
    client, django_capture_on_commit_callbacks
):
    paper = make_submitted_paper(yesterday(), upvotes=5, title="Wrongly hidden")
    services.set_submission_hidden(paper.submission, True)
    assert trending_titles(client) == []  # cached without it

    with django_capture_on_commit_callbacks(execute=True):
        services.set_submission_hidden(paper.submission, False)

    assert trending_titles(client) == ["Wrongly hidden"]


def test_the_cache_is_dropped_only_when_the_hide_commits(django_capture_on_commit_callbacks):
    paper = make_submitted_paper(yesterday(), upvotes=5)
    refresh_trending()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.set_submission_hidden(paper.submission, True)

    assert cache.get(CACHE_KEY) is not None  # a request before the commit still sees the old list
    assert len(callbacks) == 2  # the cached feed pages go too, with trending


def submission_plans(queries) -> list[str]:
    """The query plans of every captured read of the submissions table."""
    plans = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A handful of rows: without this PostgreSQL reads the table whatever the indexes.
            cursor.execute("SET LOCAL enable_seqscan = off")
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        for query in queries:
            if 'FROM "papers_submission"' in query["sql"]:
                cursor.execute(prefix + query["sql"])
                plans.append(" / ".join(str(row[-1]) for row in cursor.fetchall()))
    return plans


def test_trending_reads_submissions_through_the_recent_index_only():
    for hours in range(10):
        submit_at(make_paper(imported_upvotes=hours), NOW - dt.timedelta(hours=hours))

    with CaptureQueriesContext(connection) as queries:
        compute_trending(now=NOW)
    plans = submission_plans(queries.captured_queries)

    assert 1 <= len(plans) <= 2, plans  # the latest submissions, then the window if full
    for plan in plans:
        assert "submission_recent" in plan, plan
        assert "SCAN papers_submission" not in plan and "Seq Scan" not in plan, plan


def test_a_submission_dated_in_the_future_does_not_hide_the_archive():
    archived = make_paper(title="archived", imported_upvotes=3)
    submit_at(archived, NOW - dt.timedelta(days=400))
    submit_at(make_paper(title="year 9999"), dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC))

    result = compute_trending(now=NOW)

    assert result.stale and result.anchor == NOW
    assert result.arxiv_ids == [archived.arxiv_id]


def test_a_submission_in_year_1_ranks_without_overflow():
    paper = make_paper(title="ancient", imported_upvotes=3)
    submit_at(paper, dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC))

    result = compute_trending(now=NOW)

    assert result.stale and result.arxiv_ids == [paper.arxiv_id]


def test_a_full_window_ranks_all_its_papers_and_nothing_older():
    for hours, votes in [(1, 1), (2, 4), (3, 2), (4, 3)]:
        submit_at(make_paper(imported_upvotes=votes), NOW - dt.timedelta(hours=hours))
    old = make_paper(title="old", imported_upvotes=500)
    submit_at(old, NOW - dt.timedelta(days=8))

    result = compute_trending(now=NOW, limit=3)

    assert len(result.arxiv_ids) == 3 and old.arxiv_id not in result.arxiv_ids
    assert not result.stale
    assert list(result.scores.values()) == sorted(result.scores.values(), reverse=True)
