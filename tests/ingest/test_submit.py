"""`/submit`: a member names a paper in any form, confirms it, and it enters today's feed.

arXiv is a local HTTP server answering with recorded Atom responses (tests/fixtures/arxiv_api),
so the real client, parser and upsert run unchanged.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
from pathlib import Path

import pytest
from django.test import Client
from werkzeug import Request, Response

from dailypapers.ingest import submit_forms
from dailypapers.ingest.submit_forms import sign_paper
from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.models import Paper, Submission
from tests.factories import make_member, make_organization, make_paper, submit

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv_api"
HOSTILE = (
    '<script>alert("x")</script><img src=x onerror=alert(1)>'
    '<a href="javascript:alert(1)">click</a> $\\frac{'
)


class FakeArxiv:
    """`/api/query` answering an `id_list` with a recorded response (empty for unknown ids)."""

    def __init__(self, httpserver) -> None:
        self.answers: dict[str, list[Response]] = {}
        self.asked: list[str] = []
        httpserver.expect_request("/api/query").respond_with_handler(self.handle)
        self.url = httpserver.url_for("/api/query")

    def knows(self, arxiv_id: str, fixture: str, status: int = 200) -> None:
        body = (FIXTURES / fixture).read_text(encoding="utf-8")
        response = Response(body, status=status, mimetype="application/atom+xml")
        self.answers[arxiv_id] = [response]

    def fails(self, arxiv_id: str, *statuses: int) -> None:
        self.answers[arxiv_id] = [Response("busy", status=status) for status in statuses]

    def handle(self, request: Request) -> Response:
        arxiv_id = request.args.get("id_list", "")
        self.asked.append(arxiv_id)
        answers = self.answers.get(arxiv_id)
        if not answers:
            body = (FIXTURES / "empty.xml").read_text(encoding="utf-8")
            return Response(body, mimetype="application/atom+xml")
        return answers.pop(0) if len(answers) > 1 else answers[0]


@pytest.fixture
def arxiv(httpserver, settings) -> FakeArxiv:
    fake = FakeArxiv(httpserver)
    settings.ARXIV_API_URL = fake.url
    settings.ARXIV_DELAY_SECONDS = 0
    return fake


@pytest.fixture
def member():
    return make_member("ada")


@pytest.fixture
def logged_in(client, member) -> Client:
    client.force_login(member)
    return client


def look_up(client: Client, raw: str):
    return client.post("/submit", {"step": "lookup", "paper": raw})


def token_in(response) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "no confirmation token on the page"
    return match.group(1)


def confirm(client: Client, token: str, **fields):
    return client.post("/submit", {"step": "confirm", "token": token, **fields})


def errors(response) -> str:
    """The page's error texts, tags stripped (what a reader sees)."""
    html = response.content.decode()
    found = re.findall(
        r'class="(?:form-error|field-errors)"[^>]*>(.*?)</(?:p|ul|span)>', html, re.S
    )
    return " ".join(re.sub(r"<[^>]+>", "", text) for text in found)


# --- who may submit --------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_login_and_back():
    response = Client().get("/submit")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/submit"


def test_an_anonymous_post_stores_nothing(arxiv):
    paper = make_paper("2401.01234")

    response = Client().post("/submit", {"step": "confirm", "token": sign_paper(paper.arxiv_id, 1)})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Submission.objects.exists() and arxiv.asked == []


def test_a_member_sees_the_form(logged_in):
    response = logged_in.get("/submit")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="paper"' in html and "csrfmiddlewaretoken" in html
    assert "first published on arXiv in the last 14 days" in html


def test_both_steps_need_the_csrf_token(member, arxiv):
    make_paper("2401.01234", title="A Known Paper")
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    assert look_up(client, "2401.01234").status_code == 403
    page = client.get("/submit")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    looked_up = client.post("/submit", {"step": "lookup", "paper": "2401.01234", **_csrf(csrf)})
    assert looked_up.status_code == 200
    token = token_in(looked_up)
    assert confirm(client, token).status_code == 403
    assert not Submission.objects.exists()
    assert confirm(client, token, **_csrf(csrf)).status_code == 302
    assert Submission.objects.count() == 1


def _csrf(value: str) -> dict[str, str]:
    return {"csrfmiddlewaretoken": value}


