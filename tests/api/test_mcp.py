"""`/mcp` driven by the official `mcp` client over HTTP against a live server: the tools are
listed, each one is called and answers with what the database holds, bad input is an
`is_error` result, and protocol mistakes are JSON-RPC errors."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from mcp import Client, ClientSession
from mcp.client.streamable_http import streamable_http_client

from dailypapers.accounts.tokens import create_token
from dailypapers.papers.models import Paper
from dailypapers.search import index_papers
from tests.factories import make_member, make_organization, make_paper, submit
from tests.limits import assert_rate_limited

pytestmark = pytest.mark.django_db(transaction=True)
DAY = dt.date(2025, 3, 4)


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # this test's own vector index file
    settings.BASE_URL = ""


@pytest.fixture
def corpus() -> dict[str, Paper]:
    acme = make_organization("acme", name="Acme", fullname="Acme Research")
    papers = {
        "reward": make_paper(
            "2503.00001",
            title="Rubric Reward Models for Aligning Language Models",
            abstract="We train reward models from rubrics written by experts to align assistants.",
            github_repo="https://github.com/acme/rubric",
            organization=acme,
            authors=("Grace Hopper", "Alan Turing"),
            published_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
            imported_upvotes=40,
        ),
        "robot": make_paper(
            "2503.00002",
            title="Robots Learn Manipulation from Human Videos",
            abstract="A robot arm imitates people seen in videos to grasp and move objects.",
            imported_upvotes=3,
        ),
        "reward2": make_paper(
            "2503.00003",
            title="Reward Model Ensembles Against Overoptimization",
            abstract="Ensembles of reward models reduce overoptimization when aligning assistants.",
            imported_upvotes=7,
        ),
        "hidden": make_paper("2503.00004", title="Hidden Reward Paper", hidden=True),
    }
    for key in ("reward", "robot", "reward2", "hidden"):
        submit(papers[key], DAY)
    index_papers(list(Paper.objects.values_list("pk", flat=True)))
    return papers


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """`asyncio.run` in a thread of its own: once a browser test has run, Playwright's sync API
    keeps an event loop running in the test thread, where `asyncio.run` refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run(url: str, work: Callable[[ClientSession], Awaitable[Any]]) -> Any:
    async def session() -> Any:
        async with (
            streamable_http_client(url) as (read, write),
            ClientSession(read, write) as client,
        ):
            await client.initialize()
            return await work(client)

    return run_async(session())


def call(url: str, tool: str, arguments: dict[str, Any]):
    return run(url, lambda client: client.call_tool(tool, arguments))


@pytest.fixture
def url(live_server) -> str:
    return live_server.url + "/mcp"


def test_the_client_lists_four_read_only_tools(url):
    tools = run(url, lambda client: client.list_tools()).tools
    assert {tool.name for tool in tools} == {
        "search_papers",
        "daily_papers",
        "paper",
        "similar_papers",
    }
    for tool in tools:
        assert tool.annotations.read_only_hint is True
        assert tool.input_schema["type"] == "object"
    search = next(tool for tool in tools if tool.name == "search_papers")
    assert search.input_schema["required"] == ["query"]


def test_daily_papers_of_a_day_ranked_by_upvotes_without_hidden_ones(url, corpus):
    result = call(url, "daily_papers", {"date": "2025-03-04"})
    assert not result.is_error
    papers = result.structured_content["papers"]
    assert [p["arxiv_id"] for p in papers] == ["2503.00001", "2503.00003", "2503.00002"]
    first = papers[0]
    assert first["title"] == "Rubric Reward Models for Aligning Language Models"
    assert first["authors"] == ["Grace Hopper", "Alan Turing"]
    assert first["organization"] == "Acme"
    assert first["upvotes"] == 40
    assert first["feed_date"] == "2025-03-04"
    assert first["github_repo"] == "https://github.com/acme/rubric"
    assert first["url"].endswith("/papers/2503.00001") and first["url"].startswith("http")
    assert "Rubric Reward Models" in result.content[0].text
    assert "Hidden Reward Paper" not in result.content[0].text


