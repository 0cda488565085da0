"""`Paper.upvotes` stays equal to the vote rows whoever deletes them, and
`dailypapers votes reconcile` finds and repairs any drift."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse

from dailypapers.papers import services
from dailypapers.papers.models import Paper, Upvote
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def exact(*papers: Paper) -> list[tuple[int, int]]:
    """(counter, rows) of each paper."""
    pairs = []
    for paper in papers:
        paper.refresh_from_db()
        pairs.append((paper.upvotes, Upvote.objects.filter(paper=paper).count()))
    return pairs


@pytest.fixture
def papers() -> list[Paper]:
    return [make_paper(f"2401.0000{n}") for n in range(1, 4)]


@pytest.fixture
def members() -> list[User]:
    return [User.objects.create(username=f"m{n}") for n in range(4)]


@pytest.fixture
def votes(papers, members) -> None:
    """Every member votes for every paper: 4 votes each."""
    for member in members:
        for paper in papers:
            services.set_upvote(member, paper, True)


def test_deleting_a_member_takes_their_votes_off_every_counter(papers, members, votes):
    members[0].delete()

    assert exact(*papers) == [(3, 3)] * 3


def test_a_member_deleted_in_the_admin_takes_their_votes_off(admin_client, papers, members, votes):
    url = reverse("admin:auth_user_delete", args=[members[1].pk])

    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert exact(*papers) == [(3, 3)] * 3


def test_admin_deletes_one_vote(admin_client, papers, members, votes):
    vote = Upvote.objects.get(user=members[2], paper=papers[0])
    url = reverse("admin:papers_upvote_delete", args=[vote.pk])

    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert exact(*papers) == [(3, 3), (4, 4), (4, 4)]


def test_admin_bulk_delete_action(admin_client, papers, members, votes):
    chosen = Upvote.objects.filter(paper__in=papers[:2], user__in=members[:3])
    form = {
        "action": "delete_selected",
        "_selected_action": [str(pk) for pk in chosen.values_list("pk", flat=True)],
        "post": "yes",
    }

    answer = admin_client.post(reverse("admin:papers_upvote_changelist"), form)

    assert answer.status_code == 302
    assert exact(*papers) == [(1, 1), (1, 1), (4, 4)]


def test_a_vote_deleted_in_code_counts_once(papers, members, votes):
    Upvote.objects.filter(paper=papers[2], user=members[3]).delete()
    Upvote.objects.get(paper=papers[2], user=members[0]).delete()

    assert exact(*papers) == [(4, 4), (4, 4), (2, 2)]


def test_unvoting_through_the_service_counts_once(papers, members, votes):
    # The service deletes without signals: the receiver must not take the vote off again.
    services.set_upvote(members[0], papers[0], False)

    assert exact(*papers) == [(3, 3), (4, 4), (4, 4)]


def test_deleting_a_paper_with_votes_leaves_the_others_alone(papers, votes):
    papers[0].delete()

    assert not Upvote.objects.filter(paper_id=papers[0].pk).exists()
    assert exact(*papers[1:]) == [(4, 4), (4, 4)]


def test_the_admin_neither_adds_nor_edits_votes(admin_client, papers, members, votes):
    vote = Upvote.objects.first()
    change = reverse("admin:papers_upvote_change", args=[vote.pk])

    assert admin_client.get(reverse("admin:papers_upvote_add")).status_code == 403
    page = admin_client.get(change)
    assert page.status_code == 200 and b'name="paper"' not in page.content
    admin_client.post(change, {"user": members[0].pk, "paper": papers[1].pk})
    assert Upvote.objects.get(pk=vote.pk).paper_id == vote.paper_id


# `dailypapers votes reconcile`.


def reconcile(*args: str) -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("votes", "reconcile", *args, stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return out.getvalue() + str(error), error.returncode
    return out.getvalue(), 0


def test_reconcile_finds_nothing_when_counters_are_exact(papers, votes):
    output, code = reconcile()

    assert code == 0
    assert "votes reconcile: 3 papers with votes, 0 drifted" in output


def test_reconcile_reports_drift_and_exits_1(papers, members, votes):
    Paper.objects.filter(pk=papers[0].pk).update(upvotes=9)
    Upvote.objects.filter(paper=papers[1], user=members[0])._raw_delete("default")
    lonely = make_paper("2401.00009")
    Upvote.objects.create(user=members[0], paper=lonely)  # a row, no counter

    output, code = reconcile()

    assert code == 1
    assert "2401.00001: stored 9, counted 4" in output
    assert "2401.00002: stored 4, counted 3" in output
    assert "2401.00009: stored 0, counted 1" in output
    assert "2401.00003" not in output
    assert "4 papers with votes, 3 drifted" in output and "--fix" in output
    assert exact(papers[0]) == [(9, 4)]  # reported, not changed


def test_reconcile_fix_repairs_every_counter(papers, members, votes):
    Paper.objects.filter(pk=papers[0].pk).update(upvotes=9)
    Upvote.objects.filter(paper=papers[1], user=members[0])._raw_delete("default")

    output, code = reconcile("--fix")

    assert code == 0
    assert "2 drifted, 2 fixed" in output
    assert exact(*papers) == [(4, 4), (3, 3), (4, 4)]
    assert reconcile() == ("votes reconcile: 3 papers with votes, 0 drifted\n", 0)
