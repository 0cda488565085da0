"""/api/v1: papers, feeds, search, organizations, authors, and members' writes with a token."""

from __future__ import annotations

import datetime as dt

import pytest

from dailypapers.accounts.tokens import create_token
from dailypapers.papers.models import Comment, Paper, Submission, Upvote
from tests.factories import make_member, make_organization, make_paper, submit
from tests.limits import assert_rate_limited

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 4)


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # this test's own vector index file
    settings.BASE_URL = "https://papers.example.org"


@pytest.fixture
def corpus():
    acme = make_organization("acme")
    papers = [
        make_paper(
            f"2503.0000{i}",
            authors=("Ada Lovelace", f"Author {i}"),
            title=f"Reward models {i}",
            published_at=dt.datetime(2025, 3, i, 12, tzinfo=dt.UTC),
            imported_upvotes=10 * i,
            organization=acme if i % 2 else None,
            github_repo="https://github.com/acme/x" if i == 3 else "",
        )
        for i in range(1, 6)
    ]
    for paper in papers[:3]:
        submit(paper, DAY)
    return papers


def bearer(user) -> dict:
    _, raw = create_token(user, "script")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_papers_list_newest_first_with_keyset_paging(client, corpus):
    first = client.get("/api/v1/papers", {"limit": 2}).json()
    assert [p["arxiv_id"] for p in first["items"]] == ["2503.00005", "2503.00004"]
    second = client.get("/api/v1/papers", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [p["arxiv_id"] for p in second["items"]] == ["2503.00003", "2503.00002"]
    last = client.get("/api/v1/papers", {"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [p["arxiv_id"] for p in last["items"]] == ["2503.00001"]
    assert last["next_cursor"] is None


def test_papers_without_a_date_come_last_and_page_through(client, corpus):
    Paper.objects.filter(arxiv_id__in=["2503.00002", "2503.00004"]).update(published_at=None)
    seen, cursor = [], ""
    while True:
        page = client.get("/api/v1/papers", {"limit": 2, "cursor": cursor}).json()
        seen += [p["arxiv_id"] for p in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ["2503.00005", "2503.00003", "2503.00001", "2503.00004", "2503.00002"]


def test_papers_list_by_upvotes_pages_through_ties(client, corpus):
    Paper.objects.update(imported_upvotes=7)  # all tied: the id breaks ties, nothing repeats
    seen, cursor = [], ""
    while True:
        page = client.get("/api/v1/papers", {"sort": "upvotes", "limit": 2, "cursor": cursor})
        seen += [p["arxiv_id"] for p in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(p.arxiv_id for p in corpus) and len(seen) == 5


def test_papers_list_filters(client, corpus):
    def ids(**params):
        return [p["arxiv_id"] for p in client.get("/api/v1/papers", params).json()["items"]]

    assert ids(organization="acme") == ["2503.00005", "2503.00003", "2503.00001"]
    assert ids(has_code="true") == ["2503.00003"]
    assert ids(in_feed="true") == ["2503.00003", "2503.00002", "2503.00001"]
    assert ids(in_feed="false") == ["2503.00005", "2503.00004"]
    assert ids(date_from="2025-03-02", date_to="2025-03-03") == ["2503.00003", "2503.00002"]


def test_a_cursor_from_another_sort_or_tampered_is_a_400(client, corpus):
    cursor = client.get("/api/v1/papers", {"limit": 1}).json()["next_cursor"]
    wrong = client.get("/api/v1/papers", {"sort": "upvotes", "cursor": cursor})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "bad_request"
    assert client.get("/api/v1/papers", {"cursor": cursor[:-2] + "xx"}).status_code == 400


def test_one_paper_with_absolute_links(client, corpus):
    body = client.get("/api/v1/papers/2503.00003v2").json()
    assert body["title"] == "Reward models 3"
    assert [a["name"] for a in body["authors"]] == ["Ada Lovelace", "Author 3"]
    assert body["authors"][0]["url"] == "https://papers.example.org/authors/Ada%20Lovelace"
    assert body["organization"]["slug"] == "acme"
    assert body["upvotes"] == 30 and body["feed_date"] == "2025-03-04"
    assert body["github_repo"] == "https://github.com/acme/x"
    assert body["url"] == "https://papers.example.org/papers/2503.00003"


def test_hidden_and_unknown_papers_are_404(client, corpus):
    Paper.objects.filter(arxiv_id="2503.00002").update(hidden=True)
    for path in ["/api/v1/papers/2503.00002", "/api/v1/papers/2503.09999", "/api/v1/papers/x"]:
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    listed = [p["arxiv_id"] for p in client.get("/api/v1/papers").json()["items"]]
    assert "2503.00002" not in listed


def test_feeds_by_day_week_month(client, corpus):
    day = client.get("/api/v1/feeds/day/2025-03-04").json()
    assert [p["arxiv_id"] for p in day["items"]] == ["2503.00003", "2503.00002", "2503.00001"]
    assert day["period"]["key"] == "2025-03-04" and day["next_offset"] is None
    week = client.get("/api/v1/feeds/week/2025-W10", {"limit": 2}).json()
    assert len(week["items"]) == 2 and week["next_offset"] == 2
    month = client.get("/api/v1/feeds/month/2025-03").json()
    assert len(month["items"]) == 3
    assert client.get("/api/v1/feeds/day/2025-03-05").json()["previous"] == "2025-03-04"


@pytest.mark.parametrize(
    "path", ["/api/v1/feeds/day/2025-02-30", "/api/v1/feeds/week/2025-W60", "/api/v1/feeds/month/x"]
)
def test_a_malformed_period_is_a_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("Not a ")


def test_trending(client, corpus):
    body = client.get("/api/v1/feeds/trending").json()
    assert [p["arxiv_id"] for p in body["items"]] == ["2503.00003", "2503.00002", "2503.00001"]
    assert body["scores"] == sorted(body["scores"], reverse=True)


def test_search_keyword_with_filters_and_sort(client, corpus):
    body = client.get(
        "/api/v1/search", {"q": "reward", "mode": "keyword", "sort": "upvotes", "limit": 2}
    ).json()
    assert [hit["paper"]["arxiv_id"] for hit in body["items"]] == ["2503.00005", "2503.00004"]
    assert body["next_offset"] == 2 and body["items"][0]["keyword_rank"] is not None
    filtered = client.get(
        "/api/v1/search", {"q": "reward", "mode": "keyword", "organization": "acme"}
    ).json()
    assert {hit["paper"]["arxiv_id"] for hit in filtered["items"]} == {
        "2503.00001",
        "2503.00003",
        "2503.00005",
    }


def test_search_refuses_an_unknown_mode(client):
    response = client.get("/api/v1/search", {"q": "x", "mode": "psychic"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert response.json()["error"]["details"][0]["location"] == "query.mode"


def test_organization_and_author_pages(client, corpus):
    assert client.get("/api/v1/organizations/acme").json()["fullname"] == "Acme Research"
    papers = client.get("/api/v1/organizations/acme/papers", {"limit": 2}).json()
    assert [p["arxiv_id"] for p in papers["items"]] == ["2503.00005", "2503.00003"]
    assert papers["next_offset"] == 2
    assert client.get("/api/v1/authors/ada lovelace").json()["name"] == "Ada Lovelace"
    by_author = client.get("/api/v1/authors/Author 4/papers").json()
    assert [p["arxiv_id"] for p in by_author["items"]] == ["2503.00004"]
    assert client.get("/api/v1/organizations/nope").status_code == 404
    assert client.get("/api/v1/authors/Nobody/papers").status_code == 404


def test_upvote_is_idempotent_and_unvote_withdraws(client, corpus):
    member = make_member()
    auth = bearer(member)
    for _ in range(2):
        response = client.put("/api/v1/papers/2503.00001/upvote", **auth)
        assert response.json() == {"arxiv_id": "2503.00001", "upvoted": True, "upvotes": 11}
    assert Upvote.objects.filter(user=member).count() == 1
    for _ in range(2):
        response = client.delete("/api/v1/papers/2503.00001/upvote", **auth)
        assert response.json()["upvoted"] is False and response.json()["upvotes"] == 10
    assert not Upvote.objects.exists()


@pytest.mark.parametrize("header", [None, "Bearer dp_not-a-token", "Basic abc"])
def test_writes_need_a_valid_token(client, corpus, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.put("/api/v1/papers/2503.00001/upvote", **extra)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"
    assert not Upvote.objects.exists()


def test_a_session_cookie_is_not_a_token(client, corpus):
    client.force_login(make_member())
    assert client.put("/api/v1/papers/2503.00001/upvote").status_code == 401


def test_comment_and_reply(client, corpus):
    auth = bearer(make_member())
    url = "/api/v1/papers/2503.00001/comments"
    first = client.post(url, {"body": "Nice <script>x</script>"}, "application/json", **auth)
    assert first.status_code == 201 and first.json()["author"] == "member"
    reply = client.post(
        url, {"body": "Agreed", "parent_id": first.json()["id"]}, "application/json", **auth
    )
    assert reply.json()["parent_id"] == first.json()["id"]
    assert Comment.objects.count() == 2
    empty = client.post(url, {"body": "  "}, "application/json", **auth)
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "comment_refused"
    other = client.post(url, {"body": "x", "parent_id": 999}, "application/json", **auth)
    assert other.status_code == 404
    Comment.objects.filter(pk=first.json()["id"]).update(hidden=True)
    under_hidden = {"body": "x", "parent_id": first.json()["id"]}
    assert client.post(url, under_hidden, "application/json", **auth).status_code == 404


def test_submit_a_stored_paper_and_a_refusal(client, corpus, settings):
    settings.SUBMIT_WEEKENDS = True  # whatever day the suite runs on
    auth = bearer(make_member())
    paper = Paper.objects.get(arxiv_id="2503.00005")
    Paper.objects.filter(pk=paper.pk).update(published_at=dt.datetime.now(dt.UTC))
    response = client.post(
        "/api/v1/submissions", {"arxiv_id": "arXiv:2503.00005"}, "application/json", **auth
    )
    assert response.status_code == 201, response.json()
    assert response.json()["paper"]["arxiv_id"] == "2503.00005"
    assert Submission.objects.filter(paper=paper).exists()
    again = client.post(
        "/api/v1/submissions", {"arxiv_id": "2503.00005"}, "application/json", **auth
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "submission_refused"
    assert again.json()["error"]["link"].startswith("https://papers.example.org/")


def test_submit_refuses_a_malformed_id(client):
    auth = bearer(make_member())
    response = client.post("/api/v1/submissions", {"arxiv_id": "x"}, "application/json", **auth)
    assert response.status_code == 400
    assert "Not an arXiv id" in response.json()["error"]["message"]


def test_rate_limit_per_token_answers_429_with_retry_after(client, corpus, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (2, 0)}
    auth = bearer(make_member())
    codes = [client.get("/api/v1/papers", **auth).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = client.get("/api/v1/papers", **auth)
    assert_rate_limited(limited, "api", 2)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert client.get("/api/v1/papers").status_code == 200  # without the token: its own budget


def test_writes_also_count_against_the_sites_own_vote_limit(client, corpus, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": (1, 0)}
    auth = bearer(make_member())
    assert client.put("/api/v1/papers/2503.00001/upvote", **auth).status_code == 200
    limited = client.delete("/api/v1/papers/2503.00001/upvote", **auth)
    assert_rate_limited(limited, "vote", 1)
    assert limited.json()["error"]["code"] == "rate_limited"
    assert Upvote.objects.count() == 1


def test_rate_limit_per_address(client, corpus, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (0, 1)}
    assert client.get("/api/v1/papers").status_code == 200
    assert client.get("/api/v1/papers").status_code == 429


def test_head_answers_like_get_without_a_body(client, corpus):
    response = client.head("/api/v1/papers/2503.00001")
    assert response.status_code == 200 and response.content == b""


def test_reads_allow_any_origin(client, corpus):
    response = client.get("/api/v1/papers", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"


def test_hostile_text_comes_back_as_data(client):
    make_paper("2503.00009", title='<img src=x onerror="alert(1)">')
    response = client.get("/api/v1/papers/2503.00009")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["title"] == '<img src=x onerror="alert(1)">'


def test_old_style_ids_with_a_slash_work_in_every_paper_route(client):
    make_paper("hep-th/9901001", title="Strings")
    assert client.get("/api/v1/papers/hep-th/9901001v2").json()["title"] == "Strings"
    assert client.get("/api/v1/papers/hep-th/9901001/similar").status_code == 200
    auth = bearer(make_member())
    voted = client.put("/api/v1/papers/hep-th/9901001/upvote", **auth).json()
    assert voted == {"arxiv_id": "hep-th/9901001", "upvoted": True, "upvotes": 1}
