from django.apps import AppConfig


class EngagementsConfig(AppConfig):
    name = "engagements"
    verbose_name = "Engagements"

    def ready(self) -> None:
        from .invitations import register_invitation_source
        from .notifications import register_sources

        register_sources()
        register_invitation_source()

        from accounts.services import register_acceptance_hook

        from .services import engagement_leader_accepted

        register_acceptance_hook(engagement_leader_accepted)
