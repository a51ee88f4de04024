from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .languages import remember_at_sign_in
        from .notifications import register_sources

        register_sources()
        user_logged_in.connect(remember_at_sign_in, dispatch_uid="accounts.languages.remember_at_sign_in")
