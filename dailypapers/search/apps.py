from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dailypapers.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from dailypapers.search import indexing

        indexing.connect_signals()
