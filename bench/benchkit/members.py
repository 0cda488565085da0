"""Members for the member page and for the votes cast during a run: accounts, logged-in
sessions (as cookies for wrk and the voters) and the reader's upvotes on the measured day.

Made on every run, after the fill (cheap, and --keep reuses the fill): accounts are found
or created by name, each run gets new sessions. Votes go through `papers.services`, so the
counters stay exact.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from importlib import import_module

READER = "bench-reader"  # the member whose page is loaded (`day-member`)
PROBE = "bench-probe"  # casts the votes whose visibility is timed
VOTERS = 40  # 20 votes/s from 40 members is 30 a minute each: under the per-member limit
READER_VOTES_EVERY = 3  # the reader upvoted every third paper of the day


@dataclass(frozen=True)
class Crowd:
    reader_cookie: str
    probe_cookie: str
    voter_cookies: tuple[str, ...]
    day_papers: tuple[str, ...]  # arXiv ids on the measured day's first page, in page order


def prepare_members(day_path: str) -> Crowd:
    """Accounts, sessions and the reader's votes for the day at `day_path`."""
    papers = first_page_papers(day_path)
    reader, probe, *voters = (
        member(name) for name in (READER, PROBE, *(f"bench-voter-{i}" for i in range(VOTERS)))
    )
    upvote_every(reader, papers, READER_VOTES_EVERY)
    return Crowd(
        cookie_for(reader),
        cookie_for(probe),
        tuple(cookie_for(voter) for voter in voters),
        tuple(paper.arxiv_id for paper in papers),
    )


def first_page_papers(day_path: str) -> list:
    from dailypapers.papers import queries
    from dailypapers.papers.periods import parse_period

    period = parse_period("day", day_path.rsplit("/", 1)[-1])
    return list(queries.papers_in_period(period)[:50])


def member(username: str):
    from django.contrib.auth import get_user_model

    user, created = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@bench.invalid"}
    )
    if created:
        user.set_unusable_password()  # nobody logs in with a password: sessions are made here
        user.save(update_fields=["password"])
    return user


def upvote_every(user, papers: list, step: int) -> None:
    from dailypapers.papers import services

    for index, paper in enumerate(papers):
        services.set_upvote(user, paper, index % step == 0)


def cookie_for(user) -> str:
    """A logged-in session's cookie, plus a CSRF cookie the client also sends as header."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return (
        f"{settings.SESSION_COOKIE_NAME}={store.session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf_secret()}"
    )


def csrf_secret() -> str:
    # Django accepts a client-chosen CSRF cookie of the right shape (32 letters and digits)
    # when the same value comes back in the X-CSRFToken header.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def csrf_of(cookie: str) -> str:
    from django.conf import settings

    pairs = dict(part.split("=", 1) for part in cookie.split("; "))
    return pairs[settings.CSRF_COOKIE_NAME]
