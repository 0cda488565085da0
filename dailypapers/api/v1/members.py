"""Members' writes with an API token: upvote, submit, comment.

Votes are PUT (cast) and DELETE (withdraw): idempotent, so a script that retries after a
timeout cannot flip a vote back. Each write also counts against the same per-action limits
as the web pages (RATE_LIMITS["vote"], ["submit"], ["comment"]).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from dailypapers.api.v1.errors import ApiError
from dailypapers.api.v1.papers import visible_paper
from dailypapers.api.v1.schemas import (
    CommentIn,
    CommentOut,
    ErrorOut,
    SubmissionIn,
    SubmissionOut,
    VoteOut,
    absolute,
    clean,
    paper_out,
)
from dailypapers.api.v1.security import TokenAuth
from dailypapers.ingest.submit_lookup import LookupFailed, find_or_fetch
from dailypapers.papers import queries, services
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.models import Comment, Paper
from dailypapers.papers.ratelimit import action_limited

router = Router(tags=["members"], auth=TokenAuth())
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _limit(request: HttpRequest, action: str) -> None:
    if action_limited(request, action, member_key=f"user:{request.auth.pk}"):
        raise ApiError(429, f"Too many {action}s in a short time. Please wait a minute.")


def _vote(request: HttpRequest, arxiv_id: str, upvoted: bool) -> dict:
    _limit(request, "vote")
    paper = visible_paper(arxiv_id)
    result = services.set_upvote(request.auth, paper, upvoted)
    return {"arxiv_id": paper.arxiv_id, "upvoted": result.upvoted, "upvotes": result.upvotes}


@router.put("/papers/{path:arxiv_id}/upvote", response={200: VoteOut, **ERRORS})
def upvote(request: HttpRequest, arxiv_id: str) -> dict:
    """Cast your upvote (again is fine: it stays one vote)."""
    return _vote(request, arxiv_id, True)


@router.delete("/papers/{path:arxiv_id}/upvote", response={200: VoteOut, **ERRORS})
def unvote(request: HttpRequest, arxiv_id: str) -> dict:
    """Withdraw your upvote (no vote is fine too)."""
    return _vote(request, arxiv_id, False)


@router.post(
    "/papers/{path:arxiv_id}/comments", response={201: CommentOut, 400: ErrorOut, **ERRORS}
)
def comment(request: HttpRequest, arxiv_id: str, payload: CommentIn) -> Status:
    """Comment on a paper, or reply under a comment (`parent_id`). Markdown, as on the site."""
    _limit(request, "comment")
    paper = visible_paper(arxiv_id)
    parent = None
    if payload.parent_id is not None:
        parent = Comment.objects.filter(pk=payload.parent_id, paper=paper, hidden=False).first()
        if parent is None:
            raise ApiError(404, f"No comment {payload.parent_id} on {paper.arxiv_id}.")
    try:
        new = services.post_comment(request.auth, paper, payload.body, parent=parent)
    except services.CommentRefused as refusal:
        raise ApiError(400, str(refusal), "comment_refused") from None
    return Status(201, _comment_out(request, new, paper))


def _comment_out(request: HttpRequest, new: Comment, paper: Paper) -> dict:
    return {
        "id": new.pk,
        "arxiv_id": paper.arxiv_id,
        "author": request.auth.get_username(),
        "body": new.body,
        "parent_id": new.parent_id,
        "created_at": new.created_at,
        "url": absolute(request, f"{paper.get_absolute_url()}#comment-{new.pk}"),
    }


@router.post("/submissions", response={201: SubmissionOut, 400: ErrorOut, 409: ErrorOut, **ERRORS})
def submit(request: HttpRequest, payload: SubmissionIn) -> Status:
    """Put a paper into today's feed. An id unknown here is looked up on arXiv first."""
    _limit(request, "submit")
    try:
        arxiv_id = parse_arxiv_id(payload.arxiv_id)
    except ValueError:
        raise ApiError(400, f"Not an arXiv id: {payload.arxiv_id[:80]!r}.") from None
    try:
        paper = find_or_fetch(arxiv_id)
        submission = services.submit_paper(request.auth, paper, comment=clean(payload.comment))
    except LookupFailed as failure:
        raise ApiError(400, str(failure), "lookup_failed") from None
    except services.SubmissionRefused as refusal:
        link = absolute(request, refusal.link) if refusal.link else None
        raise ApiError(409, refusal.message, "submission_refused", link=link) from None
    card = queries.cards_in_order([paper.pk])[0]
    return Status(
        201,
        {
            "paper": paper_out(request, card),
            "feed_date": submission.feed_date,
            "submitted_at": submission.submitted_at,
        },
    )
