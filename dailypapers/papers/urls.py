from django.urls import path, register_converter

from dailypapers.papers import comment_views, feeds, moderation_views, views, vote_views
from dailypapers.papers.converters import ArxivIdConverter

register_converter(ArxivIdConverter, "arxiv")

app_name = "papers"
urlpatterns = [
    path("", views.home, name="home"),
    # Feeds: `<listing>/feed.rss|atom`, before the listings (`authors/<path:name>` takes all).
    path("feed.<feedformat:fmt>", feeds.today, name="feed-today"),
    path(
        "papers/date/<str:key>/feed.<feedformat:fmt>",
        feeds.period,
        {"kind": "day"},
        name="feed-day",
    ),
    path(
        "papers/week/<str:key>/feed.<feedformat:fmt>",
        feeds.period,
        {"kind": "week"},
        name="feed-week",
    ),
    path(
        "papers/month/<str:key>/feed.<feedformat:fmt>",
        feeds.period,
        {"kind": "month"},
        name="feed-month",
    ),
    path("papers/trending/feed.<feedformat:fmt>", feeds.trending, name="feed-trending"),
    path("org/<str:slug>/feed.<feedformat:fmt>", feeds.organization, name="feed-organization"),
    path("authors/<path:name>/feed.<feedformat:fmt>", feeds.author, name="feed-author"),
    path("papers/date/<str:key>", views.period_feed, {"kind": "day"}, name="day"),
    path("papers/week/<str:key>", views.period_feed, {"kind": "week"}, name="week"),
    path("papers/month/<str:key>", views.period_feed, {"kind": "month"}, name="month"),
    path("papers/week", views.latest_period, {"kind": "week"}, name="latest-week"),
    path("papers/month", views.latest_period, {"kind": "month"}, name="latest-month"),
    path("papers/trending", views.trending, name="trending"),
    path("papers/<arxiv:arxiv_id>.md", views.paper_markdown_view, name="markdown"),
    path("papers/<arxiv:arxiv_id>", views.paper_detail, name="detail"),
    path("papers/<arxiv:arxiv_id>/upvote", vote_views.upvote, name="upvote"),
    path("papers/<arxiv:arxiv_id>/upvote/intent", vote_views.upvote_intent, name="upvote-intent"),
    path("papers/<arxiv:arxiv_id>/comments", comment_views.post_comment, name="comment-post"),
    path("comments/<int:pk>/edit", comment_views.edit_comment, name="comment-edit"),
    path("comments/<int:pk>/delete", comment_views.delete_comment, name="comment-delete"),
    path("comments/<int:pk>/report", comment_views.report_comment, name="comment-report"),
    path("comments/<int:pk>/hidden", comment_views.set_comment_hidden, name="comment-hidden"),
    path("papers/<arxiv:arxiv_id>/hidden", moderation_views.set_paper_hidden, name="paper-hidden"),
    path(
        "papers/<arxiv:arxiv_id>/submission/hidden",
        moderation_views.set_submission_hidden,
        name="submission-hidden",
    ),
    path("org/<str:slug>", views.organization, name="organization"),
    path("authors/<path:name>", views.author, name="author"),
]
