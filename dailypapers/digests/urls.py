from django.urls import path

from dailypapers.digests import views

app_name = "digests"
urlpatterns = [
    path("subscribe", views.subscribe, name="subscribe"),
    path("subscribe/confirm/<str:token>", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/one-click", views.one_click, name="one_click"),
]
