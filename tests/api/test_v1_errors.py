"""One JSON error shape, `{"error": {"code", "message"}}`, for every error of every route in
the OpenAPI schema: 404, 405, 422, 401, 429 and 500, and for paths no route matches."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from dailypapers.accounts.tokens import create_token
from dailypapers.api.v1 import feeds
from tests.factories import make_member
from tests.limits import assert_rate_limited

pytestmark = pytest.mark.django_db
UNKNOWN = {"arxiv_id": "2599.99999", "slug": "no-such-org", "name": "No Such Author"}
MALFORMED_KEYS = {"day": "2025-13-45", "week": "2025-W99", "month": "2025-13"}


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/openapi.json").json()


def operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method.upper(), op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]


def fill(path: str, values: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_the_schema_lists_every_area(schema):
    paths = set(schema["paths"])
    for prefix in ["papers", "search", "feeds", "organizations", "authors", "submissions"]:
        assert any(path.startswith(f"/api/v1/{prefix}") for path in paths), prefix


def test_every_documented_route_declares_the_error_shape(schema):
    for path, method, op in operations(schema):
        errors = {code: r for code, r in op["responses"].items() if code.startswith(("4", "5"))}
        assert errors, f"{method} {path}"
        for response in errors.values():
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorOut"), f"{method} {path}"


def test_unknown_things_are_404_on_every_route_with_a_parameter(client, schema):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(make_member(), 'x')[1]}"}
    for path, method, _ in operations(schema):
        if "{" not in path:
            continue
        if "/feeds/" in path:  # a feed's key is malformed, not unknown
            kind = path.split("/")[4]
            response = client.generic(method, fill(path, {"key": MALFORMED_KEYS[kind]}))
            assert_error(response, 400, "bad_request")
            continue
        body = '{"body": "x"}' if method == "POST" else ""
        response = client.generic(
            method, fill(path, UNKNOWN), body, content_type="application/json", **auth
        )
        assert_error(response, 404, "not_found")


def test_a_method_a_route_does_not_have_is_405(client, schema):
    for path, _, _ in operations(schema):
        response = client.patch(fill(path, UNKNOWN))
        assert_error(response, 405, "method_not_allowed")
        assert response["Allow"]


def test_invalid_parameters_are_422_on_every_route_that_takes_them(client, schema):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(make_member(), 'x')[1]}"}
    checked = 0
    for path, method, op in operations(schema):
        url = fill(path, {**UNKNOWN, "key": "2025-01-01"})
        if "requestBody" in op:
            broken = client.generic(method, url, "{not json", "application/json", **auth)
            assert_error(broken, 400, "bad_request")
            wrong = '{"arxiv_id": [], "body": []}'
            response = client.generic(method, url, wrong, "application/json", **auth)
        elif any(p["name"] == "limit" for p in op.get("parameters", [])):
            response = client.generic(method, f"{url}?limit=many", **auth)
        else:
            continue
        error = assert_error(response, 422, "invalid_request")
        assert error["details"]
        checked += 1
    assert checked >= 10


def test_writes_without_a_token_are_401(client, schema):
    writes = [(p, m) for p, m, _ in operations(schema) if m in {"PUT", "POST", "DELETE"}]
    assert len(writes) == 4
    for path, method in writes:
        response = client.generic(method, fill(path, UNKNOWN), "{}", "application/json")
        assert_error(response, 401, "unauthorized")


def test_over_the_limit_is_429_with_retry_after_on_every_route(client, schema, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": (0, 1)}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(make_member(), 'x')[1]}"}
    client.get("/api/v1/papers")  # the address's one request this minute
    for path, method, _ in operations(schema):
        url = fill(path, {**UNKNOWN, "key": "2025-01-01"})
        response = client.generic(method, url, '{"arxiv_id": "x", "body": "x"}', **auth)
        assert_error(response, 429, "rate_limited")
        assert_rate_limited(response, "api_ip", 1)


def test_an_unexpected_failure_is_a_json_500(schema, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(feeds.ranking, "cached_trending", broken)
    response = Client(raise_request_exception=False).get("/api/v1/feeds/trending")
    error = assert_error(response, 500, "server_error")
    assert "boom" not in error["message"]


@pytest.mark.parametrize(
    "path", ["/api/", "/api/v1", "/api/v1/", "/api/v1/nothing/here", "/api/v1/papers/a/b/c/d"]
)
def test_paths_no_route_matches_are_json_404(client, path):
    assert_error(client.get(path), 404, "not_found")
