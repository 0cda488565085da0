"""The machine-readable side: Hugging Face–compatible routes, our own API, the MCP endpoint."""

from django.urls import path, re_path

from dailypapers.api import fallbacks, mcp

urlpatterns: list = []
# Hugging Face–compatible routes (shared/hf-api.md); `/papers/<id>.md` is the papers app's.
from dailypapers.api import hf_compat  # noqa: E402
from dailypapers.papers.arxiv_ids import ID_PATTERN  # noqa: E402

urlpatterns += [
    path("api/daily_papers", hf_compat.daily_papers, name="hf-daily-papers"),
    path("api/papers/search", hf_compat.search_papers, name="hf-search"),
    path("api/papers", hf_compat.all_papers, name="hf-papers"),
    re_path(rf"^api/papers/(?P<arxiv_id>{ID_PATTERN})$", hf_compat.paper_info, name="hf-paper"),
    # Anything else that looks like one id (old style has one slash): the contract's JSON 404,
    # not the HTML page. Routes under /api/papers/ added later go above this line.
    re_path(r"^api/papers/(?P<arxiv_id>[^/]+(?:/[^/]+)?)$", hf_compat.paper_info),
]
urlpatterns += [path("mcp", mcp.endpoint, name="mcp")]
# Our API: /api/v1/…, /api/openapi.json, /api/docs (dailypapers/api/v1).
from dailypapers.api import v1  # noqa: E402

urlpatterns += v1.urlpatterns
# Any other /api/ path: the JSON 404 (Hugging Face's shape), for every method.
urlpatterns += [re_path(r"^api/", fallbacks.unknown_api_path)]
