"""axe-core (vendored from npm, tests only) finds no serious or critical violation on any page
type: as a visitor, as a member, as a moderator, in the light and the dark theme, at desktop
width and on a phone.

axe is loaded through the DevTools protocol (`page.evaluate`), which the site's strict CSP
does not govern: the page itself never loads it. Some of axe's checks insert a <style> element
(seen on the admin change list), which the CSP then blocks: so this module checks the policy
itself, on each page before axe runs, instead of through `csp_violations`.

Swagger UI's widget on /api/docs (third-party, django-ninja's bundle) is left out: its
operation rows nest buttons (`nested-interactive`), which only a fork could change; the page
around it is audited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import Page

from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.services import comments as comment_services
from dailypapers.papers.services import set_upvote
from tests.factories import make_member, make_organization, make_paper, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = (Path(__file__).parent.parent / "vendor" / "axe-core" / "axe.min.js").read_text()
SEVERE = {"serious", "critical"}
ID = "2503.00001"

VISITOR_PAGES = [
    "/",
    "/papers/date/{day}",
    "/papers/week/{week}",
    "/papers/month/{month}",
    "/papers/trending",
    f"/papers/{ID}",
    "/search?q=reward+models",
    "/search?q=zzzzqqqq",
    "/search",
    "/org/acme",
    "/authors/Grace Hopper",
    "/u/grace",
    "/subscribe",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/papers/2599.99999",
    "/no-such-page",
    "/api/docs",
]
MEMBER_PAGES = ["/", f"/papers/{ID}", "/submit", "/settings", "/u/grace", "/search?q=reward"]
STAFF_PAGES = [f"/papers/{ID}", "/status/ingest", "/admin/", "/admin/papers/paper/"]


@pytest.fixture(autouse=True)
def _no_csp_violations():
    """Replaces tests/e2e's check for this module (see the docstring): `audit` does it."""


@pytest.fixture
def site(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.FEED_CACHE_SECONDS = 0
    day = feed_today()
    acme = make_organization("acme", name="Acme", fullname="Acme Research")
    grace = make_member("grace")
    for n in range(1, 4):
        paper = make_paper(
            f"2503.0000{n}",
            title=f"Rubric Reward Models $O(n^{n})$ part {n}",
            abstract="We train reward models from rubrics. The bound is $\\sum_i x_i$.",
            github_repo="https://github.com/acme/rubric" if n == 1 else "",
            organization=acme if n < 3 else None,
            authors=("Grace Hopper", "Alan Turing"),
            ai_keywords=["reward models", "rubrics"],
        )
        submit(paper, day, submitter=grace)
    first = paper.__class__.objects.get(arxiv_id=ID)
    set_upvote(grace, first, True)
    comment = comment_services.post_comment(grace, first, "Nice **rubric**: $x^2$.")
    comment_services.post_comment(make_member("alan"), first, "Agreed.", parent=comment)
    staff = make_member("mod")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    return {"day": day, "grace": grace, "staff": staff}


def paths(templates: list[str], day: dt.date) -> list[str]:
    year, week, _ = day.isocalendar()
    keys = {"day": f"{day:%Y-%m-%d}", "week": f"{year}-W{week:02d}", "month": f"{day:%Y-%m}"}
    return [template.format(**keys) for template in templates]


def log_in(page: Page, base: str, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])


def severe_violations(page: Page) -> list[str]:
    page.evaluate(f"() => {{ {AXE}\n }}")
    found = page.evaluate(
        "async () => (await axe.run({exclude: [['#swagger-ui']]}, {resultTypes: ['violations']}))"
        ".violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
    )
    return [
        f"{v['impact']} {v['id']} ({v['help']}): {', '.join(v['nodes'])}"
        for v in found
        if v["impact"] in SEVERE
    ]


def audit(page: Page, base: str, urls: list[str]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for url in urls:
            console.clear()
            page.goto(base + url)
            page.wait_for_load_state("load")
            found = [f"CSP: {text}" for text in console if "Content Security Policy" in text]
            found += severe_violations(page)
            if found:
                problems[f"{scheme} {url}"] = found
    return problems


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_no_page_a_visitor_meets_has_a_serious_violation(live_server, page, site, width):
    page.set_viewport_size({"width": width, "height": 900})
    assert audit(page, live_server.url, paths(VISITOR_PAGES, site["day"])) == {}


def test_no_page_a_member_meets_has_a_serious_violation(live_server, page, site):
    log_in(page, live_server.url, site["grace"])
    assert audit(page, live_server.url, paths(MEMBER_PAGES, site["day"])) == {}


def test_no_page_a_moderator_meets_has_a_serious_violation(live_server, page, site):
    log_in(page, live_server.url, site["staff"])
    assert audit(page, live_server.url, STAFF_PAGES) == {}


def test_the_audit_finds_a_violation(live_server, page, site):
    """The check itself works: an image without a text alternative is critical to axe."""
    page.goto(live_server.url + "/")
    page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
    assert any("image-alt" in problem for problem in severe_violations(page))
