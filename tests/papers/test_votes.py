"""Upvotes: the service, the endpoint's answers to each kind of client, and the control."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from dailypapers.papers import queries, ranking, services
from dailypapers.papers.models import Paper, Upvote
from dailypapers.papers.templatetags.vote_tags import upvote_url
from tests.factories import make_paper, submit
from tests.limits import assert_rate_limited

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def member(name: str = "ada") -> User:
    # No password: hashing one costs a tenth of a second, and tests log in by force_login.
    return User.objects.create(username=name)


@pytest.fixture
def paper() -> Paper:
    return make_paper("2401.01234", imported_upvotes=7)


@pytest.fixture
def ada_client(client) -> Client:
    client.force_login(member())
    return client


def stored(paper: Paper) -> tuple[int, int]:
    """(the counter, the rows)."""
    paper.refresh_from_db()
    return paper.upvotes, Upvote.objects.filter(paper=paper).count()


def vote(client: Client, arxiv_id: str = "2401.01234", **data):
    return client.post(f"/papers/{arxiv_id}/upvote", data, **JSON)


# The service.


def test_toggle_casts_then_removes_the_vote(paper):
    ada = member()

    cast = services.toggle_upvote(ada, paper)
    assert (cast.upvoted, cast.upvotes) == (True, 8)  # the total a page shows
    assert stored(paper) == (1, 1)

    removed = services.toggle_upvote(ada, paper)
    assert (removed.upvoted, removed.upvotes) == (False, 7)
    assert stored(paper) == (0, 0)


def test_set_upvote_is_idempotent(paper):
    ada, bob = member("ada"), member("bob")
    services.set_upvote(bob, paper, True)

    assert services.set_upvote(ada, paper, True).upvotes == 9
    assert services.set_upvote(ada, paper, True).upvotes == 9
    assert stored(paper) == (2, 2)
    assert services.set_upvote(ada, paper, False).upvotes == 8
    assert services.set_upvote(ada, paper, False).upvotes == 8
    assert stored(paper) == (1, 1)


def test_a_duplicate_vote_is_rejected_by_the_database(paper):
    ada = member()
    services.set_upvote(ada, paper, True)
    # What a concurrent request sees when it inserts the same vote: the unique pair refuses
    # it, the service reads that as "already voted" and leaves the counter alone.
    from dailypapers.papers.services import votes

    assert votes._add(ada, paper) is False
    assert stored(paper) == (1, 1)


def test_unvoting_on_a_counter_that_drifted_low_does_not_fail(paper):
    ada = member()
    Upvote.objects.create(user=ada, paper=paper)  # behind the service's back: counter 0

    result = services.set_upvote(ada, paper, False)

    assert result.upvoted is False
    assert stored(paper) == (0, 0)


def test_trending_counts_a_vote_cast_through_the_service(paper):
    other = make_paper("2401.05678", imported_upvotes=0)
    now = timezone.now()
    submit(paper, now.date(), hour=0)
    submit(other, now.date(), hour=0)
    Paper.objects.filter(pk=paper.pk).update(imported_upvotes=0)
    services.set_upvote(member(), other, True)

    result = ranking.compute_trending(now=now + dt.timedelta(minutes=1))

    assert result.rule == ranking.RULE_VOTES
    assert result.arxiv_ids[0] == "2401.05678"
    assert result.scores["2401.05678"] == pytest.approx(1.0, abs=0.01)


def test_upvoted_ids_answers_in_one_query(paper, django_assert_num_queries):
    ada = member()
    others = [make_paper() for _ in range(3)]
    services.set_upvote(ada, paper, True)
    services.set_upvote(ada, others[1], True)
    services.set_upvote(member("bob"), others[0], True)
    ids = [paper.pk, *(p.pk for p in others)]

    with django_assert_num_queries(1):
        assert queries.upvoted_ids(ada, ids) == {paper.pk, others[1].pk}
    with django_assert_num_queries(0):
        assert queries.upvoted_ids(ada, []) == set()


# The endpoint: JSON, htmx, a plain form.


def test_json_client_gets_the_state_and_the_total(ada_client, paper):
    first = vote(ada_client)
    second = vote(ada_client)

    assert first.status_code == 200 and first.json() == {"upvoted": True, "upvotes": 8}
    assert second.json() == {"upvoted": False, "upvotes": 7}


def test_asking_for_a_state_sets_it_instead_of_toggling(ada_client, paper):
    assert vote(ada_client, upvoted="1").json() == {"upvoted": True, "upvotes": 8}
    assert vote(ada_client, upvoted="true").json() == {"upvoted": True, "upvotes": 8}
    body = json.dumps({"upvoted": False})
    answer = ada_client.post(
        "/papers/2401.01234/upvote", body, content_type="application/json", **JSON
    )
    assert answer.json() == {"upvoted": False, "upvotes": 7}
    assert stored(paper) == (0, 0)


@pytest.mark.parametrize("value", ["maybe", "2", ""])
def test_a_state_that_is_neither_true_nor_false_is_a_clear_400(ada_client, paper, value):
    answer = vote(ada_client, upvoted=value)

    assert answer.status_code == 400
    assert answer.json()["error"] == "bad_request" and "upvoted" in answer.json()["detail"]
    assert stored(paper) == (0, 0)


def test_a_body_that_is_not_json_is_a_clear_400(ada_client, paper):
    answer = ada_client.post(
        "/papers/2401.01234/upvote", "{oops", content_type="application/json", **JSON
    )
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request"


def test_htmx_gets_the_control_to_swap_in(ada_client, paper):
    answer = ada_client.post(
        "/papers/2401.01234/upvote", {"next": "/papers/date/2025-03-12?page=2"}, **HTMX
    )
    html = answer.content.decode()

    assert answer.status_code == 200
    assert html.lstrip().startswith('<form class="vote-form"')
    assert 'aria-pressed="true"' in html and "<strong>8</strong>" in html
    assert 'hx-post="/papers/2401.01234/upvote"' in html and 'hx-swap="outerHTML"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # The swapped form still returns to the page it sits on, and now asks to remove the vote.
    assert 'name="next" value="/papers/date/2025-03-12?page=2"' in html
    assert 'name="upvoted" value="0"' in html


def test_plain_form_is_sent_back_to_its_page_on_the_card(ada_client, paper):
    answer = ada_client.post("/papers/2401.01234/upvote", {"next": "/?page=2", "upvoted": "1"})

    assert answer.status_code == 302 and answer["Location"] == "/?page=2#paper-2401.01234"
    assert stored(paper) == (1, 1)


def test_plain_form_without_next_goes_to_the_paper_page(ada_client, paper):
    answer = ada_client.post("/papers/2401.01234/upvote")

    assert answer.status_code == 302 and answer["Location"] == "/papers/2401.01234"


HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
    " //evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leads_to_another_site(ada_client, paper, target):
    answer = ada_client.post("/papers/2401.01234/upvote", {"next": target})

    assert answer.status_code == 302
    assert answer["Location"] == "/papers/2401.01234"


def test_next_on_this_site_keeps_only_its_path_and_query(ada_client, paper):
    answer = ada_client.post("/papers/2401.01234/upvote", {"next": "http://testserver/x?a=1#y"})

    assert answer["Location"] == "/x?a=1#paper-2401.01234"


def test_next_is_escaped_in_the_swapped_control(ada_client, paper):
    hostile = '/?q="><script>alert(1)</script><img src=x onerror=alert(1)>'
    html = ada_client.post("/papers/2401.01234/upvote", {"next": hostile}, **HTMX).content.decode()

    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_a_versioned_id_votes_for_the_paper(ada_client, paper):
    assert vote(ada_client, "2401.01234v3").json() == {"upvoted": True, "upvotes": 8}


# Who may vote, on what, how often.


def test_anonymous_json_client_gets_401_with_a_login_url(client, paper):
    answer = client.post("/papers/2401.01234/upvote", {"next": "/papers/date/2025-03-12"}, **JSON)

    assert answer.status_code == 401
    body = answer.json()
    assert body["error"] == "login_required"
    assert body["login_url"] == "/accounts/login/?next=%2Fpapers%2Fdate%2F2025-03-12"
    assert stored(paper) == (0, 0)


def test_anonymous_visitor_goes_to_login_and_comes_back_to_the_form_page(client, paper):
    answer = client.post("/papers/2401.01234/upvote", {"next": "/papers/week/2025-W11?page=2"})

    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=%2Fpapers%2Fweek%2F2025-W11%3Fpage%3D2"


def test_anonymous_visitor_without_next_comes_back_to_the_referring_page(client, paper):
    answer = client.post(
        "/papers/2401.01234/upvote", HTTP_REFERER="http://testserver/papers/trending"
    )

    assert answer["Location"] == "/accounts/login/?next=%2Fpapers%2Ftrending"


def test_anonymous_visitor_from_another_site_comes_back_to_the_paper(client, paper):
    answer = client.post("/papers/2401.01234/upvote", HTTP_REFERER="https://evil.example/x")

    assert answer["Location"] == "/accounts/login/?next=%2Fpapers%2F2401.01234"


def test_anonymous_htmx_request_navigates_the_page_to_login(client, paper):
    answer = client.post("/papers/2401.01234/upvote", {"next": "/"}, **HTMX)

    assert answer.status_code == 401
    assert answer["HX-Redirect"] == "/accounts/login/?next=%2F"


def test_a_hidden_paper_takes_no_votes(ada_client, paper):
    Paper.objects.filter(pk=paper.pk).update(hidden=True)

    assert ada_client.post("/papers/2401.01234/upvote").status_code == 404
    answer = vote(ada_client)
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    assert stored(paper) == (0, 0)


def test_an_unknown_paper_is_a_404(ada_client):
    assert ada_client.post("/papers/2401.99999/upvote").status_code == 404


def test_get_is_not_allowed(ada_client, paper):
    assert ada_client.get("/papers/2401.01234/upvote").status_code == 405


def test_a_post_without_the_csrf_token_is_refused(paper):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member())

    assert client.post("/papers/2401.01234/upvote").status_code == 403
    page = client.get("/papers/2401.01234").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    answer = client.post("/papers/2401.01234/upvote", {"csrfmiddlewaretoken": token}, **JSON)
    assert answer.json() == {"upvoted": True, "upvotes": 8}


@override_settings(RATE_LIMITS={"vote": (3, 600)})
def test_too_many_votes_get_a_429(ada_client, paper):
    answers = [vote(ada_client) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["error"] == "rate_limited"
    assert_rate_limited(answers[-1], "vote", 3)
    assert stored(paper) == (1, 1)  # three toggles counted, the fourth refused
    page = ada_client.post("/papers/2401.01234/upvote")
    assert page.status_code == 429 and b"Too many votes" in page.content
    assert_rate_limited(page, "vote", 3)


@override_settings(RATE_LIMITS={"vote": (1, 600)})
def test_htmx_over_the_limit_gets_its_control_back_unchanged_saying_so(ada_client, paper):
    first = ada_client.post("/papers/2401.01234/upvote", {"upvoted": "1"}, **HTMX)
    over = ada_client.post("/papers/2401.01234/upvote", {"upvoted": "0"}, **HTMX)

    assert first.status_code == 200 and 'class="votes"' in first.content.decode()
    # htmx swaps only 2xx answers: the control comes back as it stands, carrying the message.
    html = over.content.decode()
    assert over.status_code == 200
    assert 'class="votes limited"' in html and 'aria-pressed="true"' in html
    assert 'role="alert">Too many votes in a short time' in html
    assert stored(paper) == (1, 1)  # the unvote was refused


@override_settings(RATE_LIMITS={"vote": (600, 2)})
def test_the_per_ip_limit_counts_every_member_behind_one_address(client, paper):
    codes = []
    for name in ("a", "b", "c"):
        client.force_login(member(name))
        codes.append(vote(client).status_code)

    assert codes == [200, 200, 429]


# The control on pages.


def test_paper_page_shows_the_members_own_state(client, paper):
    ada, bob = member("ada"), member("bob")
    services.set_upvote(ada, paper, True)

    client.force_login(ada)
    mine = client.get("/papers/2401.01234").content.decode()
    client.force_login(bob)
    theirs = client.get("/papers/2401.01234").content.decode()

    assert 'aria-pressed="true"' in mine and 'name="upvoted" value="0"' in mine
    assert 'aria-pressed="false"' in theirs and 'name="upvoted" value="1"' in theirs
    assert "<strong>8</strong>" in mine and "<strong>8</strong>" in theirs
    assert 'action="/papers/2401.01234/upvote"' in mine
    assert 'name="next" value="/papers/2401.01234"' in mine


def test_anonymous_visitor_sees_a_link_that_keeps_the_vote_through_login(client, paper):
    html = client.get("/papers/2401.01234").content.decode()

    assert 'href="/papers/2401.01234/upvote/intent?next=/papers/2401.01234"' in html
    assert "<strong>7</strong>" in html
    assert 'action="/papers/2401.01234/upvote"' not in html
    assert "csrfmiddlewaretoken" not in html


def test_feed_cards_carry_the_vote_control(client, paper):
    submit(paper, dt.date(2025, 3, 12))
    client.force_login(member())

    html = client.get("/papers/date/2025-03-12").content.decode()

    assert 'action="/papers/2401.01234/upvote"' in html and "<strong>7</strong>" in html


def test_a_count_of_zero_is_shown_as_zero(client):
    make_paper("2401.00002", imported_upvotes=0)
    client.force_login(member())

    html = client.post("/papers/2401.00002/upvote", {"upvoted": "0"}, **HTMX).content.decode()

    assert "<strong>0</strong>" in html


def test_the_control_links_old_style_ids_to_their_route():
    assert upvote_url("hep-th/9901001") == reverse("papers:upvote", args=["hep-th/9901001"])
    assert upvote_url("2401.01234") == "/papers/2401.01234/upvote"
