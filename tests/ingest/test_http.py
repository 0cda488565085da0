"""The polite client against a real local HTTP server: waits, retries, Retry-After, give-up."""

import pytest
from werkzeug import Response

from dailypapers.ingest.http import FetchError, PoliteClient
from tests.ingest.support import Waits


def client(waits: Waits, **options) -> PoliteClient:
    return PoliteClient(sleep=waits.sleep, clock=waits.clock, **options)


def test_a_503_with_retry_after_is_retried_after_that_many_seconds(httpserver):
    httpserver.expect_ordered_request("/feed").respond_with_response(
        Response("busy", status=503, headers={"Retry-After": "7"})
    )
    httpserver.expect_ordered_request("/feed").respond_with_data("ok")
    waits = Waits()

    response = client(waits).get(httpserver.url_for("/feed"))

    assert (response.status_code, response.text, waits.waits) == (200, "ok", [7.0])


def test_calls_are_spaced_by_the_minimum_interval(httpserver):
    httpserver.expect_request("/feed").respond_with_data("ok")
    waits = Waits()
    polite = client(waits, min_interval=3.0)

    polite.get(httpserver.url_for("/feed"))
    polite.get(httpserver.url_for("/feed"))

    assert waits.waits == [3.0]


def test_backoff_grows_and_the_client_gives_up_with_a_clear_error(httpserver):
    httpserver.expect_request("/feed").respond_with_data("slow down", status=429)
    waits = Waits()

    with pytest.raises(FetchError, match=r"failed after 4 attempts: HTTP 429"):
        client(waits, retries=3, backoff=2.0).get(httpserver.url_for("/feed"))

    assert len(waits.waits) == 3
    assert 1.0 <= waits.waits[0] <= 2.0 and 4.0 <= waits.waits[2] <= 8.0


def test_a_client_error_is_returned_for_the_caller_to_explain(httpserver):
    httpserver.expect_request("/feed").respond_with_data("<feed>bad query</feed>", status=400)

    response = client(Waits()).get(httpserver.url_for("/feed"))

    assert response.status_code == 400 and "bad query" in response.text


def test_a_refused_connection_is_retried_then_reported():
    waits = Waits()

    with pytest.raises(FetchError, match="ConnectionError"):
        client(waits, retries=1).get("http://127.0.0.1:9/feed")

    assert len(waits.waits) == 1
