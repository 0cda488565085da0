from django.urls import path, register_converter

from dailypapers.papers import views, vote_views
from dailypapers.papers.converters import ArxivIdConverter

register_converter(ArxivIdConverter, "arxiv")

app_name = "papers"
urlpatterns = [
    path("", views.home, name="home"),
    path("papers/date/<str:key>", views.period_feed, {"kind": "day"}, name="day"),
    path("papers/week/<str:key>", views.period_feed, {"kind": "week"}, name="week"),
    path("papers/month/<str:key>", views.period_feed, {"kind": "month"}, name="month"),
    path("papers/week", views.latest_period, {"kind": "week"}, name="latest-week"),
    path("papers/month", views.latest_period, {"kind": "month"}, name="latest-month"),
    path("papers/trending", views.trending, name="trending"),
    path("papers/<arxiv:arxiv_id>.md", views.paper_markdown_view, name="markdown"),
    path("papers/<arxiv:arxiv_id>", views.paper_detail, name="detail"),
    path("papers/<arxiv:arxiv_id>/upvote", vote_views.upvote, name="upvote"),
    path("org/<str:slug>", views.organization, name="organization"),
    path("authors/<path:name>", views.author, name="author"),
]
