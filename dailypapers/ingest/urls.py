from django.urls import path

from dailypapers.ingest import submit_views, views

app_name = "ingest"
urlpatterns = [
    path("status/ingest", views.status, name="status"),
    path("submit", submit_views.submit, name="submit"),
]