# --- naming the paper ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "arxiv_id"),
    [
        ("2401.01234", "2401.01234"),
        ("2401.01234v3", "2401.01234"),
        ("arXiv:2401.01234", "2401.01234"),
        ("https://arxiv.org/abs/2401.01234", "2401.01234"),
        ("arxiv.org/pdf/2401.01234v2.pdf", "2401.01234"),
        ("https://arxiv.org/pdf/2401.01234v2", "2401.01234"),
        ("   2401.01234  ", "2401.01234"),
        ("http://arxiv.org/abs/2401.01234", "2401.01234"),
        ("https://www.arxiv.org/abs/2401.01234v1", "2401.01234"),
        ("www.arxiv.org/pdf/2401.01234", "2401.01234"),
        ("https://arxiv.org/abs/2401.01234?context=cs.LG", "2401.01234"),
        ("https://arxiv.org/abs/2401.01234/", "2401.01234"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("https://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
    ],
)
def test_every_form_of_an_id_finds_the_stored_paper_without_asking_arxiv(
    logged_in, arxiv, raw, arxiv_id
):
    make_paper("2401.01234", title="The New-Style Paper")
    make_paper("hep-th/9901001", title="The Old-Style Paper")

    response = look_up(logged_in, raw)

    assert response.status_code == 200, errors(response)
    title = "The Old-Style Paper" if "/" in arxiv_id else "The New-Style Paper"
    html = response.content.decode()
    assert title in html and 'name="step" value="confirm"' in html
    assert arxiv.asked == []


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "hello",
        "2401",
        "2401.123",
        "https://example.com/abs/2401.01234",
        "2401.01234 2401.01235",
        "٢٤٠١.٠١٢٣٤",
        "2401.01234\x00",
        "x" * 301,
    ],
)
def test_anything_else_is_a_clear_form_error(logged_in, arxiv, raw):
    response = look_up(logged_in, raw)

    assert response.status_code == 400
    assert errors(response).strip()
    assert arxiv.asked == [] and not Paper.objects.exists()


def test_a_hostile_id_is_echoed_inert(logged_in, arxiv):
    response = look_up(logged_in, HOSTILE)

    html = response.content.decode()
    assert response.status_code == 400
    assert "That is not an arXiv id or URL" in errors(response)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


# --- fetching a paper new here ---------------------------------------------------------------


def test_an_unknown_paper_is_fetched_stored_shown_and_submitted(logged_in, arxiv, settings):
    settings.SUBMIT_MAX_AGE_DAYS = 0  # the recorded paper is from 2021
    arxiv.knows("2104.12255", "id_2104.12255v2.xml")  # arXiv's latest version

    response = look_up(logged_in, "https://arxiv.org/abs/2104.12255v1")

    assert response.status_code == 200, errors(response)
    assert arxiv.asked == ["2104.12255"]  # the paper, not the version pasted
    html = response.content.decode()
    assert "0: The Funniest Number in Cryptography" in html
    assert "Quan Thoi Minh Nguyen" in html
    assert "What is the funniest number in cryptography?" in html
    assert "Apr 20, 2021" in html
    paper = Paper.objects.get(arxiv_id="2104.12255")
    assert paper.source == "arxiv" and paper.version == 2
    assert not Submission.objects.exists()  # not before the member confirms

    done = confirm(logged_in, token_in(response), comment="Zero is funny.")

    assert done.status_code == 302 and done["Location"] == "/papers/2104.12255"
    submission = Submission.objects.get(paper=paper)
    assert submission.feed_date == feed_today() and submission.comment == "Zero is funny."
    page = logged_in.get(done["Location"]).content.decode()
    assert f"Submitted to the feed of {feed_today():%b} {feed_today().day}" in page
    assert "submitted by ada" in page and "Zero is funny." in page
    assert arxiv.asked == ["2104.12255"]  # the confirmation fetched nothing


def test_an_old_style_id_is_fetched_too(logged_in, arxiv, settings):
    settings.SUBMIT_MAX_AGE_DAYS = 0
    arxiv.knows("astro-ph/0601001", "id_astro-ph_0601001.xml")

    response = look_up(logged_in, "arXiv:astro-ph/0601001")

    assert response.status_code == 200, errors(response)
    assert "Frequency of Hot Jupiters" in response.content.decode()


