"""Hostile data never becomes live markup, and every response carries the browser's
security headers."""

import datetime as dt
from html.parser import HTMLParser

import pytest

from dailypapers.papers.templatetags.paper_tags import http_url
from tests.factories import make_organization, make_paper, submit

HOSTILE_URLS = [
    "javascript:alert(document.cookie)",
    " JaVaScRiPt:alert(document.cookie)",
    "java\tscript:alert(document.cookie)",
    "\x01javascript:alert(document.cookie)",
    "data:text/html,<script>alert(document.cookie)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/steal",
    "https:evil.example",
    "/relative/path",
    "https://",
    "https://[::1/x",
]


class _Links(HTMLParser):
    """Every href and src in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.urls += [value or "" for name, value in attrs if name in {"href", "src"}]


def page_urls(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


def assert_only_web_links(html: str) -> None:
    for url in page_urls(html):
        assert url.startswith(("#", "/", "http://", "https://")) and not url.startswith("//"), url


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_stored_url_of_another_scheme_renders_nothing(url):
    assert http_url(url) == ""


@pytest.mark.parametrize(
    "url",
    ["https://github.com/example/repo", "http://example.org/x?a=1&b=2", "HTTPS://Example.org"],
)
def test_absolute_web_url_is_kept(url):
    assert http_url(url) == url


def test_surrounding_spaces_are_trimmed_from_a_web_url():
    assert http_url("  https://example.org/page \n") == "https://example.org/page"


@pytest.mark.django_db
@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_stored_urls_are_not_links_on_any_page(client, url):
    org = make_organization("evil", avatar_url=url)
    paper = make_paper(
        "2503.00001",
        title="Hostile links",
        organization=org,
        github_repo=url,
        project_page=url,
        thumbnail=url,
        github_stars=7,
    )
    submit(paper, dt.date(2025, 3, 11))

    pages = ["/papers/2503.00001", "/papers/date/2025-03-11", "/org/evil", "/search?q=Hostile"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert_only_web_links(html)
        assert "script:" not in html.lower() and "data:text" not in html
    detail = client.get("/papers/2503.00001").content.decode()
    assert "Project page" not in detail and ">Code" not in detail


@pytest.mark.django_db
def test_good_stored_urls_stay_links(client):
    org = make_organization("good", avatar_url="https://cdn.example.org/good.png")
    paper = make_paper(
        "2503.00003",
        organization=org,
        github_repo="https://github.com/example/good",
        project_page="https://example.org/good",
        thumbnail="https://cdn.example.org/thumb.png",
    )
    submit(paper, dt.date(2025, 3, 12))

    urls = page_urls(client.get("/papers/date/2025-03-12").content.decode())
    urls += page_urls(client.get("/papers/2503.00003").content.decode())

    for url in [
        "https://github.com/example/good",
        "https://example.org/good",
        "https://cdn.example.org/thumb.png",
        "https://cdn.example.org/good.png",
    ]:
        assert url in urls


class _InlineCode(HTMLParser):
    """Inline scripts, inline event handlers and javascript: URLs: what the policy forbids."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self.found.append("inline <script>")
        self.found += [f"{tag} {name}=" for name in names if name.startswith("on")]


def csp_directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/papers/2503.00010", "/papers/date/2025-03-11", "/no/such/page", "/admin/login/"],
)
def test_every_page_carries_the_security_headers(client, path):
    submit(make_paper("2503.00010"), dt.date(2025, 3, 11))

    response = client.get(path)

    directives = csp_directives(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["font-src"] == "'self'"
    assert directives["img-src"] == "'self' https: data:"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db  # the request signals touch the database connection
def test_static_files_carry_the_policy_too(client):
    response = client.get("/static/dailypapers/images.js")
    b"".join(response.streaming_content)  # read to the end: the client then closes the file

    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_handler(client):
    org = make_organization("acme", avatar_url="https://cdn.example.org/acme.png")
    paper = make_paper("2503.00011", organization=org, thumbnail="https://cdn.example.org/t.png")
    submit(paper, dt.date(2025, 3, 11))

    for path in ["/", "/papers/2503.00011", "/papers/date/2025-03-11", "/org/acme"]:
        parser = _InlineCode()
        parser.feed(client.get(path).content.decode())
        assert parser.found == [], path
