"""Member pages: the public profile, the settings page (profile, API tokens), author claims."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from dailypapers.accounts import claims, confirmation, tokens
from dailypapers.accounts.adapter import allauth_refusal
from dailypapers.accounts.forms import ProfileForm, TokenForm
from dailypapers.accounts.profiles import profile_for
from dailypapers.papers import queries
from dailypapers.papers.models import Author
from dailypapers.papers.ratelimit import too_many_requests

# Each list on a profile page shows this many of the newest items.
PROFILE_ITEMS = 20


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    # PostgreSQL refuses NUL in a parameter; no username has one anyway.
    members = get_user_model().objects.filter(username=username, is_active=True)
    member = None if "\x00" in username else members.first()
    if member is None:
        raise Http404(f"No member named {username!r}.")
    person = profile_for(member)
    own_page = request.user == member
    show_upvotes = person.public_upvotes or own_page
    context = {
        "member": member,
        "person": person,
        "own_page": own_page,
        "submitted": _newest(queries.papers_submitted_by(member)),
        "comments": _newest(queries.comments_by(member)),
        "upvoted_papers": _newest(queries.papers_upvoted_by(member)) if show_upvotes else None,
        "authors": list(queries.authors_claimed_by(member)),
    }
    shown = context["submitted"]["items"] + (context["upvoted_papers"] or {"items": []})["items"]
    context["upvoted_ids"] = queries.upvoted_ids(request.user, [paper.pk for paper in shown])
    return render(request, "accounts/profile.html", context)


def _newest(items) -> dict:
    return {"items": list(items[:PROFILE_ITEMS]), "count": items.count()}


@never_cache
@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    person = profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:settings")
    return _render_settings(request, profile_form=form)


def _render_settings(request: HttpRequest, status: int = 200, **parts) -> HttpResponse:
    profile_form = parts.get("profile_form") or ProfileForm(instance=profile_for(request.user))
    context = {
        "profile_form": profile_form,
        "token_form": parts.get("token_form") or TokenForm(),
        "tokens": tokens.tokens_of(request.user),
        "new_key": parts.get("new_key"),
    }
    return render(request, "accounts/settings.html", context, status=status)


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its key in this response only: it is stored hashed, so no
    later page can show it again (never_cache's no-store keeps it out of caches too)."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render_settings(request, status=400, token_form=form)
    _, key = tokens.create_token(request.user, form.cleaned_data["name"])
    return _render_settings(request, new_key=key)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if tokens.revoke_token(request.user, token_id):
        messages.success(request, "Token revoked: it no longer works.")
    else:
        messages.error(request, "No such token (already revoked?).")
    return redirect("accounts:settings")


@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    """The "Send the link again" button of the check-your-email page."""
    messages.info(request, confirmation.resend(request))
    return redirect("account_email_verification_sent")


@login_required
@require_POST
def claim_author(request: HttpRequest, author_id: int) -> HttpResponse:
    author = get_object_or_404(Author, pk=author_id)
    try:
        claims.request_claim(request.user, author)
    except claims.ClaimRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Thanks: a moderator will review your claim.")
    return redirect(author.get_absolute_url())


def rate_limited(request: HttpRequest) -> HttpResponse:
    """Allauth's 429 (too many logins or sign-ups from one address): our page and words."""
    return too_many_requests(request, "attempts", allauth_refusal(request))
