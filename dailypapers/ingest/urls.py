from django.urls import path

from dailypapers.ingest import views

app_name = "ingest"
urlpatterns = [
    path("status/ingest", views.status, name="status"),
]