def test_a_fetched_paper_older_than_the_window_is_refused_on_the_form(logged_in, arxiv):
    arxiv.knows("2104.12255", "id_2104.12255v1.xml")

    response = look_up(logged_in, "2104.12255")

    assert response.status_code == 400
    assert "first published on Apr 20, 2021" in errors(response)
    assert "last 14 days" in errors(response)
    assert 'name="token"' not in response.content.decode()


def test_an_id_arxiv_does_not_know_is_a_clear_error_and_stores_nothing(logged_in, arxiv):
    response = look_up(logged_in, "2401.99999")

    assert response.status_code == 400
    assert "arXiv has no paper 2401.99999" in errors(response)
    assert arxiv.asked == ["2401.99999"] and not Paper.objects.exists()


def test_arxiv_refusing_the_id_is_a_clear_error(logged_in, arxiv):
    arxiv.knows("2401.99999", "error_400.xml", status=400)

    response = look_up(logged_in, "2401.99999")

    assert response.status_code == 400
    assert "arXiv did not accept the id 2401.99999: incorrect id format for abc" in errors(response)
    assert not Paper.objects.exists()


def test_arxiv_answering_503_is_a_clear_error_after_one_retry(logged_in, arxiv):
    arxiv.fails("2401.99999", 503, 503)

    response = look_up(logged_in, "2401.99999")

    assert response.status_code == 400
    assert "arXiv could not be reached to look up 2401.99999" in errors(response)
    assert arxiv.asked == ["2401.99999", "2401.99999"]
    assert not Paper.objects.exists()


def test_arxiv_down_is_a_clear_error(logged_in, settings):
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.ARXIV_API_URL = f"http://127.0.0.1:{port}/api/query"

    response = look_up(logged_in, "2401.99999")

    assert response.status_code == 400
    assert "arXiv could not be reached" in errors(response)
    assert str(port) not in response.content.decode()  # no internals on the page
    assert not Paper.objects.exists()


# --- the rules on the form -------------------------------------------------------------------


def test_a_paper_already_in_the_feed_is_refused_with_a_link_to_its_day(logged_in, arxiv):
    paper = make_paper("2401.01234")
    submit(paper, dt.date(2026, 3, 3))

    response = look_up(logged_in, "2401.01234")

    assert response.status_code == 400
    assert "already in the feed of Mar 3, 2026" in errors(response)
    assert 'href="/papers/date/2026-03-03"' in response.content.decode()


def test_a_hidden_paper_is_refused_without_asking_arxiv(logged_in, arxiv):
    make_paper("2401.01234", hidden=True)

    response = look_up(logged_in, "2401.01234")

    assert "removed by a moderator" in errors(response) and arxiv.asked == []


def test_the_daily_cap_reached_between_the_steps_is_refused_on_confirm(logged_in, member, settings):
    settings.SUBMIT_DAILY_CAP = 1
    make_paper("2401.01234", title="First")
    token = token_in(look_up(logged_in, "2401.01234"))
    submit(make_paper(), feed_today(), submitter=member)

    response = confirm(logged_in, token, comment="kept")

    assert response.status_code == 400
    assert "You have submitted 1 paper today" in errors(response)
    assert "kept" in response.content.decode()  # what was typed is not lost
    assert Submission.objects.count() == 1


def test_a_weekend_refusal_comes_from_the_setting(logged_in, settings):
    """Whatever today is, the page says what the rules say (the rule itself is tested with a
    fixed clock in tests/papers/test_submissions.py)."""
    settings.SUBMIT_WEEKENDS = False
    make_paper("2401.01234")

    response = look_up(logged_in, "2401.01234")

    if feed_today().weekday() >= 5:
        assert "no submissions on Saturdays and Sundays" in errors(response)
    else:
        assert response.status_code == 200
    assert "No submissions on Saturdays and Sundays." in response.content.decode()


# --- the confirmation step -------------------------------------------------------------------


def test_a_tampered_token_starts_over_and_stores_nothing(logged_in):
    make_paper("2401.01234")
    token = token_in(look_up(logged_in, "2401.01234"))

    response = confirm(logged_in, token[:-2] + "xx")

    assert response.status_code == 400
    assert "This confirmation is not valid" in errors(response)
    assert not Submission.objects.exists()


def test_another_members_token_is_not_valid(logged_in):
    make_paper("2401.01234")
    someone_else = make_member("eve")

    response = confirm(logged_in, sign_paper("2401.01234", someone_else.pk))

    assert "This confirmation is not valid" in errors(response)
    assert not Submission.objects.exists()


