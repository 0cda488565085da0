"""Staff pages: profiles, API tokens (revoke; a new one's key is shown once) and claims."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from dailypapers.accounts import claims, tokens
from dailypapers.accounts.models import ApiToken, AuthorClaim, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "public_upvotes"]
    list_select_related = ["user"]
    search_fields = ["user__username", "display_name"]
    raw_id_fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "prefix"]
    raw_id_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        # Never a hash field to type: the key is made on save (add) and fixed afterwards.
        return ["user", "name"] if obj is None else ["user", "name", *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        if not change:
            obj._key = tokens.assign_new_key(obj)
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue=None):
        """The new key, in this response only (it is stored hashed)."""
        context = {**self.admin_site.each_context(request), "token": obj, "key": obj._key}
        response = TemplateResponse(request, "admin/accounts/apitoken/created.html", context)
        response["Cache-Control"] = "no-store"
        return response


@admin.register(AuthorClaim)
class AuthorClaimAdmin(admin.ModelAdmin):
    list_display = ["author", "user", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["author", "user"]
    search_fields = ["author__name", "user__username"]
    raw_id_fields = ["user", "author"]
    # Decisions go through the actions, which set (or not) the author's member.
    readonly_fields = ["status", "created_at", "decided_at"]
    actions = ["approve", "reject"]

    @admin.action(description="Approve selected claims (the member becomes the author)")
    def approve(self, request: HttpRequest, queryset: QuerySet[AuthorClaim]) -> None:
        self._decide(request, queryset, claims.approve_claim, "approved")

    @admin.action(description="Reject selected claims")
    def reject(self, request: HttpRequest, queryset: QuerySet[AuthorClaim]) -> None:
        self._decide(request, queryset, claims.reject_claim, "rejected")

    def _decide(self, request: HttpRequest, queryset, decide, verb: str) -> HttpResponse | None:
        done = 0
        for claim in queryset.select_related("author", "user").order_by("created_at"):
            try:
                decide(claim)
                done += 1
            except claims.ClaimRefused as refusal:
                self.message_user(request, f"Claim {claim.pk}: {refusal}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} claim(s) {verb}.", messages.SUCCESS)
        return None
