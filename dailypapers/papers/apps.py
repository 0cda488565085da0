from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "dailypapers.papers"
    label = "papers"
    verbose_name = "Papers"

    def ready(self) -> None:
        from dailypapers.papers import checks  # noqa: F401  (registers the system checks)
