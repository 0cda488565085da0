"""/settings in Chromium: one section's button never drops what was typed in another."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from dailypapers.accounts.profiles import profile_for
from dailypapers.digests.models import Subscription
from tests.accounts.conftest import PASSWORD, verified_member

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("csp_violations"),  # fail on any CSP violation
]


def open_settings(live_server, page: Page) -> None:
    verified_member("ada", email="ada@example.org")
    page.goto(live_server.url + "/accounts/login/?next=/settings")
    page.locator("#id_login").fill("ada")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    page.wait_for_load_state()  # the page's scripts are running (load follows them)


def test_saving_the_digest_with_an_unsaved_display_name_warns_and_keeps_the_typing(
    live_server, page: Page
):
    open_settings(live_server, page)
    profile = page.locator("section[aria-labelledby=profile-heading]")
    digest = page.locator("section#digest")

    profile.get_by_label("Display name").fill("Ada L.")
    expect(profile.get_by_role("status")).to_have_text("Unsaved changes")
    digest.get_by_role("button", name="Save digest settings").click()

    expect(digest.get_by_role("alert")).to_contain_text("Your changes to Profile are not saved")
    expect(profile.get_by_label("Display name")).to_have_value("Ada L.")
    assert not Subscription.objects.exists()

    profile.get_by_role("button", name="Save profile").click()

    expect(page.locator("ul.messages")).to_contain_text("Profile saved.")
    assert profile_for(User.objects.get(username="ada")).display_name == "Ada L."


def test_a_second_press_saves_that_section_anyway(live_server, page: Page):
    open_settings(live_server, page)
    page.get_by_label("Display name").fill("Ada L.")
    save_digest = page.get_by_role("button", name="Save digest settings")
    page.locator("section#digest").get_by_label("Weekly").check()

    save_digest.click()
    expect(page.locator("section#digest").get_by_role("alert")).to_be_visible()
    save_digest.click()

    expect(page.locator("ul.messages")).to_contain_text("Digest saved: weekly")
    assert Subscription.objects.get().frequency == "weekly"


def test_the_public_upvotes_checkbox_sits_on_its_label_line(live_server, page: Page):
    open_settings(live_server, page)
    checkbox = page.get_by_label("Show the papers I upvoted on my profile page")

    label = page.locator("label[for=id_public_upvotes]")
    box, text = checkbox.bounding_box(), label.bounding_box()
    assert abs((box["y"] + box["height"] / 2) - (text["y"] + text["height"] / 2)) < text["height"]
    assert box["x"] < text["x"]
    label.click()
    expect(checkbox).to_be_checked()
