from django.urls import path

from dailypapers.accounts import views

app_name = "accounts"
urlpatterns = [
    path("u/<str:username>", views.profile, name="profile"),
    path("settings", views.settings_page, name="settings"),
    path("settings/tokens", views.token_create, name="token_create"),
    path("settings/tokens/<int:token_id>/revoke", views.token_revoke, name="token_revoke"),
    path("claims/authors/<int:author_id>", views.claim_author, name="claim_author"),
    path("accounts/resend-confirmation", views.resend_confirmation, name="resend_confirmation"),
]
