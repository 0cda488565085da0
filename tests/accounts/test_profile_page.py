"""/u/<username>: a member's submissions, comments and (when public) upvotes."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from dailypapers.accounts.profiles import profile_for
from dailypapers.papers.models import Comment, Upvote
from tests.accounts.conftest import HOSTILE
from tests.factories import make_member, make_paper, submit

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)


def set_profile(user, **fields) -> None:
    profile = profile_for(user)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()


def test_every_new_user_gets_a_profile():
    member = make_member("grace")

    assert member.profile.display_name == ""
    assert member.profile.public_upvotes is False


def test_unknown_and_inactive_members_are_404(client):
    make_member("gone").__class__.objects.filter(username="gone").update(is_active=False)

    assert client.get("/u/nobody").status_code == 404
    assert client.get("/u/a%00b").status_code == 404  # PostgreSQL refuses NUL in queries
    assert client.get("/u/gone").status_code == 404


def test_profile_lists_submissions_and_visible_comments(client):
    member = make_member("grace")
    submitted = make_paper(title="Grace's pick")
    submit(submitted, DAY, submitter=member)
    hidden_pick = make_paper(title="Hidden pick")
    submit(hidden_pick, DAY, submitter=member, hidden=True)
    other = make_paper(title="Discussed paper")
    Comment.objects.create(paper=other, author=member, body="Nice ablations.")
    Comment.objects.create(paper=other, author=member, body="Rude remark", hidden=True)

    response = client.get("/u/grace")

    assert response.status_code == 200
    assert b"Grace&#x27;s pick" in response.content
    assert b"Hidden pick" not in response.content
    assert b"Nice ablations." in response.content
    assert b"Rude remark" not in response.content


def test_upvotes_are_private_by_default(client):
    member = make_member("grace")
    Upvote.objects.create(user=member, paper=make_paper(title="Liked paper"))

    assert b"Liked paper" not in client.get("/u/grace").content
    set_profile(member, public_upvotes=True)
    assert b"Liked paper" in client.get("/u/grace").content


def test_members_see_their_own_private_upvotes(client):
    member = make_member("grace")
    Upvote.objects.create(user=member, paper=make_paper(title="Liked paper"))
    client.force_login(member)

    response = client.get("/u/grace")

    assert b"Liked paper" in response.content
    assert b"Only you see this list" in response.content


def test_upvotes_list_newest_first_without_duplicates(client):
    member, other = make_member("grace"), make_member("ada")
    set_profile(member, public_upvotes=True)
    first, second = make_paper(title="First liked"), make_paper(title="Second liked")
    for paper in (first, second):
        Upvote.objects.create(user=member, paper=paper)
        Upvote.objects.create(user=other, paper=paper)
    Upvote.objects.filter(paper=first).update(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))

    response = client.get("/u/grace")

    assert [p.title for p in response.context["upvoted_papers"]["items"]] == [
        "Second liked",
        "First liked",
    ]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_display_name_renders_inert(client, name):
    member = make_member("grace")
    set_profile(member, display_name=name)

    html = client.get("/u/grace").content.decode()

    # Shown as text (escaped), in a heading outside the `.math` elements KaTeX renders.
    assert f"<h1>{escape(name)}</h1>" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert 'href="javascript:' not in html


def test_profile_page_queries_do_not_grow_with_items(client):
    member = make_member("grace")
    set_profile(member, public_upvotes=True)

    def add(n: int) -> int:
        for _ in range(n):
            paper = make_paper(authors=("A", "B"))
            submit(paper, DAY, submitter=member)
            Upvote.objects.create(user=member, paper=paper)
            Comment.objects.create(paper=paper, author=member, body="hm")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/u/grace").status_code == 200
        return len(queries)

    assert add(3) == add(6)


def test_profile_comment_excerpts_are_rendered_markdown_cut_outside_formulas(client):
    member = make_member("grace")
    paper = make_paper(title="Discussed paper")
    words = "word " * 50
    link = "[the code](https://example.org/code)"
    body = f"**Bold claim** about {link}. {words}then $\\frac{{a + b}}{{2}} \\le c$ holds."
    Comment.objects.create(paper=paper, author=member, body=body)

    html = client.get("/u/grace").content.decode()

    assert "<strong>Bold claim</strong>" in html
    assert 'href="https://example.org/code"' in html
    assert "**Bold" not in html
    assert "\\frac{a + b}" not in html  # the formula straddles the cut: left out whole
    assert "word …" in html
