from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("dailypapers.accounts.urls")),
    path("", include("dailypapers.api.urls")),
    path("", include("dailypapers.digests.urls")),
    path("", include("dailypapers.ingest.urls")),
    path("", include("dailypapers.papers.urls")),
    path("", include("dailypapers.search.urls")),
]

handler404 = "dailypapers.papers.views.not_found"
# Allauth looks this up for its rate limits (too many logins, sign-ups): our 429 page.
handler429 = "dailypapers.accounts.views.rate_limited"
