"""The Hugging Face–compatible routes: shapes, order, filters, paging, errors and cost."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dailypapers.accounts.tokens import create_token
from dailypapers.papers import feed_cache, services
from dailypapers.papers.models import Paper
from tests.factories import make_member, make_organization, make_paper, submit
from tests.limits import assert_rate_limited

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 12)  # a Wednesday of ISO week 2025-W11
NEXT_DAY = dt.date(2025, 3, 13)
APRIL = dt.date(2025, 4, 2)
FIXTURES = Path(__file__).parent.parent / "fixtures"
HF_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # this test's own vector index file


@pytest.fixture
def corpus():
    org = make_organization(
        "acme", name="Acme", fullname="Acme Research", avatar_url="https://a.example/acme.png"
    )
    member = make_member("ada")
    top = make_paper(
        "2503.00001",
        authors=("Ada Lovelace", "Alan Turing"),
        title="Rubric reward models",
        abstract="We train reward models from rubrics.",
        organization=org,
        github_repo="https://github.com/acme/rubric",
        github_stars=42,
        project_page="https://acme.example/rubric",
        ai_summary="Rubrics make reward models.",
        ai_keywords=["reward model", "rubric"],
        imported_upvotes=30,
        imported_comments=2,
        published_at=dt.datetime(2025, 3, 10, 17, 35, 15, 250000, tzinfo=dt.UTC),
    )
    submit(top, DAY, hour=2, submitter=member)
    middle = make_paper("2503.00002", title="Second paper", imported_upvotes=10)
    submit(middle, DAY, hour=3, submitter_name="hf-person")
    zero = make_paper("2503.00003", title="Nobody voted", imported_upvotes=0)
    submit(zero, DAY, hour=4)
    later = make_paper("2503.00004", title="Next day", imported_upvotes=5)
    submit(later, NEXT_DAY)
    april = make_paper("2504.00005", title="April paper", imported_upvotes=1)
    submit(april, APRIL)
    hidden = make_paper("2503.00006", title="Hidden one", imported_upvotes=99, hidden=True)
    submit(hidden, DAY)
    make_paper("2503.00007", title="Never in the feed rubric")
    return {"top": top, "middle": middle, "zero": zero, "member": member, "org": org}


def get_json(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert "X-Error-Code" not in response
    return response.json()


def ids(items) -> list[str]:
    return [item["paper"]["id"] for item in items]


def test_a_day_lists_its_papers_by_upvotes_as_a_bare_array(client, corpus):
    items = get_json(client, "/api/daily_papers?date=2025-03-12")

    assert isinstance(items, list)
    assert ids(items) == ["2503.00001", "2503.00002", "2503.00003"]


def test_a_daily_item_has_hugging_faces_wrapped_shape(client, corpus):
    item = get_json(client, "/api/daily_papers?date=2025-03-12")[0]
    paper = item["paper"]

    assert paper["title"] == item["title"] == "Rubric reward models"
    assert paper["summary"] == item["summary"] == "We train reward models from rubrics."
    assert [a["name"] for a in paper["authors"]] == ["Ada Lovelace", "Alan Turing"]
    assert all(set(a) == {"_id", "name", "hidden"} for a in paper["authors"])
    assert paper["publishedAt"] == "2025-03-10T17:35:15.250Z"
    assert paper["submittedOnDailyAt"] == item["publishedAt"] == "2025-03-12T02:00:00.000Z"
    assert paper["upvotes"] == item["upvotes"] == 30
    assert item["numComments"] == 2
    # What the client reads only at the top level is there.
    assert item["githubRepo"] == paper["githubRepo"] == "https://github.com/acme/rubric"
    assert item["githubStars"] == 42
    assert item["projectPage"] == "https://acme.example/rubric"
    assert item["ai_summary"] == "Rubrics make reward models."
    assert item["ai_keywords"] == ["reward model", "rubric"]
    assert item["organization"] == {
        "_id": item["organization"]["_id"],
        "name": "acme",
        "fullname": "Acme Research",
        "avatarUrl": "https://a.example/acme.png",
        "avatar": "https://a.example/acme.png",
    }
    assert item["submittedBy"]["user"] == paper["submittedOnDailyBy"]["user"] == "ada"
    assert item["submittedBy"]["type"] == "user"
    assert item["isAuthorParticipating"] is False
    assert isinstance(paper["discussionId"], str) and len(paper["discussionId"]) == 24


def test_every_datetime_ends_in_z_with_milliseconds(client, corpus):
    for item in get_json(client, "/api/daily_papers?month=2025-03"):
        for moment in (item["publishedAt"], item["paper"]["publishedAt"]):
            assert HF_TIME.fullmatch(moment), moment


def test_unknown_fields_are_left_out_and_zero_upvotes_repeated(client, corpus):
    item = get_json(client, "/api/daily_papers?date=2025-03-12")[2]

    assert item["upvotes"] == 0
    for absent in ("githubRepo", "githubStars", "projectPage", "ai_summary", "organization"):
        assert absent not in item and absent not in item["paper"]
    assert "submittedBy" not in item  # no submitter recorded


def test_imported_submitter_name_is_the_submitter(client, corpus):
    item = get_json(client, "/api/daily_papers?date=2025-03-12")[1]

    assert item["submittedBy"]["user"] == "hf-person"


def test_week_and_month_cover_their_days(client, corpus):
    week = get_json(client, "/api/daily_papers?week=2025-W11")
    month = get_json(client, "/api/daily_papers?month=2025-04")

    assert ids(week) == ["2503.00001", "2503.00002", "2503.00004", "2503.00003"]
    assert ids(month) == ["2504.00005"]


def test_without_a_period_the_newest_day_comes_first(client, corpus):
    items = get_json(client, "/api/daily_papers")

    assert ids(items)[:3] == ["2504.00005", "2503.00004", "2503.00001"]


def test_hidden_papers_never_appear(client, corpus):
    every = get_json(client, "/api/daily_papers?limit=100")

    assert "2503.00006" not in ids(every)
    get_json(client, "/api/papers/2503.00006", status=404)


def test_paging_by_p_and_limit(client, corpus):
    first = get_json(client, "/api/daily_papers?week=2025-W11&limit=2")
    second = get_json(client, "/api/daily_papers?week=2025-W11&limit=2&p=1")
    past = get_json(client, "/api/daily_papers?week=2025-W11&limit=2&p=5")

    assert ids(first) + ids(second) == ["2503.00001", "2503.00002", "2503.00004", "2503.00003"]
    assert past == []


def test_pages_without_a_period_cross_days_in_order(client, corpus):
    member = corpus["member"]
    for number, day in enumerate((DAY, NEXT_DAY, APRIL, APRIL), start=10):
        submit(make_paper(f"2503.000{number}", imported_upvotes=number), day, submitter=member)
    whole = ids(get_json(client, "/api/daily_papers?limit=100"))
    mine = ids(get_json(client, "/api/daily_papers?limit=100&submitter=ada"))

    pages = [get_json(client, f"/api/daily_papers?limit=3&p={p}") for p in range(4)]
    my_pages = [
        get_json(client, f"/api/daily_papers?limit=2&p={p}&submitter=ada") for p in range(3)
    ]

    assert [arxiv_id for page in pages for arxiv_id in ids(page)] == whole
    assert len(whole) == 9 and whole[:3] == ["2503.00013", "2503.00012", "2504.00005"]
    assert [arxiv_id for page in my_pages for arxiv_id in ids(page)] == mine
    assert mine == ["2503.00013", "2503.00012", "2503.00011", "2503.00001", "2503.00010"]


def test_submitter_filter(client, corpus):
    assert ids(get_json(client, "/api/daily_papers?submitter=ada")) == ["2503.00001"]
    assert ids(get_json(client, "/api/daily_papers?submitter=hf-person")) == ["2503.00002"]
    assert get_json(client, "/api/daily_papers?submitter=nobody") == []


def test_trending_follows_the_trending_ranking(client, corpus):
    popular = make_paper("2504.00009", title="Popular a day earlier", imported_upvotes=1000)
    submit(popular, APRIL - dt.timedelta(days=1))

    items = get_json(client, "/api/daily_papers?sort=trending&limit=100")

    from dailypapers.papers.ranking import cached_trending

    ranked = cached_trending().arxiv_ids
    assert ids(items) == ranked and ranked[:2] == ["2504.00009", "2504.00005"]
    assert ids(get_json(client, "/api/daily_papers?sort=trending&date=2025-04-02")) == [
        "2504.00005"
    ]
    march = ids(get_json(client, "/api/daily_papers?sort=trending&month=2025-03"))
    assert march == [arxiv_id for arxiv_id in ranked if arxiv_id.startswith("2503.")] != []
    assert ids(get_json(client, "/api/daily_papers?sort=trending&limit=1&p=1")) == ["2504.00005"]


@pytest.mark.parametrize(
    "query",
    [
        "date=2025-3-12",
        "date=2025-02-30",
        "date=yesterday",
        "week=2025-W60",
        "week=2025-11",
        "month=2025-13",
        "month=March",
        "limit=0",
        "limit=101",
        "limit=ten",
        "limit=-1",
        "p=-1",
        "p=1.5",
        "p=%D9%A3",  # an Arabic-Indic digit
        "sort=upvotes",
        "date=2025-03-12&week=2025-W11",
    ],
)
def test_malformed_parameters_are_a_400_with_an_error(client, corpus, query):
    body = get_json(client, f"/api/daily_papers?{query}", status=400)

    assert set(body) == {"error"} and body["error"]


def test_paper_info_is_flat(client, corpus):
    info = get_json(client, "/api/papers/2503.00001")

    assert "paper" not in info
    assert info["id"] == "2503.00001"
    assert info["title"] == "Rubric reward models"
    assert [a["name"] for a in info["authors"]] == ["Ada Lovelace", "Alan Turing"]
    assert info["upvotes"] == 30 and info["numComments"] == 2
    assert info["githubRepo"] == "https://github.com/acme/rubric"
    assert info["organization"]["name"] == "acme"
    assert info["submittedOnDailyAt"] == "2025-03-12T02:00:00.000Z"
    assert info["submittedOnDailyBy"]["user"] == "ada"
    assert info["linkedModels"] == info["linkedDatasets"] == info["linkedSpaces"] == []
    assert info["numTotalModels"] == info["numTotalDatasets"] == info["numTotalSpaces"] == 0


def test_paper_info_accepts_a_versioned_id(client, corpus):
    assert get_json(client, "/api/papers/2503.00001v3")["id"] == "2503.00001"


def test_unknown_paper_is_a_404_with_an_error(client, corpus):
    body = get_json(client, "/api/papers/2503.09999", status=404)

    assert "2503.09999" in body["error"]
    for malformed in ("bogus", "2503.1", "hep-th/x", "%3Cscript%3E"):
        assert get_json(client, f"/api/papers/{malformed}", status=404)["error"]


def test_search_items_add_highlights_and_upvoted(client, corpus):
    _, raw = create_token(corpus["member"], "script")
    services.set_upvote(corpus["member"], corpus["top"], True)

    mine = get_json(client, "/api/papers/search?q=rubric", HTTP_AUTHORIZATION=f"Bearer {raw}")
    foreign = get_json(client, "/api/papers/search?q=rubric", HTTP_AUTHORIZATION="Bearer hf_xyz")

    assert set(ids(mine)) == set(ids(foreign)) >= {"2503.00001", "2503.00007"}
    top = next(item for item in mine if item["paper"]["id"] == "2503.00001")
    assert top["highlightedTitle"] == "Rubric reward models"
    assert top["highlightedSummary"] == "We train reward models from rubrics."
    assert top["upvoted"] is True
    assert [item["upvoted"] for item in mine if item is not top] == [False] * (len(mine) - 1)
    assert not any(item["upvoted"] for item in foreign)
    assert "2503.00006" not in ids(mine)
    outside = next(item for item in mine if item["paper"]["id"] == "2503.00007")
    assert "publishedAt" not in outside and "submittedOnDailyAt" not in outside["paper"]


def test_search_limit_and_long_queries(client, corpus):
    assert len(get_json(client, "/api/papers/search?q=paper&limit=1")) == 1
    get_json(client, "/api/papers/search?q=paper&limit=121", status=400)
    get_json(client, "/api/papers/search?q=" + "x" * 251, status=400)


def test_search_without_a_query_lists_the_newest_feed(client, corpus):
    assert ids(get_json(client, "/api/papers/search"))[0] == "2504.00005"


def test_hostile_text_stays_data(client, corpus):
    make_paper(
        "2503.00008", title="<script>alert(1)</script>", abstract="<img src=x onerror=alert(1)>"
    )
    response = client.get("/api/papers/2503.00008")

    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["title"] == "<script>alert(1)</script>"


def test_any_origin_may_read(client, corpus):
    response = client.get("/api/daily_papers", HTTP_ORIGIN="https://notebook.example")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert client.head("/api/papers/2503.00001").status_code == 200


def test_writes_are_refused_with_a_json_405(client, corpus):
    response = client.post("/api/daily_papers")

    assert response.status_code == 405
    assert response.json()["error"]
    assert response["Allow"] == "GET, HEAD"


def test_rate_limit_answers_429_with_retry_after(client, corpus, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (0, 2)}
    cache.clear()
    statuses = [client.get("/api/daily_papers").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    response = client.get("/api/daily_papers")
    assert_rate_limited(response, "api_ip", 2)
    assert response.json()["error"]


def test_daily_lists_are_shared_like_the_feed_pages(client, corpus, settings):
    settings.FEED_CACHE_SECONDS = 60
    url = "/api/daily_papers?date=2025-03-12"
    before = get_json(client, url)
    Paper.objects.filter(arxiv_id="2503.00003").update(imported_upvotes=500)

    assert get_json(client, url) == before  # a vote shows within FEED_CACHE_SECONDS
    feed_cache.forget_feeds()  # what moderation and new submissions do after commit
    assert ids(get_json(client, url))[0] == "2503.00003"


# Fields of a real Hugging Face item we have no data for (the client reads none of them).
NOT_OURS = {
    "paper.githubRepoAddedBy",
    "paper.ai_summary_model",
    *(f"submittedBy.{key}" for key in ("isHf", "isHfAdmin", "isMod", "followerCount")),
    "submittedBy.isUserFollowing",
}


def missing_or_retyped(real, ours, path=""):
    """Keys of `real` (recursively; lists by their first element) that `ours` lacks or
    holds with another JSON type."""
    if isinstance(real, list):
        return missing_or_retyped(real[0], ours[0], path) if real and ours else []
    if not isinstance(real, dict):
        return [] if type(real) is type(ours) else [path]
    problems = []
    for key, value in real.items():
        where = f"{path}.{key}".lstrip(".")
        if where in NOT_OURS:
            continue
        if key not in ours:
            problems.append(where)
        else:
            problems += missing_or_retyped(value, ours[key], where)
    return problems


def test_items_have_every_field_of_a_real_hugging_face_item(client, corpus):
    real = json.loads((FIXTURES / "hf_daily_item.json").read_text())
    Paper.objects.filter(arxiv_id="2503.00001").update(
        media_urls=["https://a.example/v.mp4"], thumbnail="https://a.example/t.png"
    )
    ours = get_json(client, "/api/daily_papers?date=2025-03-12")[0]

    assert missing_or_retyped(real, ours) == []


HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "0" * 5000 + "5",
    "9" * 5000,
    "-1",
    "1e3",
    "\uff12",  # a fullwidth digit
    "0000-01-01",
    "9999-12-31",
    "2021-W53",
    "9999-W52",
    "0000-00",
    "%",
    "<script>alert(1)</script>",
    "\U0001f916",
]
PARAMS = {
    "/api/daily_papers": ("date", "week", "month", "submitter", "sort", "p", "limit"),
    "/api/papers/search": ("q", "limit"),
    "/api/papers": ("cursor", "limit"),
}


@pytest.mark.parametrize("route,param", [(r, p) for r, ps in PARAMS.items() for p in ps])
def test_hostile_parameters_get_an_answer_never_a_500(client, corpus, route, param):
    for value in HOSTILE:
        response = client.get(route, {param: value})
        assert response.status_code in (200, 400), (param, value, response.content[:200])
        assert "X-Error-Code" not in response
        body = response.json()
        assert isinstance(body, list) if response.status_code == 200 else set(body) == {"error"}


def test_rate_limit_counts_per_token_across_the_api(client, corpus, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (2, 0)}
    cache.clear()
    _, raw = create_token(corpus["member"], "script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client.get("/api/v1/papers", **auth)  # the same budget as our own API

    assert client.get("/api/daily_papers", **auth).status_code == 200
    assert client.get("/api/papers/search?q=x", **auth).status_code == 429
    assert client.get("/api/papers/search?q=x").status_code == 200  # no token: per address
    assert client.get("/api/daily_papers", HTTP_AUTHORIZATION="Bearer hf_x").status_code == 200


# GET /api/papers: every paper, cursor paging.


def walk(client, url):
    pages, seen = 0, []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [paper["id"] for paper in response.json()]
        link = response.get("Link", "")
        url = re.fullmatch(r'<(.+)>; rel="next"', link).group(1) if link else ""
        pages += 1
    return seen, pages


def test_all_papers_pages_through_every_visible_paper_once_newest_first(client, corpus):
    Paper.objects.filter(arxiv_id="2503.00003").update(published_at=None)
    Paper.objects.filter(arxiv_id="2503.00002").update(published_at=None)
    same = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)  # ties are broken by row, never lost
    Paper.objects.filter(arxiv_id__in=["2503.00004", "2504.00005"]).update(published_at=same)

    seen, pages = walk(client, "/api/papers?limit=2")

    visible = Paper.objects.filter(hidden=False)
    assert sorted(seen) == sorted(visible.values_list("arxiv_id", flat=True))
    assert len(seen) == len(set(seen)) == 6 and pages == 3
    dated = list(visible.exclude(published_at=None).order_by("-published_at", "-pk"))
    assert seen[:4] == [paper.arxiv_id for paper in dated]
    assert set(seen[4:]) == {"2503.00002", "2503.00003"}


def test_all_papers_link_is_absolute_under_the_base_url(client, corpus, settings):
    settings.BASE_URL = "https://papers.example.org"
    link = client.get("/api/papers?limit=1")["Link"]

    assert link.startswith("<https://papers.example.org/api/papers?")


def test_all_papers_rejects_a_forged_cursor(client, corpus):
    for cursor in ("nonsense", "WzEsMl0", "bnVsbA", "WyIyMDI1LTAxLTAxIiwxXQ"):
        body = get_json(client, f"/api/papers?cursor={cursor}", status=400)
        assert "cursor" in body["error"]


# Cost: the same number of queries for N and 2N papers.


def count_queries(client, url: str) -> int:
    client.get(url)  # loads what a server loads once (the vector index file)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_papers(n: int, org) -> None:
    for _ in range(n):
        paper = make_paper(organization=org, authors=("Ada Lovelace", "Alan Turing"))
        submit(paper, DAY, submitter=make_member(f"m{Paper.objects.count()}"))


@pytest.mark.parametrize(
    "url",
    [
        "/api/daily_papers?date=2025-03-12",
        "/api/daily_papers",
        "/api/daily_papers?sort=trending",
        "/api/papers/search?q=Paper",
        "/api/papers?limit=100",
    ],
)
def test_lists_run_constant_queries(client, url):
    org = make_organization("acme")
    add_papers(4, org)
    small = count_queries(client, url)
    add_papers(4, org)

    assert count_queries(client, url) == small
