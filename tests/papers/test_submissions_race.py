"""Members submitting at once (threads, each its own connection): the rules hold exactly."""

from __future__ import annotations

import pytest

from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.models import Submission
from dailypapers.papers.services import SubmissionRefused, submit_paper
from tests.factories import make_member, make_paper
from tests.threads import at_once, in_thread, threads_database  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("threads_database")]
MEMBERS = 8


def test_members_submitting_one_paper_at_once_make_exactly_one_submission():
    paper = in_thread(make_paper)
    members = [in_thread(lambda n=n: make_member(f"m{n}")) for n in range(MEMBERS)]

    results, errors = at_once([lambda m=m: submit_paper(m, paper) for m in members])

    assert len(results) == 1 and len(errors) == MEMBERS - 1
    assert all(isinstance(error, SubmissionRefused) for error in errors), errors
    assert all("already in the feed of" in error.message for error in errors)
    assert in_thread(lambda: Submission.objects.filter(paper=paper).count()) == 1


def test_one_member_submitting_many_papers_at_once_stays_within_the_cap(settings):
    settings.SUBMIT_DAILY_CAP = 3
    member = in_thread(make_member)
    papers = [in_thread(make_paper) for _ in range(MEMBERS)]

    results, errors = at_once([lambda p=p: submit_paper(member, p) for p in papers])

    assert len(results) == 3 and len(errors) == MEMBERS - 3
    assert all(isinstance(error, SubmissionRefused) for error in errors), errors
    today = feed_today()
    count = in_thread(lambda: Submission.objects.filter(submitter=member).count())
    assert count == 3 and all(s.feed_date == today for s in results)
