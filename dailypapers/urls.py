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

# JSON in the route's own shape under /api/ and /mcp, the site's pages elsewhere.
handler400 = "dailypapers.api.fallbacks.bad_request"
handler404 = "dailypapers.api.fallbacks.not_found"
handler500 = "dailypapers.api.fallbacks.server_error"
# Allauth looks this up for its rate limits (too many logins, sign-ups): our 429 page.
handler429 = "dailypapers.accounts.views.rate_limited"
