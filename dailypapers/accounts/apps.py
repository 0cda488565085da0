from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class AccountsConfig(AppConfig):
    name = "dailypapers.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from dailypapers.accounts.profiles import create_profile

        post_save.connect(
            create_profile, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_profile"
        )