def test_daily_papers_by_week_month_trending_and_limit(url, corpus):
    week = call(url, "daily_papers", {"week": "2025-W10", "limit": 2})
    assert [p["arxiv_id"] for p in week.structured_content["papers"]] == [
        "2503.00001",
        "2503.00003",
    ]
    assert week.structured_content["period"] == {"kind": "week", "key": "2025-W10"}
    month = call(url, "daily_papers", {"month": "2025-03"})
    assert len(month.structured_content["papers"]) == 3
    latest = call(url, "daily_papers", {})
    assert latest.structured_content["period"] == {"kind": "day", "key": "2025-03-04"}
    trending = call(url, "daily_papers", {"trending": True})
    ids = [p["arxiv_id"] for p in trending.structured_content["papers"]]
    assert ids[0] == "2503.00001" and "2503.00004" not in ids


def test_paper_is_markdown_with_the_abstract(url, corpus):
    result = call(url, "paper", {"arxiv_id": "2503.00001"})
    assert not result.is_error
    text = result.content[0].text
    assert text.startswith("# Rubric Reward Models for Aligning Language Models")
    assert "**Authors:** Grace Hopper, Alan Turing" in text
    assert "We train reward models from rubrics" in text
    assert result.structured_content["abstract"] == corpus["reward"].abstract
    for alias in ("arXiv:2503.00001v2", "https://arxiv.org/abs/2503.00001"):
        again = call(url, "paper", {"arxiv_id": alias})
        assert again.structured_content["arxiv_id"] == "2503.00001"


def test_search_finds_papers_with_filters(url, corpus):
    found = call(url, "search_papers", {"query": "reward models", "mode": "keyword"})
    ids = [p["arxiv_id"] for p in found.structured_content["papers"]]
    assert set(ids) == {"2503.00001", "2503.00003"}
    with_code = call(
        url,
        "search_papers",
        {"query": "reward", "mode": "keyword", "filters": {"has_code": True}, "limit": 5},
    )
    assert [p["arxiv_id"] for p in with_code.structured_content["papers"]] == ["2503.00001"]
    hybrid = call(url, "search_papers", {"query": "aligning assistants with rubrics"})
    assert hybrid.structured_content["papers"][0]["arxiv_id"] == "2503.00001"


def test_similar_papers_leave_out_the_paper_and_hidden_ones(url, corpus):
    result = call(url, "similar_papers", {"arxiv_id": "2503.00001"})
    assert not result.is_error
    ids = [p["arxiv_id"] for p in result.structured_content["papers"]]
    assert ids and "2503.00001" not in ids and "2503.00004" not in ids
    assert ids[0] == "2503.00003"  # the other reward-model paper is the nearest


