"""The moderators' admin. Hiding goes through `services`, like every other write."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from dailypapers.papers import services
from dailypapers.papers.models import (
    Author,
    Authorship,
    Comment,
    Organization,
    Paper,
    Submission,
    Upvote,
)


class ModeratedAdmin(admin.ModelAdmin):
    """Hiding (from the list's checkbox or the change form) goes through `set_hidden`, a
    service that carries the side effects (a cached list dropped); other fields save as usual."""

    set_hidden = None  # services.set_…_hidden(obj, hidden)

    def save_model(self, request: HttpRequest, obj, form: ModelForm, change: bool) -> None:
        hiding = change and "hidden" in form.changed_data
        hidden = obj.hidden
        if hiding:
            obj.hidden = form.initial["hidden"]  # saved as stored: the service changes it
        super().save_model(request, obj, form, change)
        if hiding:
            self.set_hidden(obj, hidden)


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    raw_id_fields = ["author"]
    extra = 0


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = [
        "arxiv_id",
        "title",
        "organization",
        "upvotes",
        "imported_upvotes",
        "published_at",
    ]
    search_fields = ["arxiv_id", "title"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]
    # Kept exact by Upvote rows (votes go through services), never typed in.
    readonly_fields = ["upvotes"]
    inlines = [AuthorshipInline]


@admin.register(Submission)
class SubmissionAdmin(ModeratedAdmin):
    list_display = ["paper", "feed_date", "submitted_at", "submitter_name", "hidden"]
    list_filter = ["hidden", "feed_date"]
    list_editable = ["hidden"]
    list_select_related = ["paper"]
    raw_id_fields = ["paper", "submitter"]
    search_fields = ["paper__arxiv_id", "paper__title"]
    date_hierarchy = "feed_date"
    actions = ["hide_submissions"]
    set_hidden = staticmethod(services.set_submission_hidden)

    @admin.action(description="Hide selected submissions")
    def hide_submissions(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        submissions = list(queryset.filter(hidden=False))
        with transaction.atomic():
            for submission in submissions:
                services.set_submission_hidden(submission, True)
        self.message_user(request, f"Hid {len(submissions)} submission(s).")


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "normalized_name", "claimed_by"]
    list_select_related = ["claimed_by"]
    search_fields = ["normalized_name"]
    raw_id_fields = ["claimed_by"]
    # Derived from the name on save; `Author.clean` rejects a name another author has.
    readonly_fields = ["normalized_name"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "fullname"]
    search_fields = ["slug", "name", "fullname"]


@admin.register(Upvote)
class UpvoteAdmin(admin.ModelAdmin):
    """Moderators see and delete votes (`papers.vote_counts` keeps the counters exact);
    votes are cast only by members, through `services`, so none is added or edited here."""

    list_display = ["user", "paper", "created_at"]
    list_select_related = ["user", "paper"]
    raw_id_fields = ["user", "paper"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(ModeratedAdmin):
    list_display = ["paper", "author", "created_at", "hidden"]
    list_select_related = ["paper", "author"]
    list_filter = ["hidden"]
    list_editable = ["hidden"]
    raw_id_fields = ["paper", "author", "parent"]
    set_hidden = staticmethod(services.set_comment_hidden)
