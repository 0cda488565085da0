"""The core records: papers, their authors and organizations, and the daily feed."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from dailypapers.papers.names import normalize_name

# What django.urls.reverse leaves unquoted in a path argument.
_PATH_SAFE = "!$&'()*+,;=/~:@"


# A value each route's converter accepts, to learn the route's prefix once.
_SAMPLES = {"papers:detail": "2401.00001", "papers:author": "x", "papers:organization": "x"}


@lru_cache(maxsize=8)
def _route_prefix(route: str) -> str:
    sample = _SAMPLES[route]
    return reverse(route, args=[sample]).removesuffix(sample)


def route_url(route: str, value: str) -> str:
    """`reverse(route, args=[value])` for one-argument routes, minus the resolver walk:
    a feed page builds ~250 such links and reverse() was a fifth of its render time."""
    return _route_prefix(route) + quote(value, safe=_PATH_SAFE)


class Organization(models.Model):
    # The source's own handle (Hugging Face's organization `name`): what imports match on.
    # Names are not keys: two handles must never meet in one slug (every CJK name slugified
    # to "org" once, merging universities).
    handle = models.CharField(max_length=100, unique=True)
    # Unicode letters kept (see `names.org_slug`); the URL key of `/org/<slug>`.
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    name = models.CharField(max_length=200)
    fullname = models.CharField(max_length=300, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)

    def __str__(self) -> str:
        return self.fullname or self.name

    def get_absolute_url(self) -> str:
        return route_url("papers:organization", self.slug)


class Author(models.Model):
    name = models.CharField(max_length=300)
    # One author per normalized name: it is the author page's key.
    normalized_name = models.CharField(max_length=300, unique=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.normalized_name = normalize_name(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return route_url("papers:author", self.name)

    def clean(self) -> None:
        # A name another author already has (once normalized) would break the unique key on
        # save: say so in the form, naming that author, instead of a server error.
        others = Author.objects.exclude(pk=self.pk).order_by("pk")
        other = others.filter(normalized_name=normalize_name(self.name)).first()
        if other is not None:
            raise ValidationError(
                {
                    "name": f"“{other.name}” (author #{other.pk}) already has this name "
                    "(names are compared ignoring case, accents and spacing)."
                }
            )


class Paper(models.Model):
    arxiv_id = models.CharField(max_length=40, unique=True, help_text="Without version")
    version = models.PositiveSmallIntegerField(null=True, blank=True)
    title = models.TextField()
    abstract = models.TextField(blank=True)
    categories = models.CharField(max_length=300, blank=True)
    primary_category = models.CharField(max_length=40, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at_source = models.DateTimeField(null=True, blank=True)
    doi = models.CharField(max_length=200, blank=True)
    journal_ref = models.TextField(blank=True)
    # The licence URL arXiv records for the paper (e.g. CC BY 4.0), when a source says.
    license = models.CharField(max_length=300, blank=True)
    arxiv_comments = models.TextField(blank=True)
    github_repo = models.URLField(max_length=500, blank=True)
    github_stars = models.PositiveIntegerField(null=True, blank=True)
    project_page = models.URLField(max_length=500, blank=True)
    thumbnail = models.URLField(max_length=500, blank=True)
    media_urls = models.JSONField(default=list, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="papers"
    )
    ai_summary = models.TextField(blank=True)
    ai_keywords = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=20, blank=True)
    # When the source's view that the current fields (links, AI fields, counts) came from was
    # taken (a day file's date): an older view read later never overwrites a newer one.
    source_as_of = models.DateTimeField(null=True, blank=True)
    # Local votes (kept exact with Upvote rows) and counts imported from another site
    # are kept apart so a re-import never overwrites what members did here.
    upvotes = models.PositiveIntegerField(default=0)
    imported_upvotes = models.PositiveIntegerField(default=0)
    imported_comments = models.PositiveIntegerField(default=0)
    authors = models.ManyToManyField(Author, through="Authorship", related_name="papers")
    # Hidden by a moderator: gone from every list, count and search for everyone but staff.
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        # No default ordering: every query would pay an ORDER BY for it (the upsert's
        # lookups included). Lists order explicitly in `queries`.
        indexes = [
            models.Index(fields=["organization", "published_at"], name="paper_org_published")
        ]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title[:60]}"

    def get_absolute_url(self) -> str:
        return route_url("papers:detail", self.arxiv_id)

    @property
    def total_upvotes(self) -> int:
        return self.upvotes + self.imported_upvotes

    @property
    def abs_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}"


class Authorship(models.Model):
    # The (paper, position) constraint's index serves paper lookups: no second index.
    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, related_name="authorships", db_index=False
    )
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="authorships")
    position = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="authorship_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.author_id} on {self.paper_id} at {self.position}"


class Submission(models.Model):
    """A paper's entry in the daily feed: at most one per paper."""

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="submission")
    feed_date = models.DateField(db_index=True)
    submitted_at = models.DateTimeField()
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The username on the source site, for imported submissions.
    submitter_name = models.CharField(max_length=150, blank=True)
    comment = models.TextField(blank=True)
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator")

    class Meta:
        indexes = [
            models.Index(fields=["hidden", "feed_date"], name="submission_feed"),
            # Trending reads the latest submission and a window by time: two index ranges.
            models.Index(fields=["hidden", "submitted_at"], name="submission_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.paper.arxiv_id} on {self.feed_date}"


class Upvote(models.Model):
    # The (user, paper) constraint's index serves user lookups: no second index.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False)
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "paper"], name="one_upvote_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ▲ {self.paper_id}"


class Comment(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the author edits (allowed for a short while after posting).
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator")

    class Meta:
        indexes = [models.Index(fields=["paper", "created_at"], name="comment_thread")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.paper_id}"

    @property
    def deleted(self) -> bool:
        """Deleted by its author but kept (body emptied) to hold its replies' thread.
        A posted body is never empty, so no column is needed (services.comments)."""
        return not self.body


class CommentReport(models.Model):
    """A member flags a comment for the moderators: one report per member per comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_member")
        ]

    def __str__(self) -> str:
        return f"report on comment {self.comment_id} by {self.reporter_id}"


class RateCounter(models.Model):
    """One rate-limit key's hits in its current fixed window (`papers.rate_counter`), when the
    cache is the database: one row per key, reset in place when a new window starts."""

    key = models.CharField(max_length=200, primary_key=True)
    window_start = models.BigIntegerField(db_index=True)  # Unix seconds
    hits = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.hits} since {self.window_start}"
