from django.contrib import admin

from dailypapers.papers.models import (
    Author,
    Authorship,
    Comment,
    Organization,
    Paper,
    Submission,
    Upvote,
)


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
    inlines = [AuthorshipInline]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["paper", "feed_date", "submitted_at", "submitter_name", "hidden"]
    list_filter = ["hidden", "feed_date"]
    list_editable = ["hidden"]
    list_select_related = ["paper"]
    raw_id_fields = ["paper", "submitter"]
    search_fields = ["paper__arxiv_id", "paper__title"]
    date_hierarchy = "feed_date"


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "normalized_name", "claimed_by"]
    search_fields = ["normalized_name"]
    raw_id_fields = ["claimed_by"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "fullname"]
    search_fields = ["slug", "name", "fullname"]


@admin.register(Upvote)
class UpvoteAdmin(admin.ModelAdmin):
    list_display = ["user", "paper", "created_at"]
    raw_id_fields = ["user", "paper"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["paper", "author", "created_at", "hidden"]
    list_filter = ["hidden"]
    list_editable = ["hidden"]
    raw_id_fields = ["paper", "author", "parent"]
