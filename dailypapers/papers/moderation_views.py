"""Moderators hide or unhide a whole paper, or its submission, from the paper page.

Staff only (403 for everyone else); the paper page stays open to staff, with a banner, so
they can undo. Each change goes through `services`, which drops the cached lists.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dailypapers.papers import services
from dailypapers.papers.models import Paper, Submission


def _paper_for_staff(request: HttpRequest, arxiv_id: str) -> Paper:
    if not request.user.is_staff:
        raise PermissionDenied("Only moderators can hide papers and submissions.")
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Http404(f"No paper {arxiv_id} here.")
    return paper


def _wants_hidden(request: HttpRequest) -> bool:
    return request.POST.get("hidden") == "1"


@require_POST
def set_paper_hidden(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = _paper_for_staff(request, arxiv_id)
    services.set_paper_hidden(paper, _wants_hidden(request))
    return redirect(paper.get_absolute_url())


@require_POST
def set_submission_hidden(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = _paper_for_staff(request, arxiv_id)
    submission = Submission.objects.filter(paper=paper).first()
    if submission is None:
        raise Http404(f"{arxiv_id} was never submitted to the feed.")
    services.set_submission_hidden(submission, _wants_hidden(request))
    return redirect(paper.get_absolute_url())
