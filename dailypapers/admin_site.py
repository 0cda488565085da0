"""The admin site: branded, and one "Accounts" section for everything about members.

Django lists models by app, so a member's pieces would sit under four headings (auth's
users and groups, allauth's email addresses and social accounts, our profiles, tokens and
claims); a moderator looks for them in one place. Allauth's social apps and social tokens
are not registered: GitHub sign-in is configured by environment variables (a database app
beside them would be a second, conflicting configuration), and OAuth tokens are secrets
with nothing to moderate.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest

# The apps whose models make up the Accounts section; ours (`accounts`) lends its heading.
ACCOUNT_APPS = ("accounts", "auth", "account", "socialaccount")


class AdminSite(admin.AdminSite):
    site_header = "Daily Papers administration"
    site_title = "Daily Papers admin"
    index_title = "Site administration"
    # The sidebar repeats the index on every page and takes a third of a laptop's width
    # from the change lists (paper titles wrapped to a word per line).
    enable_nav_sidebar = False

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        if app_label is not None and app_label not in ACCOUNT_APPS:
            return super().get_app_list(request, app_label)
        # /admin/accounts/ (and /admin/auth/, a breadcrumb on the users' pages) lists the
        # whole section, as the index does.
        return merge_account_apps(super().get_app_list(request), only=app_label is not None)


def merge_account_apps(apps: list[dict], only: bool = False) -> list[dict]:
    """The app list with the account apps folded into one "Accounts" entry (just that
    entry when `only`, for the section's own page)."""
    members = [app for app in apps if app["app_label"] in ACCOUNT_APPS]
    if not members:
        return [] if only else apps
    heading = next((app for app in members if app["app_label"] == "accounts"), members[0])
    models = sorted((m for app in members for m in app["models"]), key=lambda m: m["name"].lower())
    merged = {**heading, "name": "Accounts", "models": models}
    if only:
        return [merged]
    others = [app for app in apps if app["app_label"] not in ACCOUNT_APPS]
    return sorted([*others, merged], key=lambda app: app["name"].lower())


class AdminConfig(DjangoAdminConfig):
    default_site = "dailypapers.admin_site.AdminSite"

    def ready(self) -> None:
        super().ready()  # registers every app's admin.py
        from allauth.socialaccount.models import SocialApp, SocialToken

        for model in (SocialApp, SocialToken):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
