from django.urls import path, register_converter

from dailypapers.digests import archive_views, for_you_views, settings_views, views


class FrequencyConverter:
    regex = "daily|weekly"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FrequencyConverter, "frequency")

app_name = "digests"
urlpatterns = [
    path("subscribe", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/one-click", views.one_click, name="one_click"),
    # Staff: the exact email of a period, as a subscriber would get it.
    path("digest/preview", archive_views.preview, name="preview"),
    # The public web version of a sent digest: /digest/daily/2026-11-20, /digest/weekly/2026-W47.
    path("digest/<frequency:frequency>/<str:key>", archive_views.web_version, name="web_version"),
    # The "not interested" link of a "for you" paper (signed, no login).
    path("digest/not-interested/<str:token>", for_you_views.not_interested, name="not_interested"),
    # A member's digest settings, shown on /settings (the accounts page) and posted here.
    path("settings/digest", settings_views.digest_settings, name="settings"),
]
