"""`POST /papers/<arxiv_id>/upvote`: one endpoint, three kinds of client.

htmx gets the vote control back to swap in; `Accept: application/json` gets
`{"upvoted": bool, "upvotes": int}`; a plain form (no JS) is redirected back where it came
from. Anonymous visitors are sent to login and brought back to the page they were on.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dailypapers.papers import queries, services, vote_intent
from dailypapers.papers.arxiv_ids import parse_arxiv_id
from dailypapers.papers.models import Paper
from dailypapers.papers.ratelimit import action_limited, too_many_requests
from dailypapers.papers.views import read_only

_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no"}


@require_POST
def upvote(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "")
    paper = queries.votable_paper(parse_arxiv_id(arxiv_id).base)
    if paper is None:
        if wants_json:
            return _json_error("not_found", f"No paper {arxiv_id} here.", 404)
        raise Http404(f"No paper {arxiv_id} here.")
    if not request.user.is_authenticated:
        return _login_first(request, paper, wants_json)
    try:
        wanted = _wanted_state(request)
    except ValueError as error:
        return _bad_request(str(error), wants_json)
    if action_limited(request, "vote"):
        return _limited(request, paper)
    if wanted is None:
        result = services.toggle_upvote(request.user, paper)
    else:
        result = services.set_upvote(request.user, paper, wanted)
    if wants_json:
        return JsonResponse({"upvoted": result.upvoted, "upvotes": result.upvotes})
    back = _safe_next(request, request.POST.get("next", "")) or paper.get_absolute_url()
    if request.headers.get("HX-Request"):
        context = {"paper": paper, "upvoted": result.upvoted, "count": result.upvotes}
        return render(request, "papers/_vote.html", {**context, "next_url": back})
    return HttpResponseRedirect(_on_card(back, paper))


@read_only
def upvote_intent(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """A visitor's ▲: to login, keeping the vote; a member back from login: the vote cast
    (when this browser started it: `papers.vote_intent`), then the card."""
    paper = queries.votable_paper(parse_arxiv_id(arxiv_id).base)
    if paper is None:
        raise Http404(f"No paper {arxiv_id} here.")
    if not request.user.is_authenticated:
        page = _safe_next(request, request.GET.get("next", "")) or paper.get_absolute_url()
        return _login_keeping_vote(request, paper, page)
    intent = vote_intent.read(request.GET.get("intent", ""))
    if intent is None or intent.arxiv_id != paper.arxiv_id:
        page = _safe_next(request, request.GET.get("next", "")) or paper.get_absolute_url()
        return HttpResponseRedirect(_on_card(page, paper))
    if not vote_intent.started_here(request, intent):
        messages.info(request, "Your upvote was not cast: press ▲ to upvote.")
    elif action_limited(request, "vote"):
        messages.error(request, "Too many votes in a short time: your upvote was not cast.")
    else:
        services.set_upvote(request.user, paper, True)
    page = _safe_next(request, intent.page) or paper.get_absolute_url()
    response = HttpResponseRedirect(_on_card(page, paper))
    vote_intent.forget(response)
    return response


def _login_keeping_vote(request: HttpRequest, paper: Paper, page: str) -> HttpResponse:
    intent, signed = vote_intent.sign(paper.arxiv_id, page)
    back = (
        f"{reverse('papers:upvote-intent', args=[paper.arxiv_id])}?{urlencode({'intent': signed})}"
    )
    login = f"{reverse('account_login')}?{urlencode({'next': back})}"
    # Said on the login page: what logging in will do, before they do it.
    messages.info(request, f"Log in to upvote “{paper.title}”: your vote is cast as you do.")
    response = HttpResponseRedirect(login)
    vote_intent.remember(response, intent)
    return response


def _on_card(page: str, paper: Paper) -> str:
    """`page`, scrolled to the paper's card; the paper's own page has its vote on top."""
    if page.partition("?")[0] == paper.get_absolute_url():
        return page
    return f"{page}#paper-{paper.arxiv_id}"


def _limited(request: HttpRequest, paper: Paper) -> HttpResponse:
    """Over the vote limit. htmx swaps only 2xx answers, so it gets its control back as it
    stands (the vote unchanged) carrying the message; other clients get the 429."""
    if not request.headers.get("HX-Request"):
        return too_many_requests(request, "votes")
    back = _safe_next(request, request.POST.get("next", "")) or paper.get_absolute_url()
    context = {
        "paper": paper,
        "upvoted": paper.pk in queries.upvoted_ids(request.user, [paper.pk]),
        "next_url": back,
        "limited": "Too many votes in a short time. Please wait a minute and try again.",
    }
    return render(request, "papers/_vote.html", context)


def _wanted_state(request: HttpRequest) -> bool | None:
    """The state the client asked for (`upvoted` in the form or a JSON body); None: toggle."""
    raw = request.POST.get("upvoted")
    if raw is None and request.content_type == "application/json" and request.body:
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise ValueError("The body is not valid JSON.") from None
        raw = body.get("upvoted") if isinstance(body, dict) else None
    if raw is None or isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError("`upvoted` must be true or false (or left out to toggle).")


def _safe_next(request: HttpRequest, url: str) -> str:
    """`url` as a path on this site (query kept), or "" when it points anywhere else."""
    url = url.strip()
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not url or not allowed:
        return ""
    parts = urlsplit(url)
    path = parts.path if parts.path.startswith("/") else ""
    return f"{path}?{parts.query}" if path and parts.query else path


def _login_first(request: HttpRequest, paper: Paper, wants_json: bool) -> HttpResponse:
    """To login, then back to the page the visitor was on (the form's `next`, else the
    page that sent them, else the paper's page)."""
    page = (
        _safe_next(request, request.POST.get("next", ""))
        or _safe_next(request, request.headers.get("Referer", ""))
        or paper.get_absolute_url()
    )
    login = f"{reverse('account_login')}?{urlencode({'next': page})}"
    if wants_json:
        body = {"error": "login_required", "detail": "Log in to upvote.", "login_url": login}
        return JsonResponse(body, status=401)
    if request.headers.get("HX-Request"):
        # htmx would follow a redirect and swap the login page into the vote box: it
        # navigates the whole page when told so by this header instead.
        response = HttpResponse(status=401)
        response["HX-Redirect"] = login
        return response
    return HttpResponseRedirect(login)


def _bad_request(detail: str, wants_json: bool) -> HttpResponse:
    if wants_json:
        return _json_error("bad_request", detail, 400)
    return HttpResponse(detail, status=400, content_type="text/plain; charset=utf-8")


def _json_error(error: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"error": error, "detail": detail}, status=status)
