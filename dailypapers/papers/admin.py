"""The moderators' admin. Hiding goes through `services`, like every other write."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import model_ngettext
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import capfirst

from dailypapers.papers import services
from dailypapers.papers.models import (
    Author,
    Authorship,
    Comment,
    CommentReport,
    Organization,
    Paper,
    Submission,
    Upvote,
)


class LabelledListEditable(admin.ModelAdmin):
    """Each row's editable field is named for assistive technology ("Hidden: <the row>"):
    Django renders it bare in its cell, and a column header is no checkbox's label."""

    def get_changelist_form(self, request: HttpRequest, **kwargs) -> type[ModelForm]:
        base = super().get_changelist_form(request, **kwargs)

        class LabelledForm(base):
            def __init__(self, *args, **form_kwargs) -> None:
                super().__init__(*args, **form_kwargs)
                if self.instance.pk is None:  # the formset's blank form: no row to name
                    return
                for field in self.fields.values():
                    if not field.widget.is_hidden:
                        label = f"{capfirst(field.label)}: {self.instance}"
                        field.widget.attrs["aria-label"] = label

        return LabelledForm


class ModeratedAdmin(LabelledListEditable):
    """Hiding (from the list's checkbox, the change form or the hide/unhide actions) goes
    through `set_hidden`, a service that carries the side effects (cached lists dropped);
    other fields save as usual."""

    set_hidden = None  # services.set_…_hidden(obj, hidden)
    actions = ["hide_selected", "unhide_selected"]

    @admin.action(description="Hide selected %(verbose_name_plural)s")
    def hide_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_hidden_all(request, queryset, True)

    @admin.action(description="Unhide selected %(verbose_name_plural)s")
    def unhide_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_hidden_all(request, queryset, False)

    def _set_hidden_all(self, request: HttpRequest, queryset: QuerySet, hidden: bool) -> None:
        changing = list(queryset.exclude(hidden=hidden))
        with transaction.atomic():
            for obj in changing:
                self.set_hidden(obj, hidden)
        verb = "Hid" if hidden else "Unhid"
        self.message_user(request, f"{verb} {len(changing)} {model_ngettext(queryset)}.")

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
class PaperAdmin(ModeratedAdmin):
    list_display = [
        "arxiv_id",
        "title",
        "organization",
        "upvotes",
        "imported",
        "published",
        "hidden",
    ]
    list_filter = ["hidden"]
    list_editable = ["hidden"]
    set_hidden = staticmethod(services.set_paper_hidden)
    search_fields = ["arxiv_id", "title"]
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]
    # Kept exact by Upvote rows (votes go through services), never typed in.
    readonly_fields = ["upvotes"]
    inlines = [AuthorshipInline]

    # Short headers and a bare date leave the title most of the row's width.
    @admin.display(description="Imported", ordering="imported_upvotes")
    def imported(self, paper: Paper) -> int:
        return paper.imported_upvotes

    @admin.display(description="Published", ordering="published_at")
    def published(self, paper: Paper) -> str:
        return f"{paper.published_at:%Y-%m-%d}" if paper.published_at else "-"


@admin.register(Submission)
class SubmissionAdmin(ModeratedAdmin):
    list_display = ["paper", "feed_date", "submitted_at", "submitter_name", "hidden"]
    list_filter = ["hidden", "feed_date"]
    list_editable = ["hidden"]
    list_select_related = ["paper"]
    raw_id_fields = ["paper", "submitter"]
    search_fields = ["paper__arxiv_id", "paper__title"]
    date_hierarchy = "feed_date"
    set_hidden = staticmethod(services.set_submission_hidden)


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


def _excerpt(comment: Comment) -> str:
    # Shown escaped by the admin, like every list value: hostile text stays text.
    return comment.body[:80] + ("…" if len(comment.body) > 80 else "") or "[deleted]"


def _on_the_page(comment: Comment):
    url = f"{comment.paper.get_absolute_url()}#comment-{comment.pk}"
    return format_html('<a href="{}">{}</a>', url, comment.paper.arxiv_id)


@admin.register(Comment)
class CommentAdmin(ModeratedAdmin):
    list_display = ["excerpt", "on_the_page", "author", "created_at", "open_reports", "hidden"]
    list_select_related = ["paper", "author"]
    list_filter = ["hidden"]
    list_editable = ["hidden"]
    raw_id_fields = ["paper", "author", "parent"]
    search_fields = ["body", "author__username", "paper__arxiv_id"]
    readonly_fields = ["on_the_page", "created_at", "edited_at"]
    set_hidden = staticmethod(services.set_comment_hidden)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        # One correlated count per row, in the list's own query: no query per comment.
        reports = (
            CommentReport.objects.filter(comment=OuterRef("pk"), resolved=False)
            .order_by()
            .values("comment")
            .annotate(n=Count("*"))
            .values("n")
        )
        return super().get_queryset(request).annotate(open_reports=Coalesce(Subquery(reports), 0))

    @admin.display(description="Comment")
    def excerpt(self, comment: Comment) -> str:
        return _excerpt(comment)

    @admin.display(description="On the page")
    def on_the_page(self, comment: Comment):
        return _on_the_page(comment)

    @admin.display(description="Open reports", ordering="open_reports")
    def open_reports(self, comment: Comment) -> int:
        return comment.open_reports


@admin.register(CommentReport)
class CommentReportAdmin(LabelledListEditable):
    """Members' reports, open ones first. Hiding a reported comment (the action here, the
    page's button, or the comment's own admin) resolves its open reports."""

    list_display = ["comment_excerpt", "on_the_page", "reason", "reporter", "created_at"]
    list_display += ["comment_hidden", "resolved"]
    list_filter = ["resolved", "created_at"]
    list_editable = ["resolved"]
    list_select_related = ["comment__paper", "reporter"]
    raw_id_fields = ["comment", "reporter"]
    search_fields = ["reason", "comment__body", "reporter__username"]
    ordering = ["resolved", "-created_at"]
    actions = ["hide_comments", "resolve"]

    @admin.display(description="Comment")
    def comment_excerpt(self, report: CommentReport) -> str:
        return _excerpt(report.comment)

    @admin.display(description="On the page")
    def on_the_page(self, report: CommentReport):
        return _on_the_page(report.comment)

    @admin.display(description="Comment hidden", boolean=True)
    def comment_hidden(self, report: CommentReport) -> bool:
        return report.comment.hidden

    @admin.action(description="Hide the reported comments (resolves their reports)")
    def hide_comments(self, request: HttpRequest, queryset: QuerySet[CommentReport]) -> None:
        comments = list(Comment.objects.filter(reports__in=queryset, hidden=False).distinct())
        with transaction.atomic():
            for comment in comments:
                services.set_comment_hidden(comment, True)
        self.message_user(request, f"Hid {len(comments)} comment(s).")

    @admin.action(description="Mark selected reports resolved")
    def resolve(self, request: HttpRequest, queryset: QuerySet[CommentReport]) -> None:
        count = queryset.update(resolved=True)
        self.message_user(request, f"Resolved {count} report(s).")
