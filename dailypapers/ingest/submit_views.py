"""`/submit`: a member names a paper, sees it, and puts it into today's feed.

Step one (`step=lookup`) finds the paper, fetching it from arXiv when it is new here, and
checks the rules, so a refusal shows before anything is typed. Step two (`step=confirm`)
carries the paper's id signed, re-reads the paper and submits it through `services`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateformat import format as format_date
from django.views.decorators.http import require_http_methods

from dailypapers.ingest.submit_forms import ConfirmForm, LookupForm, sign_paper
from dailypapers.ingest.submit_lookup import LookupFailed, find_or_fetch
from dailypapers.papers import queries, services
from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.models import Paper
from dailypapers.papers.ratelimit import action_limited, too_many_requests


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _lookup_page(request, LookupForm())
    if action_limited(request, "submit"):
        return too_many_requests(request, "submissions")
    if request.POST.get("step") == "confirm":
        return _confirm(request)
    return _lookup(request)


def _lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _lookup_page(request, form, status=400)
    try:
        paper = find_or_fetch(form.cleaned_data["paper"])
        services.check_submission(request.user, paper)
    except LookupFailed as failure:
        form.add_error("paper", str(failure))
        return _lookup_page(request, form, status=400)
    except services.SubmissionRefused as refusal:
        return _lookup_page(request, form, refusal=refusal, paper=paper, status=400)
    initial = {"token": sign_paper(paper.arxiv_id, request.user.pk)}
    return _confirm_page(request, ConfirmForm(initial=initial), paper)


def _confirm(request: HttpRequest) -> HttpResponse:
    form = ConfirmForm(request.POST, user_pk=request.user.pk)
    if not form.is_valid():
        paper = _signed_paper(form)
        if paper is None:  # a bad token, or its paper is gone: start over
            return _start_over(request, form)
        return _confirm_page(request, form, paper, status=400)
    paper = queries.paper_by_arxiv_id(form.cleaned_data["token"])
    if paper is None:
        return _start_over(request, form)
    try:
        submission = services.submit_paper(
            request.user,
            paper,
            comment=form.cleaned_data["comment"],
            organization=form.cleaned_data["organization"],
        )
    except services.SubmissionRefused as refusal:
        return _confirm_page(request, form, paper, refusal=refusal, status=400)
    day = format_date(submission.feed_date, "M j, Y")
    messages.success(request, f"Submitted to the feed of {day}. Thank you!")
    return redirect(paper.get_absolute_url())


def _signed_paper(form: ConfirmForm) -> Paper | None:
    """The paper of a form whose token is good (other fields may not be)."""
    arxiv_id = form.cleaned_data.get("token")
    return queries.paper_by_arxiv_id(arxiv_id) if arxiv_id else None


def _start_over(request: HttpRequest, confirm: ConfirmForm) -> HttpResponse:
    reasons = confirm.errors.get("token") or [_GONE]
    return _lookup_page(request, LookupForm(), problem=reasons[0], status=400)


_GONE = "That paper is no longer here. Please look it up again."


def _lookup_page(
    request: HttpRequest, form: LookupForm, status: int = 200, **extra
) -> HttpResponse:
    context = {"form": form, **_rules(), **extra}
    return render(request, "ingest/submit.html", context, status=status)


def _confirm_page(
    request: HttpRequest, form: ConfirmForm, paper: Paper, status: int = 200, **extra
) -> HttpResponse:
    context = {"form": form, "paper": paper, "today": feed_today(), **_rules(), **extra}
    return render(request, "ingest/submit_confirm.html", context, status=status)


def _rules() -> dict[str, object]:
    return {
        "max_age_days": settings.SUBMIT_MAX_AGE_DAYS,
        "daily_cap": settings.SUBMIT_DAILY_CAP,
        "weekends": settings.SUBMIT_WEEKENDS,
    }
