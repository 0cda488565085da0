import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dailypapers.papers.models import Upvote
from dailypapers.papers.ranking import compute_trending, decay
from tests.factories import make_paper, submit

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


def test_stale_site_measures_from_latest_submission(client):
    paper = make_paper(title="archived", imported_upvotes=5)
    submit_at(paper, timezone.now() - dt.timedelta(days=400))

    result = compute_trending()
    page = client.get("/papers/trending").content.decode()

    assert result.stale and result.arxiv_ids == [paper.arxiv_id]
    assert "Fallback rule in use" in page
    assert "archived" in page
