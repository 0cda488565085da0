"""papers.services.submit_paper: the rules, each a setting, and what a submission changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction

from dailypapers.papers import feed_cache, ranking
from dailypapers.papers.models import Paper, Submission
from dailypapers.papers.services import SubmissionRefused, check_submission, submit_paper
from dailypapers.papers.services import submissions as service
from tests.factories import make_member, make_organization, make_paper, submit

pytestmark = pytest.mark.django_db

# A Wednesday noon (UTC); Saturday and Sunday follow.
WEDNESDAY = dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC)
SATURDAY = dt.datetime(2026, 3, 7, 12, tzinfo=dt.UTC)
SUNDAY = dt.datetime(2026, 3, 8, 12, tzinfo=dt.UTC)


def fresh_paper(**fields) -> Paper:
    fields.setdefault("published_at", WEDNESDAY - dt.timedelta(days=2))
    return make_paper(**fields)


def refusal(user, paper, **kwargs) -> str:
    with pytest.raises(SubmissionRefused) as raised:
        submit_paper(user, paper, **kwargs)
    return raised.value.message


def test_a_submission_enters_the_feed_of_its_day_with_its_member_and_comment():
    member, paper = make_member(), fresh_paper()

    submission = submit_paper(member, paper, comment="  Worth a read  ", now=WEDNESDAY)

    stored = Submission.objects.get(paper=paper)
    assert stored == submission
    assert stored.feed_date == dt.date(2026, 3, 4)
    assert stored.submitted_at == WEDNESDAY
    assert stored.submitter == member and stored.submitter_name == ""
    assert stored.comment == "  Worth a read  "  # as typed
    assert not stored.hidden


def test_the_feed_day_is_the_day_in_the_feeds_time_zone(settings):
    settings.FEED_TIME_ZONE = "Asia/Tokyo"
    late_utc = dt.datetime(2026, 3, 4, 20, tzinfo=dt.UTC)  # already Thursday in Tokyo

    submission = submit_paper(make_member(), fresh_paper(), now=late_utc)

    assert submission.feed_date == dt.date(2026, 3, 5)


def test_the_feed_and_trending_caches_forget_after_commit(django_capture_on_commit_callbacks):
    before = feed_cache.generation()
    cache.set(ranking.CACHE_KEY, "stale", timeout=None)

    with django_capture_on_commit_callbacks(execute=True):
        submit_paper(make_member(), fresh_paper(), now=WEDNESDAY)

    assert feed_cache.generation() == before + 1
    assert cache.get(ranking.CACHE_KEY) is None


def test_nothing_is_forgotten_when_the_submission_is_refused(django_capture_on_commit_callbacks):
    paper = fresh_paper()
    submit(paper, dt.date(2026, 3, 3))
    with django_capture_on_commit_callbacks() as callbacks:
        refusal(make_member(), paper, now=WEDNESDAY)

    assert callbacks == []


# --- one submission per paper ----------------------------------------------------------------


def test_a_paper_already_in_the_feed_is_refused_with_a_link_to_its_day():
    paper = fresh_paper()
    submit(paper, dt.date(2026, 3, 3))

    with pytest.raises(SubmissionRefused) as raised:
        submit_paper(make_member(), paper, now=WEDNESDAY)

    assert raised.value.message.startswith("This paper is already in the feed of Mar 3, 2026")
    assert raised.value.link == "/papers/date/2026-03-03"
    assert Submission.objects.count() == 1


def test_a_paper_whose_submission_a_moderator_hid_cannot_come_back():
    paper = fresh_paper()
    submit(paper, dt.date(2026, 3, 3), hidden=True)

    message = refusal(make_member(), paper, now=WEDNESDAY)

    assert "removed by a moderator" in message and "cannot be submitted again" in message


def test_losing_the_race_on_the_unique_key_is_an_already_submitted_refusal():
    """The check passed, then another member's row landed first: the insert's IntegrityError
    becomes the same refusal, and the surrounding transaction is still usable."""
    paper = fresh_paper()
    submit(paper, dt.date(2026, 3, 4))
    member = make_member()

    with transaction.atomic():
        with pytest.raises(SubmissionRefused, match="already in the feed of Mar 4, 2026"):
            service._insert(paper, member, "", WEDNESDAY)
        assert Submission.objects.filter(paper=paper).count() == 1  # still usable


# --- age -------------------------------------------------------------------------------------


def test_a_paper_older_than_the_window_is_refused(settings):
    settings.SUBMIT_MAX_AGE_DAYS = 14
    old = fresh_paper(published_at=WEDNESDAY - dt.timedelta(days=14, minutes=1))

    message = refusal(make_member(), old, now=WEDNESDAY)

    assert message == (
        "This paper was first published on Feb 18, 2026: only papers first published in the "
        "last 14 days can enter the feed."
    )
    assert not Submission.objects.exists()


def test_a_paper_exactly_at_the_window_edge_is_accepted(settings):
    settings.SUBMIT_MAX_AGE_DAYS = 14
    paper = fresh_paper(published_at=WEDNESDAY - dt.timedelta(days=14))

    assert submit_paper(make_member(), paper, now=WEDNESDAY).paper == paper


def test_a_paper_without_a_publication_date_is_refused_unless_the_window_is_off(settings):
    paper = fresh_paper(published_at=None)

    assert "do not know when this paper was published" in refusal(make_member(), paper)

    settings.SUBMIT_MAX_AGE_DAYS = 0
    assert submit_paper(make_member("other"), paper, now=WEDNESDAY).paper == paper


def test_a_window_of_zero_days_lets_any_paper_in(settings):
    settings.SUBMIT_MAX_AGE_DAYS = 0
    ancient = fresh_paper(published_at=dt.datetime(1991, 8, 14, tzinfo=dt.UTC))

    assert submit_paper(make_member(), ancient, now=WEDNESDAY).paper == ancient


# --- weekends --------------------------------------------------------------------------------


@pytest.mark.parametrize("now", [SATURDAY, SUNDAY])
def test_weekends_are_refused_when_the_setting_is_off(settings, now):
    settings.SUBMIT_WEEKENDS = False

    message = refusal(make_member(), fresh_paper(published_at=now), now=now)

    assert "no submissions on Saturdays and Sundays" in message


@pytest.mark.parametrize("now", [SATURDAY, SUNDAY])
def test_weekends_are_open_when_the_setting_is_on(settings, now):
    settings.SUBMIT_WEEKENDS = True

    assert (
        submit_paper(make_member(), fresh_paper(published_at=now), now=now).feed_date.weekday() >= 5
    )


def test_the_weekend_is_the_weekend_in_the_feeds_time_zone(settings):
    """Friday 20:00 UTC is already Saturday in Tokyo."""
    settings.SUBMIT_WEEKENDS = False
    settings.FEED_TIME_ZONE = "Asia/Tokyo"
    friday_evening = dt.datetime(2026, 3, 6, 20, tzinfo=dt.UTC)

    assert "Saturdays" in refusal(make_member(), fresh_paper(), now=friday_evening)

    settings.FEED_TIME_ZONE = "UTC"
    assert submit_paper(make_member("other"), fresh_paper(), now=friday_evening)


# --- the daily cap ---------------------------------------------------------------------------


def test_the_daily_cap_refuses_the_next_submission_of_the_day(settings):
    settings.SUBMIT_DAILY_CAP = 2
    member = make_member()
    for _ in range(2):
        submit_paper(member, fresh_paper(), now=WEDNESDAY)

    message = refusal(member, fresh_paper(), now=WEDNESDAY)

    assert message.startswith("You have submitted 2 papers today, the most one member may")
    assert Submission.objects.filter(submitter=member).count() == 2


def test_the_cap_is_per_member_and_per_feed_day(settings):
    settings.SUBMIT_DAILY_CAP = 1
    member = make_member()
    submit_paper(member, fresh_paper(), now=WEDNESDAY)

    assert submit_paper(make_member("other"), fresh_paper(), now=WEDNESDAY)
    assert submit_paper(member, fresh_paper(), now=WEDNESDAY + dt.timedelta(days=1))


def test_hidden_submissions_still_count_toward_the_cap(settings):
    settings.SUBMIT_DAILY_CAP = 1
    member = make_member()
    submit(fresh_paper(), dt.date(2026, 3, 4), submitter=member, hidden=True)

    assert "You have submitted 1 paper today" in refusal(member, fresh_paper(), now=WEDNESDAY)


def test_a_cap_of_zero_means_no_cap(settings):
    settings.SUBMIT_DAILY_CAP = 0
    member = make_member()

    for _ in range(7):
        submit_paper(member, fresh_paper(), now=WEDNESDAY)

    assert Submission.objects.filter(submitter=member).count() == 7


# --- hidden papers, comments, organizations --------------------------------------------------


def test_a_hidden_paper_is_refused():
    paper = fresh_paper(hidden=True)

    assert "removed by a moderator" in refusal(make_member(), paper, now=WEDNESDAY)


def test_a_paper_hidden_after_the_lookup_is_refused_on_submit():
    """The write re-reads the paper: a page loaded before the moderator acted proves nothing."""
    paper = fresh_paper()
    Paper.objects.filter(pk=paper.pk).update(hidden=True)

    assert "removed by a moderator" in refusal(make_member(), paper, now=WEDNESDAY)


def test_a_comment_longer_than_the_limit_is_refused():
    message = refusal(make_member(), fresh_paper(), comment="x" * 1001, now=WEDNESDAY)

    assert message == "The comment is 1001 characters long; at most 1000 fit."
    assert submit_paper(make_member("b"), fresh_paper(), comment="x" * 1000, now=WEDNESDAY)


def test_a_comment_with_a_null_character_is_refused():
    assert "null character" in refusal(make_member(), fresh_paper(), comment="a\x00b")


def test_an_organization_is_set_on_a_paper_without_one():
    acme, paper = make_organization("acme"), fresh_paper()

    submit_paper(make_member(), paper, organization=acme, now=WEDNESDAY)

    assert Paper.objects.get(pk=paper.pk).organization == acme


def test_an_organization_a_source_named_is_not_overridden():
    imported, other = make_organization("imported"), make_organization("other")
    paper = fresh_paper(organization=imported)

    submit_paper(make_member(), paper, organization=other, now=WEDNESDAY)

    assert Paper.objects.get(pk=paper.pk).organization == imported


def test_check_submission_says_the_same_as_submit_without_writing(settings):
    settings.SUBMIT_WEEKENDS = False
    paper = fresh_paper(published_at=SATURDAY)

    with pytest.raises(SubmissionRefused, match="Saturdays"):
        check_submission(make_member(), paper, now=SATURDAY)
    check_submission(make_member("b"), paper, now=WEDNESDAY)

    assert not Submission.objects.exists()
