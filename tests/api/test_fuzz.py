"""schemathesis walks /api/openapi.json of a live server: every route, a bounded number of
generated requests each (fixed seed), valid and invalid ones. No answer may be a 5xx, and
every answer must match the schema it claims (status code documented, body valid)."""

from __future__ import annotations

import datetime as dt
import traceback

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from dailypapers.accounts.tokens import create_token
from dailypapers.api.v1 import feeds
from tests.factories import make_member, make_organization, make_paper, submit

pytestmark = pytest.mark.django_db(transaction=True)
MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def token(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.RATE_LIMITS = {name: (0, 0) for name in settings.RATE_LIMITS}  # fuzz, not limits
    settings.SUBMIT_WEEKENDS = True
    # A submission of an id unknown here would ask arXiv: a closed loopback port instead.
    settings.ARXIV_API_URL = "http://127.0.0.1:9/api/query"
    org = make_organization("acme")
    for i in range(1, 4):
        paper = make_paper(f"2503.0000{i}", organization=org, title=f"Reward models {i}")
        submit(paper, dt.date(2025, 3, 4))
    _, raw = create_token(make_member(), "fuzz")
    return raw


def operations(live_server) -> list:
    schema = schemathesis.openapi.from_url(live_server.url + "/api/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def fuzz(operation, mode: GenerationMode, token: str) -> None:
    """Up to MAX_EXAMPLES generated requests to one route; raises on the first failed check."""
    headers = {"Authorization": f"Bearer {token}"}

    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # e.g. no invalid value exists for a free-text path parameter
        assert mode is GenerationMode.NEGATIVE


# Driven by hand rather than with `schemathesis.pytest.from_fixture`: that loader renames the
# pytest node through an attribute pytest 9 no longer has.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_route_fails_or_breaks_its_schema(live_server, token, mode):
    found = operations(live_server)
    assert len(found) >= 14  # every route is in the schema
    for operation in found:
        fuzz(operation, mode, token)


def test_the_fuzzer_reports_a_server_error(live_server, token, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(feeds.ranking, "cached_trending", broken)
    (trending,) = [op for op in operations(live_server) if op.path.endswith("/trending")]
    with pytest.raises(BaseException) as caught:  # a failure, or a group (BaseExceptionGroup)
        fuzz(trending, GenerationMode.POSITIVE, token)
    assert "Server error" in "".join(traceback.format_exception(caught.value))
