from django.urls import path

from dailypapers.search import feeds, views

app_name = "search"

urlpatterns = [
    path("search", views.results, name="results"),
    path("search/live", views.live, name="live"),
    path("search/feed.<feedformat:fmt>", feeds.results, name="feed"),
]
