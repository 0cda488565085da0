from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dailypapers.api"
    label = "api"
    verbose_name = "API"
