"""Votes racing each other stay exact: one request holds its transaction open until the
other is waiting on its locks (PostgreSQL: seen in pg_stat_activity), then commits.

On SQLite the second writer waits at BEGIN IMMEDIATE (busy_timeout) and runs after the first:
these tests check that it waits rather than fails, and the same final counts.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection, transaction

from dailypapers.papers import services
from dailypapers.papers.models import Paper, Upvote
from tests.factories import make_paper
from tests.papers.shared_db import shared_database, wait_for_lock_waiters  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def race(holder: Callable[[], object], contender: Callable[[], object]) -> list[object]:
    """Run `holder` in a transaction held open until `contender` (another thread, another
    connection) waits on it; the results of both, holder first."""
    holding, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def run(name: str, job: Callable[[], object]) -> None:
        try:
            results[name] = job()
        except BaseException as error:  # reported to the test, not swallowed
            results[name] = error
            holding.set()
        finally:
            connection.close()

    def hold() -> object:
        with transaction.atomic():
            result = holder()
            holding.set()
            release.wait(timeout=60)
        return result

    first = threading.Thread(target=run, args=("holder", hold))
    first.start()
    assert holding.wait(timeout=60)
    second = threading.Thread(target=run, args=("contender", contender))
    second.start()
    try:
        wait_for_lock_waiters(1)
    finally:
        release.set()
        first.join(timeout=60)
        second.join(timeout=60)
    return [results.get("holder"), results.get("contender")]


@pytest.fixture
def paper(shared_database) -> Paper:  # noqa: F811  (the imported fixture)
    """A paper with three votes from others: a counter dropped twice would show as 2."""
    paper = make_paper("2401.01234")
    for n in range(3):
        services.set_upvote(User.objects.create(username=f"other{n}"), paper, True)
    return paper


@pytest.fixture
def ada(shared_database) -> User:  # noqa: F811  (the imported fixture)
    return User.objects.create(username="ada")


def counts(paper: Paper) -> tuple[int, int]:
    paper.refresh_from_db()
    return paper.upvotes, Upvote.objects.filter(paper=paper).count()


def test_two_concurrent_casts_of_one_vote_count_once(paper, ada):
    cast = lambda: services.set_upvote(ada, paper, True)  # noqa: E731

    results = race(cast, cast)

    assert [r.upvoted for r in results] == [True, True], results
    assert counts(paper) == (4, 4)


def test_two_concurrent_toggles_from_no_vote_both_cast_it(paper, ada):
    toggle = lambda: services.toggle_upvote(ada, paper)  # noqa: E731

    results = race(toggle, toggle)

    # On PostgreSQL the second saw no row to delete, then hit the first's insert: the vote
    # stands. On SQLite the second ran after the first and took the vote back off.
    expected = (4, 4) if connection.vendor == "postgresql" else (3, 3)
    assert counts(paper) == expected, results


def test_two_concurrent_unvotes_count_once(paper, ada):
    services.set_upvote(ada, paper, True)
    unvote = lambda: services.set_upvote(ada, paper, False)  # noqa: E731

    results = race(unvote, unvote)

    assert [r.upvoted for r in results] == [False, False], results
    assert counts(paper) == (3, 3)


def test_an_admin_delete_racing_a_members_unvote_counts_once(paper, ada):
    services.set_upvote(ada, paper, True)
    vote = Upvote.objects.get(user=ada, paper=paper)
    unvote = lambda: services.set_upvote(ada, paper, False)  # noqa: E731
    admin_delete = lambda: Upvote.objects.filter(pk=vote.pk).delete()  # noqa: E731

    results = race(unvote, admin_delete)

    assert not any(isinstance(r, BaseException) for r in results), results
    assert counts(paper) == (3, 3)


def test_a_members_unvote_racing_an_admin_delete_counts_once(paper, ada):
    services.set_upvote(ada, paper, True)
    vote = Upvote.objects.get(user=ada, paper=paper)
    unvote = lambda: services.set_upvote(ada, paper, False)  # noqa: E731
    admin_delete = lambda: Upvote.objects.filter(pk=vote.pk).delete()  # noqa: E731

    results = race(admin_delete, unvote)

    assert not any(isinstance(r, BaseException) for r in results), results
    assert counts(paper) == (3, 3)


def test_a_member_deleted_while_unvoting_counts_once(paper, ada):
    services.set_upvote(ada, paper, True)
    unvote = lambda: services.set_upvote(ada, paper, False)  # noqa: E731

    results = race(unvote, lambda: User.objects.get(pk=ada.pk).delete())

    assert not any(isinstance(r, BaseException) for r in results), results
    assert counts(paper) == (3, 3)
