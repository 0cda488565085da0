from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def restore_keyword_triggers(using: str = "default", plan=None, **kwargs) -> None:
    """On SQLite, a migration that rebuilds papers_paper (most column changes do) drops the
    keyword index's triggers with the old table, silently: after every `migrate`, put any
    missing one back and rebuild the index, so it never drifts from the papers."""
    if using != "default" or connections[using].vendor != "sqlite":
        return
    from dailypapers.search import keyword_sqlite

    if keyword_sqlite.missing_triggers():
        keyword_sqlite.rebuild()


class SearchConfig(AppConfig):
    name = "dailypapers.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from dailypapers import search
        from dailypapers.papers import related
        from dailypapers.search import receivers

        receivers.connect()
        post_migrate.connect(restore_keyword_triggers, sender=self)
        related.register_similar(search.similar_papers)
