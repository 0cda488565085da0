import datetime as dt
import itertools

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dailypapers.papers.models import Author, Comment, Submission, Upvote
from dailypapers.papers.ranking import CACHE_KEY, refresh_trending
from tests.factories import make_organization, make_paper, make_submitted_paper

_users = itertools.count(1)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_list_and_change_pages_work_for_every_model(admin_client, model):
    make_submitted_paper(dt.date(2025, 3, 12), organization=make_organization("acme"))
    opts = model._meta

    changelist = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))

    assert changelist.status_code == 200
    # Votes are cast by members through the service only: their admin has no add form.
    assert add.status_code == (403 if model is Upvote else 200)
    first = model.objects.first()
    if first is not None:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        assert admin_client.get(url).status_code == 200


def hidden_submission_form(paper, comment: str = "") -> dict:
    """The submission change form of a paper submitted on 2025-03-12 at noon, ticked hidden."""
    return {
        "paper": paper.pk,
        "feed_date": "2025-03-12",
        "submitted_at_0": "2025-03-12",
        "submitted_at_1": "12:00:00",
        "submitter_name": "",
        "comment": comment,
        "hidden": "on",
    }


def test_moderator_hides_a_submission_from_the_feed(admin_client, client):
    paper = make_submitted_paper(dt.date(2025, 3, 12), title="Spam paper")
    submission = paper.submission
    url = reverse("admin:papers_submission_change", args=[submission.pk])
    form = hidden_submission_form(paper)

    response = admin_client.post(url, form)

    assert response.status_code == 302
    assert b"Spam paper" not in client.get("/papers/date/2025-03-12").content


def add_rows(n: int) -> None:
    """`n` papers, each with an upvote, a comment and an author claimed by its own user."""
    for _ in range(n):
        user = User.objects.create(username=f"member{next(_users)}")
        paper = make_paper(authors=(f"Author {user.username}",))
        Upvote.objects.create(user=user, paper=paper)
        Comment.objects.create(paper=paper, author=user, body="Nice")
        Author.objects.filter(papers=paper).update(claimed_by=user)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", ["upvote", "comment", "author", "submission", "paper"])
def test_admin_change_lists_run_constant_queries(admin_client, model):
    url = reverse(f"admin:papers_{model}_changelist")
    add_rows(3)
    small = count_queries(admin_client, url)
    add_rows(3)

    assert count_queries(admin_client, url) == small


def test_renaming_an_author_onto_another_authors_name_shows_an_error(admin_client):
    ada = Author.objects.create(name="Ada Lovelace")
    other = Author.objects.create(name="A. Lovelace")
    url = reverse("admin:papers_author_change", args=[other.pk])

    response = admin_client.post(url, {"name": "ada  LOVELACE", "claimed_by": ""})

    assert response.status_code == 200
    message = f"“Ada Lovelace” (author #{ada.pk}) already has this name"
    assert message in response.content.decode()
    other.refresh_from_db()
    assert other.name == "A. Lovelace"


def test_renaming_an_author_to_a_new_name_updates_its_key(admin_client):
    author = Author.objects.create(name="A. Lovelace")
    url = reverse("admin:papers_author_change", args=[author.pk])

    response = admin_client.post(url, {"name": "Ada Lovelace", "claimed_by": ""})

    assert response.status_code == 302
    author.refresh_from_db()
    assert author.normalized_name == "ada lovelace"


def test_paper_form_shows_upvotes_read_only(admin_client):
    paper = make_paper(upvotes=2)

    html = admin_client.get(reverse("admin:papers_paper_change", args=[paper.pk])).content.decode()

    assert "Upvotes" in html
    assert 'name="upvotes"' not in html
    assert 'name="imported_upvotes"' in html


def hide_from_change_list(admin_client, model: str, pk: int) -> None:
    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(pk),
        "form-0-hidden": "on",
        "_save": "Save",
    }
    response = admin_client.post(reverse(f"admin:papers_{model}_changelist"), form)
    assert response.status_code == 302


def test_hiding_from_the_change_list_drops_the_cached_trending_list(
    admin_client, django_capture_on_commit_callbacks
):
    paper = make_submitted_paper(dt.date(2025, 3, 12), upvotes=5)
    refresh_trending()

    with django_capture_on_commit_callbacks(execute=True):
        hide_from_change_list(admin_client, "submission", paper.submission.pk)

    assert Submission.objects.get(paper=paper).hidden
    assert cache.get(CACHE_KEY) is None


def test_hiding_from_the_change_form_drops_the_cached_trending_list(
    admin_client, django_capture_on_commit_callbacks
):
    paper = make_submitted_paper(dt.date(2025, 3, 12))
    refresh_trending()
    form = hidden_submission_form(paper, comment="changed too")
    url = reverse("admin:papers_submission_change", args=[paper.submission.pk])

    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, form).status_code == 302

    submission = Submission.objects.get(paper=paper)
    assert submission.hidden and submission.comment == "changed too"
    assert cache.get(CACHE_KEY) is None


def test_hide_selected_submissions_action(admin_client, django_capture_on_commit_callbacks):
    spam = [make_submitted_paper(dt.date(2025, 3, 12), title=f"Spam {n}") for n in range(2)]
    make_submitted_paper(dt.date(2025, 3, 12), title="Fine")
    refresh_trending()
    form = {
        "action": "hide_selected",
        "_selected_action": [paper.submission.pk for paper in spam],
        "index": "0",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:papers_submission_changelist"), form)

    assert response.status_code == 302
    hidden = Submission.objects.filter(hidden=True).values_list("paper__title", flat=True)
    assert sorted(hidden) == ["Spam 0", "Spam 1"]
    assert cache.get(CACHE_KEY) is None


def test_hiding_a_comment_from_the_change_list_removes_it_from_counts(admin_client, client):
    paper = make_submitted_paper(dt.date(2025, 3, 12), imported_comments=0)
    comment = Comment.objects.create(
        paper=paper, author=User.objects.create(username="troll"), body="Spam"
    )
    assert "1 comment" in client.get("/papers/date/2025-03-12").content.decode()

    hide_from_change_list(admin_client, "comment", comment.pk)

    assert Comment.objects.get(pk=comment.pk).hidden
    assert "1 comment" not in client.get("/papers/date/2025-03-12").content.decode()
