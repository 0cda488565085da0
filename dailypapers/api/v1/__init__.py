"""Our JSON API: `/api/v1/…`, its OpenAPI schema at `/api/openapi.json`, docs at `/api/docs`.

Mounted at `/api/` so the schema and docs sit beside every version; the routes themselves
carry the `v1/` prefix. Every error answers the one shape of `errors.py`.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI

from dailypapers.api import caching
from dailypapers.api.v1 import errors, feeds, members, papers, people, search
from dailypapers.api.v1.security import ApiThrottle


class Api(NinjaAPI):
    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                # One place for every route's HTTP conventions: errors, HEAD, caching.
                pattern.callback = caching.cached_by_rule(errors.json_only(pattern.callback))
        return urls


api = Api(
    title="dailypapers API",
    version="1",
    description=(
        "Papers, search, feeds, organizations and authors for everyone; upvotes, submissions "
        "and comments for members with an API token (`Authorization: Bearer dp_…`, from "
        '/settings). Every error answers `{"error": {"code": …, "message": …}}`.'
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    throttle=ApiThrottle(),
)
errors.install_handlers(api)
# Members' routes first: `/papers/{id}/upvote` must be tried before `/papers/{path:id}`.
api.add_router("/v1", members.router)
api.add_router("/v1/papers", papers.router)
api.add_router("/v1/search", search.router)
api.add_router("/v1/feeds", feeds.router)
api.add_router("/v1/organizations", people.organizations)
api.add_router("/v1/authors", people.authors)

# For `dailypapers/api/urls.py`: the API, then a JSON 404 for any other /api/v1/ path.
urlpatterns = [
    re_path(r"^api/", api.urls),
    re_path(r"^api/v1(/|$)", caching.cached_by_rule(errors.not_found_view)),
]
