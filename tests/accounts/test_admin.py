"""The staff side of accounts: profiles with hostile names, tokens made in the admin."""

import re

import pytest
from django.utils.html import escape

from dailypapers.accounts.models import ApiToken
from dailypapers.accounts.profiles import profile_for
from dailypapers.accounts.tokens import user_for_token
from tests.accounts.conftest import HOSTILE
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_display_names_are_inert_in_the_admin(admin_client, name):
    member = make_member("grace")
    profile = profile_for(member)
    profile.display_name = name
    profile.save()

    listing = admin_client.get("/admin/accounts/profile/").content.decode()
    change = admin_client.get(f"/admin/accounts/profile/{profile.pk}/change/").content.decode()

    for html in (listing, change):
        assert escape(name) in html
        assert "<script>alert" not in html and "<img src=x" not in html


def test_staff_create_a_token_and_see_its_key_once(admin_client):
    member = make_member("grace")

    response = admin_client.post("/admin/accounts/apitoken/add/", {"user": member.pk, "name": "ci"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (key,) = re.findall(r"dp_[A-Za-z0-9_-]{43}", response.content.decode())
    assert user_for_token(key) == member
    token = ApiToken.objects.get()
    change = admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert key not in change and token.prefix in change
    assert "key_hash" not in change
