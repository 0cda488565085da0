"""The filters a search can carry, read from a query string, and the papers they allow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from dailypapers.papers.models import Author, Authorship, Organization, Paper
from dailypapers.papers.names import normalize_name

SORTS = ("relevance", "upvotes", "newest")
MODES = ("hybrid", "keyword", "semantic")
# author:/org: match by substring too ("author:hinton"); a name that common is no filter.
MAX_NAME_MATCHES = 500


@dataclass(frozen=True)
class Filters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    organization: str = ""  # an organization's slug (the filter menu)
    has_code: bool = False
    in_feed: bool | None = None  # True: only papers of the daily feed; False: only others
    errors: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_params(cls, params) -> Filters:
        """Filters from a query dict (`request.GET`); a value that does not parse is left
        out and named in `errors`, so the page can say so instead of failing."""
        errors: list[str] = []

        def day(name: str) -> dt.date | None:
            raw = params.get(name, "").strip()
            if not raw:
                return None
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                errors.append(f"“{raw[:40]}” is not a date (use YYYY-MM-DD)")
                return None

        in_feed = {"1": True, "yes": True, "0": False, "no": False}.get(params.get("feed", ""))
        return cls(
            date_from=day("from"),
            date_to=day("to"),
            organization=params.get("org", "").replace("\x00", "").strip()[:100],
            has_code=params.get("code", "") in {"1", "yes", "on", "true"},
            in_feed=in_feed,
            errors=tuple(errors),
        )

    @property
    def active(self) -> bool:
        return bool(
            self.date_from
            or self.date_to
            or self.organization
            or self.has_code
            or self.in_feed is not None
        )


def allowed_papers(
    filters: Filters, authors: tuple[str, ...] = (), orgs: tuple[str, ...] = ()
) -> QuerySet[Paper] | None:
    """The papers the filters and the query's author:/org: terms allow; None when they allow
    every paper (so the searches need no restriction at all)."""
    condition = Q()
    if filters.date_from:
        condition &= Q(published_at__date__gte=filters.date_from)
    if filters.date_to:
        condition &= Q(published_at__date__lte=filters.date_to)
    if filters.organization:
        condition &= Q(organization__slug=filters.organization)
    if filters.has_code:
        condition &= ~Q(github_repo="")
    if filters.in_feed is not None:
        in_feed = Q(submission__isnull=False, submission__hidden=False)
        condition &= in_feed if filters.in_feed else ~in_feed
    for name in authors:
        condition &= Q(pk__in=_papers_by_author(name))
    for name in orgs:
        condition &= Q(organization__in=_organizations_named(name))
    if not condition:
        return None
    return Paper.objects.filter(condition)


def _papers_by_author(name: str) -> QuerySet:

    wanted = normalize_name(name)
    exact = Author.objects.filter(normalized_name=wanted)
    if not exact.exists():  # a last name, a partial name: by substring, bounded
        exact = Author.objects.filter(normalized_name__contains=wanted)
    author_ids = list(exact.values_list("pk", flat=True)[:MAX_NAME_MATCHES]) if wanted else []
    return Authorship.objects.filter(author_id__in=author_ids).values("paper_id")


def _organizations_named(name: str) -> QuerySet[Organization]:
    return Organization.objects.filter(
        Q(slug__iexact=name)
        | Q(handle__iexact=name)
        | Q(name__icontains=name)
        | Q(fullname__icontains=name)
    )
