"""Comments on a paper page: post, reply, edit, delete, report, and moderators' hide/unhide.

Every action is a plain POST form that works without JS (success redirects back to the
comment, a refusal shows the form again with the reason). With htmx the same forms swap
the comments section in place; a refusal then replaces just the form that was sent.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dailypapers.papers import queries, services
from dailypapers.papers.models import Comment, Paper
from dailypapers.papers.ratelimit import action_limited, too_many_requests
from dailypapers.papers.services import CommentRefused
from dailypapers.papers.templatetags.comment_tags import form_id

SECTION = "papers/_comments_body.html"
FORM = "papers/_comment_form.html"


def section_context(request: HttpRequest, paper: Paper) -> dict:
    """What `_comments.html` needs: the threads and what this visitor may do to each."""
    user = request.user
    threads = queries.comment_threads(paper, include_hidden=user.is_staff)
    member = user.is_authenticated
    now = timezone.now()
    everything = [c for top in threads for c in (top, *top.thread)]
    return {
        "paper": paper,
        "threads": threads,
        "comment_count": queries.public_comment_count(threads),
        "editable_ids": {c.pk for c in everything if member and services.can_edit(user, c, now)},
        "reported_ids": queries.reported_comment_ids(user, paper) if member else set(),
        "can_moderate": user.is_staff,
        **_limits(),
    }


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _visible_paper(request: HttpRequest, arxiv_id: str) -> Paper:
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None or (paper.hidden and not request.user.is_staff):
        raise Http404(f"No paper {arxiv_id} here.")
    return paper


def _visible_comment(request: HttpRequest, pk: int) -> Comment:
    comment = Comment.objects.select_related("paper").filter(pk=pk).first()
    staff = request.user.is_staff
    if comment is None or ((comment.hidden or comment.paper.hidden) and not staff):
        raise Http404("No such comment.")
    return comment


def _login(request: HttpRequest, paper: Paper) -> HttpResponse:
    return redirect_to_login(
        paper.get_absolute_url() + "#comments", login_url=reverse("account_login")
    )


def _done(request: HttpRequest, paper: Paper, anchor: str = "comments") -> HttpResponse:
    """Success: the fresh section for htmx, else back to the paper page at the comment."""
    if _is_htmx(request):
        return render(request, SECTION, section_context(request, paper))
    return redirect(f"{paper.get_absolute_url()}#{anchor}")


def _refused(request: HttpRequest, paper: Paper, form: dict, status: int = 400) -> HttpResponse:
    """The form again with its reason and the text as typed: in place of the form that was
    sent (htmx, which swaps only 2xx answers), or on a page of its own."""
    context = {**form, "paper": paper, "standalone": not _is_htmx(request), **_limits()}
    if not _is_htmx(request):
        return render(request, "papers/comment_form_page.html", context, status=status)
    response = render(request, FORM, context)
    response["HX-Retarget"] = "#" + form_id(form["kind"], form["target"])
    response["HX-Reswap"] = "outerHTML"
    return response


def _limited(
    request: HttpRequest, paper: Paper, form: dict, what: str = "comments"
) -> HttpResponse:
    if _is_htmx(request):
        form["error"] = f"Too many {what} in a short time. Please wait a minute and try again."
        return _refused(request, paper, form)
    return too_many_requests(request, what)


def _form(kind: str, target: object, action: str, text: str = "") -> dict:
    """What `_comment_form.html` shows: `kind` is new, reply, edit or report; `target` the
    comment it acts on ("" for a new one)."""
    return {"kind": kind, "target": target, "action": action, "text": text, "error": ""}


def _limits() -> dict:
    return {"max_body": services.comments.MAX_BODY, "max_reason": services.comments.MAX_REASON}


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) < 19


@require_POST
def post_comment(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = _visible_paper(request, arxiv_id)
    if not request.user.is_authenticated:
        return _login(request, paper)
    body, parent_id = request.POST.get("body", ""), request.POST.get("parent", "").strip()
    action = reverse("papers:comment-post", args=[paper.arxiv_id])
    if _is_id(parent_id):
        form = _form("reply", parent_id, action, body)
    else:
        form = _form("new", "", action, body)
    if action_limited(request, "comment"):
        return _limited(request, paper, form)
    try:
        parent = _parent(paper, parent_id)
        comment = services.post_comment(request.user, paper, body, parent=parent)
    except CommentRefused as refusal:
        return _refused(request, paper, {**form, "error": str(refusal)})
    return _done(request, paper, anchor=f"comment-{comment.pk}")


def _parent(paper: Paper, value: str) -> Comment | None:
    """The comment replied to (on this paper, visible), or None for a new thread."""
    if not value:
        return None
    comment = None
    if _is_id(value):
        comment = Comment.objects.filter(pk=value, paper=paper, hidden=False).first()
    if comment is None:
        raise CommentRefused("The comment you replied to is no longer there.")
    return comment


@require_POST
def edit_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment(request, pk)
    body = request.POST.get("body", "")
    action = reverse("papers:comment-edit", args=[pk])
    form = _form("edit", pk, action, body)
    if action_limited(request, "comment"):
        return _limited(request, comment.paper, form)
    try:
        services.edit_comment(request.user, comment, body)
    except CommentRefused as refusal:
        return _refused(request, comment.paper, {**form, "error": str(refusal)})
    return _done(request, comment.paper, anchor=f"comment-{pk}")


@require_POST
def delete_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _own_comment(request, pk)
    kept = services.delete_comment(request.user, comment)
    return _done(request, comment.paper, anchor=f"comment-{pk}" if kept else "comments")


def _own_comment(request: HttpRequest, pk: int) -> Comment:
    comment = _visible_comment(request, pk)
    if not request.user.is_authenticated or comment.author_id != request.user.pk:
        raise PermissionDenied("Only its author can change a comment.")
    return comment


@require_POST
def report_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _visible_comment(request, pk)
    if not request.user.is_authenticated:
        return _login(request, comment.paper)
    reason = request.POST.get("reason", "")
    form = _form("report", pk, reverse("papers:comment-report", args=[pk]), reason)
    # Reports share the comment limit: one per comment each, but a member could still file
    # hundreds across a page's comments for the moderators to read.
    if action_limited(request, "comment"):
        return _limited(request, comment.paper, form, "reports")
    try:
        services.report_comment(request.user, comment, reason)
    except CommentRefused as refusal:
        return _refused(request, comment.paper, {**form, "error": str(refusal)})
    return _done(request, comment.paper, anchor=f"comment-{pk}")


@require_POST
def set_comment_hidden(request: HttpRequest, pk: int) -> HttpResponse:
    """Moderators only: hide (`hidden=1`) or unhide (`hidden=0`) a comment."""
    if not request.user.is_staff:
        raise PermissionDenied("Only moderators can hide comments.")
    comment = _visible_comment(request, pk)
    services.set_comment_hidden(comment, request.POST.get("hidden") == "1")
    return _done(request, comment.paper, anchor=f"comment-{pk}")
