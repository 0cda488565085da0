from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dailypapers.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from dailypapers import search
        from dailypapers.papers import related
        from dailypapers.search import receivers

        receivers.connect(self)
        related.register_similar(search.similar_papers)
