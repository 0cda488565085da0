from django.apps import AppConfig
from django.core.management import call_command
from django.db.models.signals import post_migrate


def create_cache_table(using: str = "default", **kwargs) -> None:
    """The database cache's table is no model, so no migration makes it: `migrate` does,
    here (a no-op when it exists or when the cache is Redis)."""
    call_command("createcachetable", database=using, verbosity=0)


class PapersConfig(AppConfig):
    name = "dailypapers.papers"
    label = "papers"
    verbose_name = "Papers"

    def ready(self) -> None:
        from dailypapers.papers import (
            checks,  # noqa: F401  (registers the system checks)
            vote_counts,
        )

        vote_counts.connect()

        post_migrate.connect(create_cache_table, sender=self)
