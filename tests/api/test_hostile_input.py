"""Hostile input never gets a 5xx: hypothesis-made query strings on every read route under
/api/, every method on the read-only ones, and made-up bodies on /mcp. Each error comes in the
route's own shape: our `{"error": {...}}` under /api/v1, Hugging Face's `{"error": "…"}` on
the other /api/ routes, a JSON-RPC error on /mcp; never Django's HTML pages.

Through Django's test client with CSRF enforced (the live server's behaviour; the default test
client skips the check) and exceptions turned into the 500 page, as a server does."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_organization, make_paper, submit

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 4)
ID = "2503.00001"
HF_ROUTES = ["/api/daily_papers", "/api/papers/search", "/api/papers", f"/api/papers/{ID}"]
V1_ROUTES = [
    "/api/v1/papers",
    "/api/v1/search",
    f"/api/v1/papers/{ID}",
    f"/api/v1/papers/{ID}/similar",
    f"/api/v1/feeds/day/{DAY}",
    "/api/v1/feeds/week/2025-W10",
    "/api/v1/feeds/month/2025-03",
    "/api/v1/feeds/trending",
    "/api/v1/organizations/acme",
    "/api/v1/organizations/acme/papers",
    "/api/v1/authors/Grace Hopper",
    "/api/v1/authors/Grace Hopper/papers",
]
MANY_FIELDS = "&".join(f"x{i}=1" for i in range(1200))  # past DATA_UPLOAD_MAX_NUMBER_FIELDS
FUZZ = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def corpus(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.RATE_LIMITS = {name: (0, 0) for name in settings.RATE_LIMITS}  # input, not limits
    settings.SEARCH_RATE_PER_MINUTE = 0
    org = make_organization("acme")
    paper = make_paper(ID, title="Reward models", organization=org, authors=("Grace Hopper",))
    submit(paper, DAY)


@pytest.fixture
def client() -> Client:
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def assert_in_route_shape(response, path: str) -> None:
    assert response.status_code < 500, (path, response.status_code, response.content[:300])
    if response.status_code < 400 or response.request["REQUEST_METHOD"] == "HEAD":
        return
    assert response["Content-Type"].startswith("application/json"), (path, response.content[:200])
    error = json.loads(response.content)["error"]
    if path.startswith("/api/v1"):
        assert set(error) >= {"code", "message"}, error
    elif path.startswith("/api/"):
        assert isinstance(error, str), error
    else:  # /mcp: JSON-RPC
        assert isinstance(error["code"], int) and isinstance(error["message"], str), error


# Routes that read no query parameter never parse the query string: they answer as usual.
IGNORE_QUERY = {f"/api/papers/{ID}", f"/api/v1/papers/{ID}", "/api/v1/organizations/acme"}
IGNORE_QUERY.add("/api/v1/authors/Grace Hopper")


@pytest.mark.parametrize("path", HF_ROUTES + V1_ROUTES)
def test_too_many_parameters_is_a_400_in_the_routes_shape(client, path):
    response = client.get(path, QUERY_STRING=MANY_FIELDS)
    if path in IGNORE_QUERY:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert_in_route_shape(response, path)
    assert "Too many parameters" in response.content.decode()


PARAMS = ["q", "limit", "p", "date", "week", "month", "sort", "cursor", "offset", "mode"]
PARAMS += ["submitter", "date_from", "date_to", "organization", "has_code", "x"]
values = st.one_of(
    st.text(max_size=40),
    st.integers(-(10**30), 10**30).map(str),
    st.text(alphabet="0123456789-W:.T+Z", max_size=30),
    st.sampled_from(["2025-03-04", "2025-W10", "2025-03", "trending", "1e999", "NaN", "\x00"]),
    st.text(min_size=200, max_size=5000),
)
query_strings = st.one_of(
    st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=8).map(urlencode),
    # Raw, not even well-formed percent-encoding; WSGI hands the bytes over as latin-1.
    st.text(max_size=300).map(lambda raw: raw.encode().decode("latin-1")),
)


@pytest.mark.parametrize("path", HF_ROUTES + V1_ROUTES)
def test_no_query_string_makes_a_read_route_fail(client, path):
    @FUZZ
    @given(query=query_strings)
    def run(query):
        assert_in_route_shape(client.get(path, QUERY_STRING=query), path)

    run()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", HF_ROUTES)
def test_a_write_to_a_read_only_hf_route_is_the_json_405(client, path, method):
    response = getattr(client, method)(path, data="{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert_in_route_shape(response, path)


@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/nothing", "/api/v1/nothing", "/api/papers/a/b/c"])
def test_an_unknown_api_path_is_the_json_404(client, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert_in_route_shape(response, path)
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_html_path_is_still_the_html_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# /mcp


def post_mcp(client: Client, body: bytes):
    return client.post(
        "/mcp", data=body, content_type="application/json", HTTP_ACCEPT="application/json"
    )


MALFORMED_MCP = {
    "nested arrays": b"[" * 100_000 + b"]" * 100_000,
    "nested objects": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "not utf-8": b"\xff\xfe\x00{",
    "a method that is a list": b'{"jsonrpc":"2.0","id":1,"method":["tools/call"]}',
    "a method that is an object": b'{"jsonrpc":"2.0","id":1,"method":{"a":1}}',
    "a batch": b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
    "deep params": b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":'
    + b"[" * 100_000
    + b"]" * 100_000
    + b"}",
    "an id too long to be an int": b'{"jsonrpc":"2.0","id":' + b"9" * 5000 + b',"method":"ping"}',
}


@pytest.mark.parametrize("body", MALFORMED_MCP.values(), ids=MALFORMED_MCP.keys())
def test_a_malformed_mcp_body_is_a_json_rpc_error(client, body):
    response = post_mcp(client, body)
    assert 400 <= response.status_code < 500 or "error" in json.loads(response.content)
    assert_in_route_shape(response, "/mcp")
    assert json.loads(response.content)["error"]["code"] in (-32700, -32600, -32602)


def test_an_mcp_body_over_the_size_limit_is_a_json_rpc_error(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_mcp(client, b'{"jsonrpc":"2.0","id":1,"method":"ping","x":"' + b"a" * 2000)
    assert response.status_code == 413
    assert_in_route_shape(response, "/mcp")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
TOOLS = ["search_papers", "daily_papers", "trending_papers", "get_paper", "similar_papers"]
METHODS = ["initialize", "ping", "tools/list", "tools/call", "notifications/initialized"]
rpc_messages = st.fixed_dictionaries(
    {"jsonrpc": st.sampled_from(["2.0", "1.0", 2])},
    optional={
        "id": json_values,
        "method": st.sampled_from(METHODS) | json_values,
        "params": st.fixed_dictionaries(
            {}, optional={"name": st.sampled_from(TOOLS) | json_values, "arguments": json_values}
        )
        | json_values,
    },
)
mcp_bodies = st.one_of(
    rpc_messages.map(lambda message: json.dumps(message).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=200),
)


def test_no_mcp_body_makes_the_endpoint_fail(client):
    @FUZZ
    @given(body=mcp_bodies)
    def run(body):
        response = post_mcp(client, body)
        assert response.status_code < 500, (body[:200], response.content[:300])
        if response.status_code != 202:  # a notification's answer has no body
            json.loads(response.content)

    run()


HOSTILE_SEGMENTS = ["x" * 100_000, "%00", "\x00", "..%2F..%2Fetc", "%ff%fe", "ā" * 5000, "9" * 5000]
PATH_TEMPLATES = [
    "/api/papers/{}",
    "/api/v1/papers/{}",
    "/api/v1/papers/{}/similar",
    "/api/v1/feeds/day/{}",
    "/api/v1/feeds/week/{}",
    "/api/v1/feeds/month/{}",
    "/api/v1/organizations/{}/papers",
    "/api/v1/authors/{}",
    "/api/v1/authors/{}/papers",
]


@pytest.mark.parametrize("segment", HOSTILE_SEGMENTS, ids=lambda s: f"{s[:8]!r}x{len(s)}")
@pytest.mark.parametrize("template", PATH_TEMPLATES)
def test_an_oversized_or_strange_path_segment_is_a_client_error(client, template, segment):
    path = template.format(segment)
    response = client.get(path)
    assert 400 <= response.status_code < 500
    assert_in_route_shape(response, path)
