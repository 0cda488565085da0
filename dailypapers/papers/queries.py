"""Reads shared by the HTML pages, feeds, API and CLI. Every list runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

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
from dailypapers.papers.names import normalize_name
from dailypapers.papers.periods import Period

# `hidden = 0` rather than `NOT hidden` (what `hidden=False` compiles to): SQLite can range
# over an index that starts with `hidden` only with the former (see `ranking._VISIBLE`).
_SHOWN = Q(hidden=Value(False))


def visible_submissions() -> QuerySet[Submission]:
    """Submissions on the feeds: neither they nor their paper hidden by a moderator."""
    return Submission.objects.filter(_SHOWN, paper__hidden=Value(False))


def _authorships() -> Prefetch:
    return Prefetch(
        "authorships", queryset=Authorship.objects.select_related("author").order_by("position")
    )


def with_score(papers: QuerySet[Paper]) -> QuerySet[Paper]:
    """`score`: the upvotes a card shows and lists sort by (local votes plus imported ones)."""
    return papers.annotate(score=F("upvotes") + F("imported_upvotes"))


def with_card_data(papers: QuerySet[Paper]) -> QuerySet[Paper]:
    """Everything a paper card shows, in two queries whatever the page size."""
    papers = papers.select_related("organization", "submission").prefetch_related(_authorships())
    return with_score(papers).annotate(local_comments=_visible_comment_count())


def _visible_comment_count() -> Coalesce:
    # A correlated count rather than JOIN + GROUP BY: grouping by every paper column
    # (abstracts included) made month pages sort on disk. Counted as the thread shows them
    # (`comment_threads`): not hidden, not deleted, not a reply under a hidden comment.
    counts = (
        Comment.objects.filter(paper=OuterRef("pk"), hidden=False)
        .exclude(body="")
        .filter(Q(parent__isnull=True) | Q(parent__hidden=False))
        .order_by()
        .values("paper")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def papers_in_period(period: Period) -> QuerySet[Paper]:
    """The feed: papers submitted in the period, by upvotes, then earliest submission."""
    papers = Paper.objects.filter(
        hidden=False,
        submission__hidden=False,
        submission__feed_date__gte=period.start,
        submission__feed_date__lte=period.end,
    )
    return with_card_data(papers).order_by("-score", "submission__submitted_at", "arxiv_id")


def latest_feed_date(on_or_before: dt.date | None = None) -> dt.date | None:
    submissions = visible_submissions()
    if on_or_before:
        submissions = submissions.filter(feed_date__lte=on_or_before)
    return _first_day(submissions, "-feed_date")


def _first_day(submissions: QuerySet[Submission], order: str) -> dt.date | None:
    # ORDER BY + LIMIT 1 rather than MAX(): with the paper's `hidden` in the WHERE, MAX()
    # read every submission of the range; this walks the (hidden, feed_date) index from
    # its end and stops at the first visible paper (one seek, whatever the table's size).
    return submissions.order_by(order).values_list("feed_date", flat=True).first()


def neighbour_periods(period: Period) -> tuple[Period | None, Period | None]:
    """The nearest earlier and later periods that have papers (empty ones are skipped)."""
    # Two queries with the bound in WHERE: each is one index seek. A single aggregate with
    # FILTER clauses reads every submission instead (14 ms at 100 K papers).
    submissions = visible_submissions()
    before = _first_day(submissions.filter(feed_date__lt=period.start), "-feed_date")
    after = _first_day(submissions.filter(feed_date__gt=period.end), "feed_date")
    return (
        period.containing(before) if before else None,
        period.containing(after) if after else None,
    )


def trending_papers(arxiv_ids: list[str]) -> list[Paper]:
    """The papers of a (cached) trending ranking, in its order. Hidden submissions are
    filtered here, when the page loads, so hiding one takes effect before the cache expires."""
    papers = Paper.objects.filter(arxiv_id__in=arxiv_ids, hidden=False, submission__hidden=False)
    by_id = with_card_data(papers).in_bulk(field_name="arxiv_id")
    return [by_id[arxiv_id] for arxiv_id in arxiv_ids if arxiv_id in by_id]


def paper_by_arxiv_id(arxiv_id: str) -> Paper | None:
    papers = Paper.objects.select_related("organization", "submission").prefetch_related(
        _authorships()
    )
    return papers.filter(arxiv_id=arxiv_id).first()


def comment_threads(paper: Paper, include_hidden: bool = False) -> list[Comment]:
    """The paper's top-level comments, oldest first (a conversation reads down), each with
    `thread`: its replies, oldest first. One query.

    For everyone but moderators (`include_hidden`), a hidden comment is gone with its
    replies, and a deleted one stays only while it holds visible replies.
    """
    comments = Comment.objects.filter(paper=paper).select_related("author")
    if not include_hidden:
        comments = comments.filter(hidden=False)
    tops: dict[int, Comment] = {}
    for comment in comments.order_by("created_at", "pk"):  # a reply comes after its parent
        comment.thread = []
        if comment.parent_id is None:
            tops[comment.pk] = comment
        elif comment.parent_id in tops:
            tops[comment.parent_id].thread.append(comment)
    return [top for top in tops.values() if top.body or top.thread]


def reported_comment_ids(user, paper: Paper) -> set[int]:
    """The comments of `paper` this member already reported (their Report button goes)."""
    reports = CommentReport.objects.filter(reporter=user, comment__paper=paper)
    return set(reports.values_list("comment_id", flat=True))


def public_comment_count(threads: list[Comment]) -> int:
    """What a card counts (`_visible_comment_count`), from threads already loaded."""
    return sum(
        (not top.deleted) + sum(not reply.hidden for reply in top.thread)
        for top in threads
        if not top.hidden
    )


def organization_by_slug(slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug).first()


def papers_of_organization(organization: Organization) -> QuerySet[Paper]:
    papers = organization.papers.filter(hidden=False)
    return with_card_data(papers).order_by("-published_at", "-arxiv_id")


def author_by_name(name: str) -> Author | None:
    return Author.objects.filter(normalized_name=normalize_name(name)).order_by("pk").first()


def papers_of_author(author: Author) -> QuerySet[Paper]:
    papers = author.papers.filter(hidden=False)
    return with_card_data(papers).order_by("-published_at", "-arxiv_id")


def cards_in_order(paper_ids: list[int]) -> list[Paper]:
    """The card data of these papers, in this order (search results, similar papers).
    Hidden papers are left out: every list that finds papers elsewhere ends here."""
    by_pk = with_card_data(Paper.objects.filter(pk__in=paper_ids, hidden=False)).in_bulk()
    return [by_pk[pk] for pk in paper_ids if pk in by_pk]


# Upvotes.


def votable_paper(arxiv_id: str) -> Paper | None:
    """The paper a vote goes to: none when it is hidden (a hidden paper takes no votes)."""
    return Paper.objects.filter(arxiv_id=arxiv_id, hidden=False).first()


def upvoted_ids(user, paper_ids: Iterable[int]) -> set[int]:
    """Which of these papers the member upvoted: one index seek per paper on the (user,
    paper) pair, in one query; no query for a visitor or an empty page."""
    ids = list(paper_ids)
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    votes = Upvote.objects.filter(user=user, paper_id__in=ids)
    return set(votes.values_list("paper_id", flat=True))


def recent_upvotes_of(user_ids: Iterable[int], per_user: int) -> list[tuple[int, int, dt.datetime]]:
    """(user id, paper id, vote time) of these members' latest `per_user` votes each, in one
    query (a digest batch's "for you" profiles). The cap bounds a batch's memory whatever a
    member's history; a ROW_NUMBER window, which SQLite and PostgreSQL both run."""
    ids = list(user_ids)
    if not ids:
        return []
    latest = Window(
        RowNumber(), partition_by=[F("user_id")], order_by=[F("created_at").desc(), F("pk")]
    )
    votes = Upvote.objects.filter(user_id__in=ids).annotate(n=latest).filter(n__lte=per_user)
    return list(votes.values_list("user_id", "paper_id", "created_at"))


# A member's activity (their profile page): what everyone may see, newest first.


def papers_submitted_by(user) -> QuerySet[Paper]:
    papers = Paper.objects.filter(submission__submitter=user, submission__hidden=False)
    return with_card_data(papers.filter(hidden=False)).order_by("-submission__submitted_at", "-pk")


def papers_upvoted_by(user) -> QuerySet[Paper]:
    # One filter() call: the ORDER BY reuses the join that picked this member's vote.
    papers = Paper.objects.filter(votes__user=user, hidden=False)
    return with_card_data(papers).order_by("-votes__created_at", "-pk")


def comments_by(user) -> QuerySet[Comment]:
    # As the paper page shows them: not deleted ("[deleted]" keeps no words), not hidden,
    # nor under a hidden comment, nor on a hidden paper.
    comments = Comment.objects.filter(author=user, hidden=False, paper__hidden=False)
    comments = comments.exclude(body="").filter(Q(parent=None) | Q(parent__hidden=False))
    return comments.select_related("paper").order_by("-created_at", "-pk")


def authors_claimed_by(user) -> QuerySet[Author]:
    return Author.objects.filter(claimed_by=user).order_by("name", "pk")