def test_an_expired_token_asks_to_look_up_again(logged_in, monkeypatch):
    make_paper("2401.01234")
    token = token_in(look_up(logged_in, "2401.01234"))
    monkeypatch.setattr(submit_forms, "TOKEN_MAX_AGE", -1)

    response = confirm(logged_in, token)

    assert "This confirmation has expired" in errors(response)
    assert not Submission.objects.exists()


def test_a_comment_over_the_limit_is_a_form_error(logged_in):
    make_paper("2401.01234")
    token = token_in(look_up(logged_in, "2401.01234"))

    response = confirm(logged_in, token, comment="x" * 1001)

    assert response.status_code == 400
    assert "at most 1000 characters" in errors(response)
    assert not Submission.objects.exists()


def test_an_organization_is_chosen_by_its_slug(logged_in):
    acme = make_organization("acme")
    paper = make_paper("2401.01234")
    token = token_in(look_up(logged_in, "2401.01234"))

    response = confirm(logged_in, token, organization=" acme ")

    assert response.status_code == 302
    assert Paper.objects.get(pk=paper.pk).organization == acme


def test_an_organizations_page_address_works_too(logged_in):
    acme = make_organization("acme")
    make_paper("2401.01234")
    token = token_in(look_up(logged_in, "2401.01234"))

    confirm(logged_in, token, organization="http://testserver/org/acme/")

    assert Paper.objects.get(arxiv_id="2401.01234").organization == acme


def test_an_unknown_organization_is_a_form_error(logged_in):
    make_paper("2401.01234")
    token = token_in(look_up(logged_in, "2401.01234"))

    response = confirm(logged_in, token, organization="<b>nowhere</b>")

    assert response.status_code == 400
    assert "There is no organization “&lt;b&gt;nowhere&lt;/b&gt;” here" in errors(response)
    assert not Submission.objects.exists()


def test_a_paper_with_an_organization_offers_no_organization_field(logged_in):
    make_paper("2401.01234", organization=make_organization("imported"))

    html = look_up(logged_in, "2401.01234").content.decode()

    assert 'name="organization"' not in html
    assert "The organization stays Imported Research" in html


def test_a_paper_deleted_between_the_steps_starts_over(logged_in):
    paper = make_paper("2401.01234")
    token = token_in(look_up(logged_in, "2401.01234"))
    paper.delete()

    response = confirm(logged_in, token)

    assert response.status_code == 400
    assert "That paper is no longer here" in errors(response)


# --- what a submission shows -----------------------------------------------------------------


def test_a_hostile_comment_renders_inert_on_the_paper_page(logged_in):
    make_paper("2401.01234")
    token = token_in(look_up(logged_in, "2401.01234"))
    confirm(logged_in, token, comment=HOSTILE)

    assert Submission.objects.get().comment == HOSTILE  # stored as typed
    html = Client().get("/papers/2401.01234").content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "$\\frac{" in html


def test_a_submission_appears_in_todays_feed_at_once(logged_in, django_capture_on_commit_callbacks):
    make_submitted_yesterday = make_paper(title="Yesterday's Paper")
    submit(make_submitted_yesterday, feed_today() - dt.timedelta(days=1))
    make_paper("2401.01234", title="Fresh From The Member")
    before = Client().get("/").content.decode()  # whatever a feed cache keeps
    assert "Fresh From The Member" not in before

    token = token_in(look_up(logged_in, "2401.01234"))
    with django_capture_on_commit_callbacks(execute=True):
        confirm(logged_in, token)

    assert "Fresh From The Member" in Client().get("/").content.decode()
    day = Client().get(f"/papers/date/{feed_today():%Y-%m-%d}").content.decode()
    assert "Fresh From The Member" in day


def test_lookups_are_rate_limited(logged_in, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": (2, 100)}
    make_paper("2401.01234")

    statuses = [look_up(logged_in, "2401.01234").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    limited = look_up(logged_in, "2401.01234")
    assert "Too many submissions" in limited.content.decode()


def test_a_hostile_comment_renders_inert_in_the_admin(logged_in, client):
    make_paper("2401.01234")
    confirm(logged_in, token_in(look_up(logged_in, "2401.01234")), comment=HOSTILE)
    submission = Submission.objects.get()
    staff = make_member("mod")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client.force_login(staff)

    html = client.get(f"/admin/papers/submission/{submission.pk}/change/").content.decode()

    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