@pytest.mark.parametrize(
    ("tool", "arguments", "message"),
    [
        ("paper", {"arxiv_id": "2999.99999"}, "Unknown paper"),
        ("paper", {"arxiv_id": "2503.00004"}, "Unknown paper"),  # hidden
        ("similar_papers", {"arxiv_id": "nope"}, "not an arXiv id"),
        ("similar_papers", {"arxiv_id": "2503.00004"}, "Unknown paper"),
        ("daily_papers", {"date": "2025-13-45"}, "2025-01-31"),
        ("daily_papers", {"week": "2025-W99"}, "2025-W05"),
        ("daily_papers", {"date": "2025-03-04", "trending": True}, "not several"),
        ("daily_papers", {"limit": 0}, "limit"),
        ("search_papers", {"query": "x", "mode": "psychic"}, "mode"),
        ("search_papers", {"query": "x", "filters": {"date_from": "yesterday"}}, "date_from"),
        ("search_papers", {}, "query"),
        ("search_papers", {"query": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_arguments_are_tool_errors_that_say_why(url, corpus, tool, arguments, message):
    result = call(url, tool, arguments)
    assert result.is_error
    assert message in result.content[0].text


def test_hostile_text_comes_back_as_plain_data(url):
    make_paper("2503.00009", title="<script>alert(1)</script> Attack", hidden=False)
    result = call(url, "paper", {"arxiv_id": "2503.00009"})
    assert result.structured_content["title"] == "<script>alert(1)</script> Attack"


def test_the_sdk_auto_mode_falls_back_to_the_handshake(url, corpus):
    async def work() -> Any:
        async with Client(url) as client:
            return await client.call_tool("paper", {"arxiv_id": "2503.00002"})

    result = run_async(work())
    assert "Robots Learn Manipulation" in result.content[0].text


def post(url: str, body: Any, **headers: str) -> requests.Response:
    headers = {"Accept": "application/json, text/event-stream", **headers}
    return requests.post(url, json=body, headers=headers, timeout=30)


def test_protocol_mistakes_are_json_rpc_errors(url):
    unknown = post(url, {"jsonrpc": "2.0", "id": 1, "method": "resources/list"})
    assert unknown.json()["error"]["code"] == -32601
    tool = post(url, {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "x"}})
    assert tool.json()["error"]["code"] == -32602
    bad_json = requests.post(url, data=b"{not json", timeout=30)
    assert bad_json.status_code == 400 and bad_json.json()["error"]["code"] == -32700
    batch = post(url, [{"jsonrpc": "2.0", "id": 3, "method": "ping"}])
    assert batch.status_code == 400 and batch.json()["error"]["code"] == -32600
    version = post(
        url, {"jsonrpc": "2.0", "id": 4, "method": "ping"}, **{"MCP-Protocol-Version": "1999"}
    )
    assert version.status_code == 400 and version.json()["error"]["code"] == -32022
    ping = post(url, {"jsonrpc": "2.0", "id": 5, "method": "ping"})
    assert ping.json() == {"jsonrpc": "2.0", "id": 5, "result": {}}
    sse_only = post(url, {"jsonrpc": "2.0", "id": 6, "method": "ping"}, Accept="text/event-stream")
    assert sse_only.status_code == 406


@pytest.mark.parametrize(
    ("asked", "answered"), [("2025-03-26", "2025-03-26"), ("2099-01-01", "2025-11-25")]
)
def test_initialize_echoes_a_version_it_speaks_else_offers_its_latest(url, asked, answered):
    params = {
        "protocolVersion": asked,
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    }
    result = post(url, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params}).json()
    assert result["result"]["protocolVersion"] == answered
    assert result["result"]["capabilities"]["tools"] == {"listChanged": False}


def test_notifications_get_202_and_get_is_not_allowed(url):
    note = post(url, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert note.status_code == 202 and note.content == b""
    assert requests.get(url, timeout=30).status_code == 405


def test_a_foreign_origin_is_refused(url, settings):
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert post(url, ping, Origin="http://evil.example").status_code == 403
    assert post(url, ping, Origin=url.rsplit("/", 1)[0]).status_code == 200


def test_the_endpoint_shares_the_api_rate_limit(url, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (100, 2)}
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    codes = [post(url, ping).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    limited = post(url, ping)
    assert_rate_limited(limited, "api_ip", 2)
    assert limited.json()["error"]["message"].startswith("Too many requests")


def test_a_token_gets_its_own_budget(url, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (2, 100)}
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    token = {"Authorization": f"Bearer {create_token(make_member(), 'agent')[1]}"}
    answers = [post(url, ping, **token) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert_rate_limited(answers[-1], "api", 2)
    assert post(url, ping).status_code == 200  # no token: only the address counts


def test_a_feed_costs_the_same_queries_for_twice_the_papers(client):
    def queries_for_day() -> int:
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "daily_papers", "arguments": {"date": "2025-03-05"}},
        }
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/mcp", body, content_type="application/json")
        assert not response.json()["result"]["isError"]
        return len(captured)

    def add_papers(n: int) -> None:
        for _ in range(n):
            submit(make_paper(authors=("A One", "B Two")), dt.date(2025, 3, 5))

    add_papers(3)
    few = queries_for_day()
    add_papers(3)
    assert queries_for_day() == few
