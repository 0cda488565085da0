"""Author claims: "This is me" on an author page, staff approve or reject in the admin."""

import pytest
from django.utils.html import escape

from dailypapers.accounts.models import AuthorClaim
from dailypapers.accounts.profiles import profile_for
from dailypapers.papers.models import Author
from tests.accounts.conftest import HOSTILE
from tests.factories import make_member, make_paper

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/authorclaim/"


@pytest.fixture
def author():
    make_paper(authors=("Grace Hopper",))
    return Author.objects.get(name="Grace Hopper")


def claim_button(response) -> bool:
    return b">This is me</button>" in response.content


def decide(admin_client, action: str, *claims: AuthorClaim):
    data = {"action": action, "_selected_action": [c.pk for c in claims]}
    return admin_client.post(CHANGELIST, data, follow=True)


def test_members_see_this_is_me_visitors_do_not(client, author):
    assert not claim_button(client.get("/authors/Grace Hopper"))

    client.force_login(make_member("grace"))

    assert claim_button(client.get("/authors/Grace Hopper"))


def test_claiming_makes_one_pending_claim(client, author):
    member = make_member("grace")
    client.force_login(member)

    first = client.post(f"/claims/authors/{author.pk}")
    client.post(f"/claims/authors/{author.pk}")

    assert first["Location"] == author.get_absolute_url()
    claim = AuthorClaim.objects.get()
    assert (claim.user, claim.author, claim.status) == (member, author, "pending")
    page = client.get("/authors/Grace Hopper")
    assert not claim_button(page)
    assert b"waiting for a moderator" in page.content
    author.refresh_from_db()
    assert author.claimed_by is None


def test_claiming_needs_a_login_and_a_post(client, author):
    assert client.post(f"/claims/authors/{author.pk}")["Location"].startswith("/accounts/login/")
    client.force_login(make_member("grace"))
    assert client.get(f"/claims/authors/{author.pk}").status_code == 405
    assert client.post("/claims/authors/999999").status_code == 404
    assert not AuthorClaim.objects.exists()


def test_staff_approve_a_claim_and_the_author_page_shows_the_member(admin_client, client, author):
    member = make_member("grace")
    claim = AuthorClaim.objects.create(user=member, author=author)

    response = decide(admin_client, "approve", claim)

    assert b"1 claim(s) approved." in response.content
    author.refresh_from_db()
    claim.refresh_from_db()
    assert author.claimed_by == member
    assert claim.status == "approved" and claim.decided_at is not None
    page = client.get("/authors/Grace Hopper")
    assert b'href="/u/grace"' in page.content
    assert b"Grace Hopper" in client.get("/u/grace").content


def test_staff_reject_a_claim_and_nothing_changes(admin_client, author):
    claim = AuthorClaim.objects.create(user=make_member("grace"), author=author)

    decide(admin_client, "reject", claim)

    author.refresh_from_db()
    claim.refresh_from_db()
    assert author.claimed_by is None
    assert claim.status == "rejected"


def test_an_author_claimed_by_someone_else_has_no_button(client, author):
    author.claimed_by = make_member("grace")
    author.save()
    other = make_member("imposter")
    client.force_login(other)

    page = client.get("/authors/Grace Hopper")
    refused = client.post(f"/claims/authors/{author.pk}", follow=True)

    assert not claim_button(page)
    assert b"already claimed by another member" in refused.content
    assert not AuthorClaim.objects.exists()


def test_approving_never_takes_an_author_from_another_member(admin_client, author):
    owner = make_member("grace")
    claim = AuthorClaim.objects.create(user=make_member("imposter"), author=author)
    author.claimed_by = owner
    author.save()

    response = decide(admin_client, "approve", claim)

    assert b"already claimed by another member" in response.content
    author.refresh_from_db()
    claim.refresh_from_db()
    assert author.claimed_by == owner and claim.status == "pending"


@pytest.mark.parametrize("name", HOSTILE)
def test_the_claimed_by_name_renders_inert(client, author, name):
    member = make_member("grace")
    profile = profile_for(member)
    profile.display_name = name
    profile.save()
    author.claimed_by = member
    author.save()

    html = client.get("/authors/Grace Hopper").content.decode()

    assert f'<a href="/u/grace">{escape(name)}</a>' in html
    assert "<script>alert" not in html and "<img src=x" not in html
