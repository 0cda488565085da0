"""The admin site: branded, one Accounts section, readable names, labelled row controls."""

import re

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.auth.models import Group, User
from playwright.sync_api import Page, expect

from dailypapers.accounts.models import ApiToken
from dailypapers.digests.models import DigestDelivery
from tests.factories import make_paper

pytestmark = pytest.mark.django_db


def section_headings(html: str) -> list[str]:
    return re.findall(r'<caption>\s*<a [^>]*class="section"[^>]*>([^<]+)</a>', html)


def test_admin_pages_carry_the_site_name(admin_client):
    html = admin_client.get("/admin/").content.decode()

    assert "<title>Site administration | Daily Papers admin</title>" in html
    assert "Daily Papers administration" in html
    assert "Django administration" not in html


def test_admin_index_has_one_accounts_section_with_every_member_model(admin_client):
    html = admin_client.get("/admin/").content.decode()

    headings = section_headings(html)
    assert headings.count("Accounts") == 1
    assert "Authentication and Authorization" not in headings
    assert "Social Accounts" not in headings
    for name in ("Users", "Groups", "Email addresses", "Profiles", "API tokens", "Social accounts"):
        assert f">{name}</a>" in html, name


@pytest.mark.parametrize("app", ["accounts", "auth", "account"])
def test_the_accounts_section_page_lists_the_whole_section(admin_client, app):
    html = admin_client.get(f"/admin/{app}/").content.decode()

    assert ">Users</a>" in html and ">Email addresses</a>" in html and ">API tokens</a>" in html


def test_social_apps_and_oauth_tokens_are_not_in_the_admin():
    # GitHub sign-in is configured by environment variables; tokens are secrets.
    assert not admin.site.is_registered(SocialApp)
    assert not admin.site.is_registered(SocialToken)
    assert admin.site.is_registered(SocialAccount)
    assert admin.site.is_registered(User) and admin.site.is_registered(Group)
    assert admin.site.is_registered(ApiToken)


def test_digest_deliveries_are_spelled_right(admin_client):
    assert DigestDelivery._meta.verbose_name_plural == "digest deliveries"
    assert ">Digest deliveries</a>" in admin_client.get("/admin/").content.decode()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("csp_violations")
def test_every_checkbox_in_the_papers_change_list_has_an_accessible_name(live_server, page: Page):
    User.objects.create_superuser("boss", "boss@example.org", "a long test password")
    for n in range(3):
        make_paper(title=f"Paper number {n}")
    page.goto(live_server.url + "/admin/login/?next=/admin/papers/paper/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Log in").click()

    boxes = page.locator("#result_list input[type=checkbox]")
    expect(boxes).to_have_count(1 + 3 * 2)  # select-all, then a select and a hidden per row
    for index in range(boxes.count()):
        expect(boxes.nth(index)).to_have_accessible_name(re.compile(r"\S"))
    hidden = page.get_by_role("checkbox", name=re.compile(r"^Hidden: \S+: Paper number 1$"))
    expect(hidden).to_have_count(1)
