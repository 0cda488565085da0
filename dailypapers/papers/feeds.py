"""RSS 2.0 and Atom feeds of the listings: today, a day/week/month, trending, an
organization, an author (the search feed builds on `ListingFeed` in `search.feeds`).

Every feed is `<listing URL>/feed.rss` or `/feed.atom` (`/feed.atom` for today). Items link
to our paper pages by absolute URL (`DAILYPAPERS_BASE_URL`, else the request's origin), and
the paper's canonical URL is its GUID: it depends on the arXiv id only, so a new title or
version never makes a reader show the paper twice.

Text is escaped for what each format declares: RSS titles and descriptions, and Atom
summaries (`type="html"`), are HTML to a reader, so the plain-text title and abstract are
HTML-escaped before the framework escapes them for XML; an Atom title is text, kept as is.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import register_converter, reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from dailypapers.papers import http_cache, queries, ranking
from dailypapers.papers.feed_days import feed_today
from dailypapers.papers.models import Paper
from dailypapers.papers.periods import Period, parse_period, period_containing
from dailypapers.papers.views import author as author_page
from dailypapers.papers.views import read_only

# Items per feed: the first page of a day (what a reader of the page sees first).
FEED_SIZE = 50
# Readers poll every hour or so; five minutes of caching costs a vote's visibility little.
MAX_AGE_SECONDS = 300
FORMATS = {"rss": Rss201rev2Feed, "atom": Atom1Feed}


class FeedFormatConverter:
    """`feed.rss` or `feed.atom` in a URL; any other suffix is no feed (a 404)."""

    regex = "rss|atom"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Here rather than in a urls module: the search app's feed route needs it too, and whichever
# urls module loads first, it imports this module first.
register_converter(FeedFormatConverter, "feedformat")


@dataclass(frozen=True)
class Entry:
    paper: Paper
    link: str  # the paper page, absolute
    published: dt.datetime | None


@dataclass(frozen=True)
class Listing:
    title: str
    page: str  # the listing's HTML page, absolute
    description: str
    entries: list[Entry]
    feed: str = ""  # this feed's own URL, absolute (set by `ListingFeed`)


def as_html(text: str) -> str:
    """Plain text as HTML that shows it: only `&`, `<` and `>` need escaping in content
    (quotes left alone, so a title's apostrophe is no entity to readers that show text)."""
    return html.escape(text, quote=False)


def origin(request: HttpRequest) -> str:
    """The public origin links are built on: the configured one, else the request's."""
    return settings.BASE_URL or f"{request.scheme}://{request.get_host()}"


def entries(
    papers: Iterable[Paper], request: HttpRequest, entered_feed: bool = False
) -> list[Entry]:
    """Feed entries for these papers, in order. `entered_feed`: dated when each entered the
    daily feed (day/week/month/trending), else when it was published."""
    base = origin(request)
    return [
        Entry(paper, base + paper.get_absolute_url(), _published(paper, entered_feed))
        for paper in papers
    ]


def _published(paper: Paper, entered_feed: bool) -> dt.datetime | None:
    submission = _submission(paper) if entered_feed else None
    when = submission.submitted_at if submission else None
    return when or paper.published_at or paper.created_at


def _submission(paper: Paper):
    try:
        return paper.submission
    except Paper.submission.RelatedObjectDoesNotExist:
        return None


class ListingFeed(Feed):
    """A feed of one listing; subclasses say which in `listing(request, **kwargs)`."""

    def __init__(self, feed_type: type) -> None:
        super().__init__()
        self.feed_type = feed_type
        self.rss = feed_type is Rss201rev2Feed

    def listing(self, request: HttpRequest, **kwargs) -> Listing:
        raise NotImplementedError

    def get_object(self, request: HttpRequest, **kwargs) -> Listing:
        listing = self.listing(request, **kwargs)
        return replace(listing, feed=origin(request) + request.get_full_path())

    # Atom wants an author for every entry; a paper without authors falls back on this.
    author_name = "Daily Papers"

    def title(self, listing: Listing) -> str:
        return as_html(listing.title) if self.rss else listing.title

    def link(self, listing: Listing) -> str:
        return listing.page

    def feed_url(self, listing: Listing) -> str:
        return listing.feed

    def description(self, listing: Listing) -> str:
        return listing.description

    def items(self, listing: Listing) -> list[Entry]:
        return listing.entries

    def item_title(self, entry: Entry) -> str:
        return as_html(entry.paper.title) if self.rss else entry.paper.title

    def item_description(self, entry: Entry) -> str:
        return as_html(entry.paper.abstract)

    def item_link(self, entry: Entry) -> str:
        return entry.link

    def item_guid(self, entry: Entry) -> str:
        return entry.link

    item_guid_is_permalink = True

    def item_author_name(self, entry: Entry) -> str | None:
        names = [authorship.author.name for authorship in entry.paper.authorships.all()]
        return ", ".join(names) or None

    def item_pubdate(self, entry: Entry) -> dt.datetime | None:
        return entry.published

    def item_updateddate(self, entry: Entry) -> dt.datetime | None:
        # Atom requires <updated>. Not the row's modified time: that moves with every vote,
        # and readers would mark the paper changed each time.
        return entry.published

    def item_categories(self, entry: Entry) -> list[str]:
        return entry.paper.categories.split()


def feed_view(feed_class: type[ListingFeed]) -> Callable[..., HttpResponse]:
    """One view serving `feed_class` in both formats: `fmt` ("rss" or "atom") from the URL,
    with an ETag of the body, so a reader polling with `If-None-Match` gets a 304 until a
    paper arrives, leaves or moves (`http_cache`)."""
    feeds = {fmt: feed_class(feed_type) for fmt, feed_type in FORMATS.items()}

    @read_only
    def view(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
        response = feeds[fmt](request, **kwargs)
        return http_cache.public_conditional(request, response, MAX_AGE_SECONDS)

    return view


def _clean(text: str) -> str:
    # PostgreSQL refuses NUL in string parameters: such a name matches nothing anyway.
    return text.replace("\x00", "").strip()


# The feeds.


def _period_listing(request: HttpRequest, period: Period, page: str) -> Listing:
    papers = queries.papers_in_period(period)[:FEED_SIZE]
    return Listing(
        title=f"Daily Papers · {period.label}",
        page=origin(request) + page,
        description=f"The papers of {period.label}, most upvoted first.",
        entries=entries(papers, request, entered_feed=True),
    )


class TodayFeed(ListingFeed):
    """What the home page shows: today's papers, or the latest day with papers."""

    def listing(self, request: HttpRequest) -> Listing:
        today = feed_today()
        day = queries.latest_feed_date(on_or_before=today) or queries.latest_feed_date()
        return _period_listing(request, period_containing("day", day or today), "/")


class PeriodFeed(ListingFeed):
    def listing(self, request: HttpRequest, kind: str, key: str) -> Listing:
        try:
            period = parse_period(kind, key)
        except ValueError as error:
            raise Http404(str(error)) from None
        return _period_listing(request, period, period.url)


class TrendingFeed(ListingFeed):
    def listing(self, request: HttpRequest) -> Listing:
        result = ranking.cached_trending()
        papers = queries.trending_papers(result.arxiv_ids[:FEED_SIZE])
        return Listing(
            title="Trending papers · Daily Papers",
            page=origin(request) + reverse("papers:trending"),
            description="Papers ranked by recent upvotes, each losing half its weight "
            f"every {settings.TRENDING_HALF_LIFE_HOURS:g} hours.",
            entries=entries(papers, request, entered_feed=True),
        )


class OrganizationFeed(ListingFeed):
    def listing(self, request: HttpRequest, slug: str) -> Listing:
        org = queries.organization_by_slug(_clean(slug))
        if org is None:
            raise Http404(f"No organization {slug!r}.")
        papers = queries.papers_of_organization(org)
        return _newest_of(request, str(org), org.get_absolute_url(), papers)


class AuthorFeed(ListingFeed):
    def listing(self, request: HttpRequest, name: str) -> Listing:
        person = queries.author_by_name(_clean(name))
        if person is None:
            raise Http404(f"No author named {name!r}.")
        return _newest_of(
            request, person.name, person.get_absolute_url(), queries.papers_of_author(person)
        )


def _newest_of(request: HttpRequest, name: str, page: str, papers) -> Listing:
    """An organization's or author's feed: their newest papers."""
    return Listing(
        title=f"{name} · Daily Papers",
        page=origin(request) + page,
        description=f"The newest papers of {name}.",
        entries=entries(papers[:FEED_SIZE], request),
    )


today = feed_view(TodayFeed)
period = feed_view(PeriodFeed)
trending = feed_view(TrendingFeed)
organization = feed_view(OrganizationFeed)
_author_feed = feed_view(AuthorFeed)


@read_only
def author(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """An author's feed, or the page of an author whose name ends in "/feed.rss" (or
    ".atom"): `authors/<path:name>` takes slashes, so both claim that URL. The feed wins
    when its author exists; that author's own feed is at `…/feed.atom/feed.atom`."""
    if queries.author_by_name(_clean(name)) is None:
        whole = f"{name}/feed.{fmt}"
        if queries.author_by_name(_clean(whole)) is not None:
            return author_page(request, name=whole)
    return _author_feed(request, fmt=fmt, name=name)
