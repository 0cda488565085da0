"""/api/docs: ninja's Swagger page, its assets served from here (no CDN), working under our
Content-Security-Policy (no inline script: the settings travel as a JSON data block)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from playwright.sync_api import Page, expect

from dailypapers.api.v1 import api
from tests.factories import make_paper


def close_file_response(response) -> None:
    """Close a file response's file without the request_finished signal, which would close
    the test's database connection (as the test client itself avoids)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_docs_page_loads_only_local_assets_and_no_inline_script(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert not re.search(r"https?://", html)  # nothing from a CDN
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert sources == ["/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui-init.js"]
    for block in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        attributes, code = block
        assert 'type="application/json"' in attributes or not code.strip()
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200
        close_file_response(asset)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_docs_render_in_chromium_under_the_policy(live_server, page: Page, csp_violations):
    make_paper("2503.00001", title="Reward models")

    page.goto(live_server.url + "/api/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("dailypapers API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    expect(page.get_by_text("/api/v1/papers/{arxiv_id}/similar")).to_be_visible()
    assert csp_violations == []


def test_every_route_is_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in operations:
            assert f"`{method.upper()} {path}" in readme, f"{method.upper()} {path}"
